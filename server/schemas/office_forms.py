"""The office's own forms: the record pages (an action done, a material change, mitigations),
the review decisions, the DSL's concern entries, "LA informed on" and a report's period. They
are read as typed (form_input.read_form); the services check what the words must say."""
from marshmallow import ValidationError, fields, validates_schema

from server.schemas.base import StrictSchema, optional_text
from server.services import actions, concerns, review, risk_assessments, start_gates
from server.services.documents.periods import MAX_DAYS


class ActionDoneSchema(StrictSchema):
    note = optional_text(actions.NOTE_MAX_LENGTH)


class MaterialChangeSchema(StrictSchema):
    reason = optional_text(risk_assessments.REASON_MAX_LENGTH)


class MitigationsSchema(StrictSchema):
    mitigations = optional_text(start_gates.MITIGATIONS_MAX_LENGTH)


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


class CloseSchema(StrictSchema):
    outcome = optional_text(concerns.TEXT_MAX_LENGTH)


class ReopenSchema(StrictSchema):
    reason = optional_text(concerns.TEXT_MAX_LENGTH)


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
