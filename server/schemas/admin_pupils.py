"""Pupils and their flags (§7.5, §7.6, §7.11), and importing them from the school's MIS export.

The import reads each CSV row through `PupilRecordSchema` too, so a row is accepted exactly when the
same values typed into the pupil form would be.
"""
import re

from marshmallow import ValidationError, fields, post_load, validate, validates

from server.dates import school_today
from server.schemas.admin_fields import (AdminSchema, flag, not_yes_no, optional_phone, required_date, required_text,
                                         whole_number)
from server.schemas.base import optional_text

# In the order the column guesser tries them: a Yes/No "Social Worker" column fits "has a social
# worker" first; a column of names does not, and goes on to "social worker's name".
IMPORT_FIELDS = ("mis_id", "first_name", "last_name", "date_of_birth", "year_group", "sen_status", "ehcp",
                 "looked_after", "child_protection_plan", "child_in_need", "has_social_worker", "send_support",
                 "fsm_eligible", "social_worker_name", "social_worker_phone", "parent_contact_name",
                 "parent_contact_phone")
REQUIRED_IMPORT_FIELDS = ("mis_id", "first_name", "last_name", "date_of_birth", "year_group")
# Import columns that are not pupil fields themselves but set them (PupilImportRowSchema.fold).
SEN_STATUS_FIELDS = ("ehcp", "send_support")
SOCIAL_WORKER_COLUMNS = ("child_protection_plan", "child_in_need", "has_social_worker")
IMPORT_FIELD_LABELS = {
    "mis_id": "MIS id", "first_name": "First name", "last_name": "Last name", "date_of_birth": "Date of birth",
    "year_group": "Year group", "sen_status": "SEN status (E, K or N)", "ehcp": "EHCP",
    "looked_after": "Looked after", "child_protection_plan": "Child protection plan",
    "child_in_need": "Child in need", "has_social_worker": "Has a social worker", "send_support": "SEN support",
    "fsm_eligible": "Free school meals", "social_worker_name": "Social worker's name",
    "social_worker_phone": "Social worker's phone", "parent_contact_name": "Parent or carer's name",
    "parent_contact_phone": "Parent or carer's phone",
}
# The SEN status codes of the DfE school census, as SIMS, Arbor and Bromcom export them (the
# code, or its words): E an education, health and care plan, K SEN support, N no SEN.
SEN_STATUS_WORDS = {
    "e": "E", "ehcp": "E", "ehc plan": "E", "education, health and care plan": "E",
    "education health and care plan": "E",
    "k": "K", "sen support": "K", "send support": "K",
    "n": "N", "": "N", "none": "N", "no sen": "N", "no special educational need": "N",
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

    @validates("social_worker_name", "parent_contact_name")
    def a_name_not_an_answer(self, value, **kwargs):
        if value is not None:
            not_yes_no(value)


def sen_status_code(value):
    """"E", "K" or "N" for the ways an MIS writes a SEN status, else None."""
    return SEN_STATUS_WORDS.get(" ".join(value.lower().split())) if isinstance(value, str) else None


class SenStatus(fields.String):
    default_error_messages = {"invalid": "Write E (EHC plan), K (SEN support) or N (none)."}

    def _deserialize(self, value, attr, data, **kwargs):
        code = sen_status_code(value)
        if code is None:
            raise self.make_error("invalid")
        return code


class PupilImportRowSchema(PupilRecordSchema):
    """One row of an MIS export: the pupil form's fields, plus the columns an MIS has instead of
    our flags. They fold into the pupil's own fields, so a plan holds pupil fields only."""

    sen_status = SenStatus(load_only=True)
    child_protection_plan = flag(load_only=True)
    child_in_need = flag(load_only=True)

    @post_load
    def fold(self, data, **kwargs):
        if "sen_status" in data:
            code = data.pop("sen_status")
            data["ehcp"], data["send_support"] = code == "E", code == "K"
        # A child on a protection plan or a child-in-need plan has a social worker, and so does
        # one whose social worker is named: any mapped column saying so is enough.
        said = [data.pop(name) for name in SOCIAL_WORKER_COLUMNS if name in data]
        if data.get("social_worker_name"):
            said.append(True)
        if said:
            data["has_social_worker"] = any(said)
        return {name: data[name] for name in IMPORT_FIELDS if name in data}  # in the order people read them


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
        if value.get("sen_status") and any(value.get(name) for name in SEN_STATUS_FIELDS):
            raise ValidationError("SEN status already gives EHCP and SEN support: leave those two unmatched.")
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
