"""The office's own forms: the record pages (an action done, a material change, mitigations),
the review decisions, the DSL's concern entries, "LA informed on" and a report's period. They
are read as typed (form_input.read_form); the services check what the words must say."""
from marshmallow import ValidationError, fields, validates_schema

from server.schemas.base import StrictSchema, optional_text
from server.services import actions, concerns, review, risk_assessments, start_gates
from server.services.documents.periods import MAX_DAYS


def _one_box(name, max_length, schema_name):
    """A form of one optional box of text, which the service requires or not."""
    return StrictSchema.from_dict({name: optional_text(max_length)}, name=schema_name)


ActionDoneSchema = _one_box("note", actions.NOTE_MAX_LENGTH, "ActionDoneSchema")
MaterialChangeSchema = _one_box("reason", risk_assessments.REASON_MAX_LENGTH, "MaterialChangeSchema")
MitigationsSchema = _one_box("mitigations", start_gates.MITIGATIONS_MAX_LENGTH, "MitigationsSchema")
CloseSchema = _one_box("outcome", concerns.TEXT_MAX_LENGTH, "CloseSchema")
ReopenSchema = _one_box("reason", concerns.TEXT_MAX_LENGTH, "ReopenSchema")


class SignOffSchema(StrictSchema):
    version = fields.Integer(required=True)
    comment = optional_text(review.COMMENT_MAX_LENGTH)
    accept_incomplete = fields.Boolean(load_default=False)


class SendBackSchema(StrictSchema):
    version = fields.Integer(required=True)
    comment = optional_text(review.COMMENT_MAX_LENGTH)


class NoteSchema(StrictSchema):
    kind = fields.String(required=True)
    text = optional_text(concerns.TEXT_MAX_LENGTH)


class InformedSchema(StrictSchema):
    informed_on = fields.Date(required=True, error_messages={"required": "Enter the date the LA was told.",
                                                             "invalid": "Enter a date like 2026-10-14."})
    placement = fields.List(fields.UUID(), required=True)
    starts_on = fields.Date(data_key="from", load_default=None)
    ends_on = fields.Date(data_key="to", load_default=None)


class PeriodQuerySchema(StrictSchema):
    """?from=2026-09-01&to=2027-07-21; either may be left out (the default fills it)."""

    starts_on = fields.Date(data_key="from", load_default=None)
    ends_on = fields.Date(data_key="to", load_default=None)

    @validates_schema
    def _in_order(self, data, **kwargs):
        first, last = data.get("starts_on"), data.get("ends_on")
        if first and last and last < first:
            raise ValidationError("The end date is before the start date.", field_name="to")
        if first and last and (last - first).days > MAX_DAYS:
            raise ValidationError("Choose a period of five years or less.", field_name="to")
