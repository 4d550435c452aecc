"""Providers: registration, published reports, contacts, the evidence that expires, and a
pre-placement check the school did on paper before it used this product (§7.2, §7.8)."""
from marshmallow import ValidationError, fields, validate, validates_schema

from server.schemas.admin_fields import (AdminSchema, flag, not_in_future, one_of, optional_date, optional_email,
                                         optional_phone, optional_url, required_date, required_text, whole_number)
from server.schemas.base import optional_text
from server.services.placement_rules import REGISTERED_STATUSES, registration_warning as warning_for
from server.vocabulary import EVIDENCE_KINDS, REGISTRATION_STATUSES, RISK_RATINGS, labels

REPORT_SOURCES = ("ofsted", "local_authority", "other")
REPORT_SOURCE_LABELS = {"ofsted": "Ofsted", "local_authority": "Local authority", "other": "Other"}


class ProviderReportSchema(AdminSchema):
    source = one_of(REPORT_SOURCES, REPORT_SOURCE_LABELS, required=True)
    report_date = required_date()
    judgement = optional_text(100)
    url = optional_url()


class ProviderEvidenceSchema(AdminSchema):
    kind = one_of(EVIDENCE_KINDS, labels("evidence_kinds"), required=True)
    description = optional_text(300)
    received_on = optional_date()
    expires_on = optional_date()
    file = fields.UUID(attribute="file_uuid", load_default=None, allow_none=True,
                       error_messages={"invalid_uuid": "That is not a file of this provider's."}, metadata={
                           "description": "The scanned document's id (uploaded on the office's provider page). "
                                          "Left out, the row no longer shows it; the file itself is kept."})

    @validates_schema
    def expires_after_received(self, data, **kwargs):
        if data["received_on"] and data["expires_on"] and data["expires_on"] < data["received_on"]:
            raise ValidationError("It expires before it was received.", "expires_on")


class ProviderRecordSchema(AdminSchema):
    id = fields.UUID(attribute="uuid", dump_only=True)
    school_id = fields.UUID(attribute="school_uuid", dump_only=True)
    name = required_text(200)
    registration_status = one_of(REGISTRATION_STATUSES, labels("registration_statuses"), required=True)
    urn = optional_text(20, metadata={"description": "Ofsted's unique reference number; required when registered."})
    on_la_approved_list = flag()
    full_time_pupils = whole_number(load_default=0, validate=validate.Range(0, 10000, error=(
        "Enter a whole number of pupils from 0.")), error_messages={"invalid": "Enter a whole number of pupils."},
        metadata={"description": "Pupils from every school taught there full time (§7.2)."})
    website = optional_url()
    address = optional_text(1000)
    contact_name = optional_text(200)
    contact_phone = optional_phone()
    contact_email = optional_email()
    notes = optional_text(5000)
    reports = fields.List(fields.Nested(ProviderReportSchema), load_default=list, metadata={
        "description": "The whole list of published reports; the newest first."})
    evidence = fields.List(fields.Nested(ProviderEvidenceSchema), load_default=list, metadata={
        "description": "The whole list of evidence with its dates."})
    registration_warning = fields.Function(warning_for, dump_only=True, allow_none=True, metadata={
        "description": "Why this provider looks as if it must be registered and is not (§7.2)."})

    @validates_schema
    def registered_has_a_urn(self, data, **kwargs):
        if data.get("registration_status") in REGISTERED_STATUSES and not data.get("urn"):
            raise ValidationError("A registered provider has a URN: enter it, or choose the status that applies.",
                                  "urn")


class ExistingCheckSchema(AdminSchema):
    """A pre-placement check done on paper; its scan comes as the upload beside the form."""
    assessed_on = required_date(validate=not_in_future)
    assessed_by = required_text(200)
    rating = one_of(RISK_RATINGS, labels("risk_ratings"), required=True)
    weaknesses = optional_text(5000)
    valid_until = optional_date()
