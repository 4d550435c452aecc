"""Pupils and their flags (§7.5, §7.6, §7.11), and importing them from the school's MIS export.

The import reads each CSV row through `PupilRecordSchema` too, so a row is accepted exactly when the
same values typed into the pupil form would be.
"""
import re

from marshmallow import ValidationError, fields, validate, validates

from server.schemas.admin_fields import (AdminSchema, flag, optional_phone, optional_text, required_date, required_text,
                                         whole_number)
from server.services.school_calendar import school_today

IMPORT_FIELDS = ("mis_id", "first_name", "last_name", "date_of_birth", "year_group", "ehcp", "looked_after",
                 "has_social_worker", "send_support", "fsm_eligible", "social_worker_name", "social_worker_phone",
                 "parent_contact_name", "parent_contact_phone")
REQUIRED_IMPORT_FIELDS = ("mis_id", "first_name", "last_name", "date_of_birth", "year_group")
IMPORT_FIELD_LABELS = {
    "mis_id": "MIS id", "first_name": "First name", "last_name": "Last name", "date_of_birth": "Date of birth",
    "year_group": "Year group", "ehcp": "EHCP", "looked_after": "Looked after",
    "has_social_worker": "Has a social worker", "send_support": "SEN support", "fsm_eligible": "Free school meals",
    "social_worker_name": "Social worker's name", "social_worker_phone": "Social worker's phone",
    "parent_contact_name": "Parent or carer's name", "parent_contact_phone": "Parent or carer's phone",
}
YEAR_PATTERN = re.compile(r"^(?:year|yr|y|nc)?\s*(-?\d{1,2})$")
# Nursery is year -1 and reception year 0, as the DfE's national curriculum year codes have it.
NAMED_YEARS = {"r": 0, "rec": 0, "reception": 0, "n": -1, "n1": -1, "n2": -1, "nursery": -1}
YOUNGEST_AGE, OLDEST_AGE = 2, 25


def _year_group_text(value):
    """"Year 10", "Y10", "10", "R" (reception) → the number; anything else is left for the check."""
    if not isinstance(value, str):
        return value
    text = value.strip().lower()
    if text in NAMED_YEARS:
        return NAMED_YEARS[text]
    match = YEAR_PATTERN.match(text)
    return int(match.group(1)) if match else text


class PupilRecordSchema(AdminSchema):
    id = fields.UUID(attribute="uuid", dump_only=True)
    school_id = fields.UUID(attribute="school_uuid", dump_only=True)
    mis_id = optional_text(50, metadata={"description": "The school's MIS reference; imports match on it."})
    first_name = required_text(100)
    last_name = required_text(100)
    date_of_birth = required_date()
    year_group = whole_number(required=True, pre_load=[_year_group_text],
                                validate=validate.Range(-1, 14, error="Year groups run from N (nursery) and R to 14."),
                                error_messages={"invalid": "Enter the year group as a number, or R for reception.",
                                                "required": "This is required.", "null": "This is required."})
    ehcp = flag(metadata={"description": "Has an education, health and care plan (§7.5)."})
    looked_after = flag(metadata={"description": "Looked after by the local authority (§7.6)."})
    has_social_worker = flag()
    send_support = flag()
    fsm_eligible = flag()
    social_worker_name = optional_text(200)
    social_worker_phone = optional_phone()
    parent_contact_name = optional_text(200)
    parent_contact_phone = optional_phone()

    @validates("date_of_birth")
    def plausible_birthday(self, value, **kwargs):
        today = school_today()
        age = today.year - value.year - ((today.month, today.day) < (value.month, value.day))
        if not YOUNGEST_AGE <= age <= OLDEST_AGE:
            raise ValidationError(f"{value:%d/%m/%Y} makes the pupil {age}: check the date of birth.")


class PupilImportSchema(AdminSchema):
    csv_text = fields.String(required=True, validate=validate.Length(min=1, max=2_000_000), metadata={
        "description": "The MIS export, as text (a byte-order mark, blank lines and extra columns are fine)."})
    mapping = fields.Dict(keys=fields.String(validate=validate.OneOf(IMPORT_FIELDS)), values=fields.String(),
                          required=True, metadata={"description": "Pupil field → the file's column heading."})
    apply = fields.Boolean(load_default=False, metadata={
        "description": "false: a dry run that changes nothing. true: apply the plan, all or nothing."})
    fingerprint = fields.String(load_default=None, allow_none=True, metadata={
        "description": "The dry run's fingerprint: applying refuses (409) when the plan is no longer the same."})

    @validates("mapping")
    def required_columns_mapped(self, value, **kwargs):
        missing = [name for name in REQUIRED_IMPORT_FIELDS if not value.get(name)]
        if missing:
            raise ValidationError("Choose the column for: " + ", ".join(missing) + ".")
        used = [column for column in value.values() if column]
        if len(used) != len(set(used)):
            raise ValidationError("Each column can fill only one pupil field.")


class ImportRowSchema(AdminSchema):
    row = fields.Integer(dump_only=True, metadata={"description": "The line in the file."})
    mis_id = fields.String(dump_only=True, allow_none=True)
    name = fields.String(dump_only=True, allow_none=True)
    changes = fields.Dict(dump_only=True, metadata={"description": "field → [now, after the import]"})
    reason = fields.String(dump_only=True, allow_none=True)


class ImportPlanSchema(AdminSchema):
    fingerprint = fields.String(dump_only=True)
    applied = fields.Boolean(dump_only=True)
    created = fields.List(fields.Nested(ImportRowSchema), dump_only=True)
    changed = fields.List(fields.Nested(ImportRowSchema), dump_only=True)
    unchanged = fields.List(fields.Nested(ImportRowSchema), dump_only=True)
    rejected = fields.List(fields.Nested(ImportRowSchema), dump_only=True)
