"""A school's own settings: its local authority, the key contacts phones show, term dates and INSET days."""
from datetime import date

from marshmallow import ValidationError, fields, validate, validates, validates_schema

from server.dates import long_date
from server.schemas.admin_fields import (AdminSchema, UkDate, one_of, optional_email, required_date, required_phone,
                                         required_text, whole_number)
from server.schemas.base import CALENDAR_YEARS, optional_text
from server.vocabulary import CONTACT_ROLES, TERMS, labels

HALF_TERMS = [(term, half) for term in TERMS for half in (1, 2)]


class NewSchoolSchema(AdminSchema):
    """A school as `flask create-school` makes it: the first record of a real installation."""

    urn = fields.String(required=True, error_messages={"required": "This is required."}, validate=validate.Regexp(
        r"^[0-9]{6}\Z", error="A school's URN is the 6 digits on Get Information about Schools."))
    name = required_text(200)
    local_authority = required_text(200)
    trust = optional_text(200, metadata={"description": "The multi-academy trust the school belongs to."})
    new_trust = fields.Boolean(load_default=False, metadata={
        "description": "Make the trust, the first time it is named; otherwise it must exist already."})
    la_notifications_email = optional_email()


class SchoolSettingsSchema(AdminSchema):
    id = fields.UUID(attribute="uuid", dump_only=True)
    name = fields.String(dump_only=True)
    urn = fields.String(dump_only=True)
    local_authority = optional_text(200)
    la_notifications_email = optional_email(metadata={
        "description": "Where notifications to the local authority go (§7.12, §9.7, §10.7)."})


class KeyContactEntrySchema(AdminSchema):
    role = one_of(CONTACT_ROLES, labels("contact_roles"), required=True)
    name = required_text(200)
    phone = required_phone()
    email = optional_email()


class KeyContactsSchema(AdminSchema):
    contacts = fields.List(fields.Nested(KeyContactEntrySchema), required=True, metadata={
        "description": "The whole list: a role left out is removed. The DSL is required."})

    @validates_schema
    def one_per_role_and_a_dsl(self, data, **kwargs):
        roles = [contact["role"] for contact in data["contacts"]]
        if len(roles) != len(set(roles)):
            raise ValidationError("Give each role once.", "contacts")
        if "dsl" not in roles:
            raise ValidationError("Phones must always show how to call the DSL: enter the DSL's name and phone.",
                                  "contacts")


class HalfTermSchema(AdminSchema):
    term = one_of(TERMS, labels("terms"), required=True)
    half = whole_number(required=True, validate=validate.OneOf((1, 2), error="Half is 1 or 2."))
    starts_on = required_date()
    ends_on = required_date()

    @validates("starts_on")
    def starts_on_a_weekday(self, value, **kwargs):
        if value.weekday() >= 5:
            raise ValidationError(f"{long_date(value)} is a {value:%A}: "
                                  "a half term starts on its first school day.")


class TermYearSchema(AdminSchema):
    academic_year = whole_number(
        required=True, validate=validate.Range(CALENDAR_YEARS.start, CALENDAR_YEARS.stop - 1),
        metadata={"description": "The year the academic year starts: 2026 means 2026/27."})
    halves = fields.List(fields.Nested(HalfTermSchema), required=True, metadata={
        "description": "All six half terms: autumn, spring and summer, halves 1 and 2."})
    inset_days = fields.List(UkDate(), load_default=None, metadata={
        "description": "The school's INSET (training) days this year: weekdays inside the half terms, not "
                       "school days. Left out, they stay as they are; given, they replace the year's list."})
    saved = fields.Boolean(dump_only=True, metadata={
        "description": "false: nothing saved for this year yet; the halves are the usual dates in England."})

    @validates_schema
    def six_halves_in_order_within_the_year(self, data, **kwargs):
        halves = data["halves"]
        if sorted((h["term"], h["half"]) for h in halves) != sorted(HALF_TERMS):
            raise ValidationError("Give all six half terms, each once.", "halves")
        first_day, last_day = date(data["academic_year"], 8, 1), date(data["academic_year"] + 1, 8, 31)
        errors = {}
        ordered = sorted(halves, key=lambda h: HALF_TERMS.index((h["term"], h["half"])))
        previous_end = None
        for half in ordered:
            index = halves.index(half)
            if half["ends_on"] < half["starts_on"]:
                errors[index] = {"ends_on": ["The end is before the start."]}
            elif not (first_day <= half["starts_on"] and half["ends_on"] <= last_day):
                errors[index] = {"starts_on": [f"Dates must fall between 1 August {first_day.year} "
                                               f"and 31 August {last_day.year}."]}
            elif previous_end is not None and half["starts_on"] <= previous_end:
                errors[index] = {"starts_on": ["This half term starts before the one before it ends."]}
            previous_end = half["ends_on"]
        if errors:
            raise ValidationError({"halves": errors})
        wrong = [f"{day:%d/%m/%Y} is a {day:%A}." if day.weekday() >= 5
                 else f"{day:%d/%m/%Y} is not inside this year's half terms."
                 for day in sorted(set(data["inset_days"] or ()))
                 if day.weekday() >= 5 or not any(h["starts_on"] <= day <= h["ends_on"] for h in halves)]
        if wrong:
            raise ValidationError(wrong, "inset_days")
