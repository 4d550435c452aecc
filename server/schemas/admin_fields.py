"""Field helpers shared by the school-administration schemas (admin_*.py).

The JSON API and the office forms load through the same schemas, so the messages here are
written for the person at the form: "This is required.", not "Missing data for required field.".
Text is trimmed on the way in, and optional text that is blank is stored as nothing (None):
`optional_text` is in base.py, the one definition every schema uses.
"""
import re
from datetime import date

from marshmallow import ValidationError, fields, validate

from server.dates import school_today
from server.schemas.base import StrictSchema, trim, trim_to_none

REQUIRED = {"required": "This is required.", "null": "This is required."}
PHONE_PATTERN = re.compile(r"^\+?[0-9 ()\-]{6,40}$")


def required_text(max_length, **kwargs):
    return fields.String(required=True, pre_load=[trim], error_messages=REQUIRED, validate=[
        validate.Length(min=1, error="This is required."),
        validate.Length(max=max_length, error="Use at most {max} characters.")], **kwargs)


def _check_phone(value):
    if not PHONE_PATTERN.match(value) or sum(ch.isdigit() for ch in value) < 6:
        raise ValidationError("Enter a phone number: digits, spaces and + ( ) - only.")


def required_phone(**kwargs):
    return fields.String(required=True, pre_load=[trim], error_messages=REQUIRED,
                         validate=[validate.Length(min=1, error="This is required."), _check_phone], **kwargs)


def optional_phone(**kwargs):
    return fields.String(load_default=None, allow_none=True, pre_load=[trim_to_none], validate=_check_phone,
                         **kwargs)


def optional_email(**kwargs):
    return fields.Email(load_default=None, allow_none=True, pre_load=[trim_to_none],
                        error_messages={"invalid": "Enter an email address like name@school.example."},
                        validate=validate.Length(max=254), **kwargs)


def optional_url(**kwargs):
    return fields.Url(load_default=None, allow_none=True, pre_load=[trim_to_none], schemes={"http", "https"},
                      error_messages={"invalid": "Enter a web address starting https://"},
                      validate=validate.Length(max=500), **kwargs)


ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
UK_DATE = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})$")


class UkDate(fields.Date):
    """A date written the ISO way (2026-09-03, as browsers and the API send it) or the British way
    (03/09/2026, as a school's MIS exports it). Never the American way: 09/03 is 9 March."""

    default_error_messages = {"invalid": "Enter a date as dd/mm/yyyy or yyyy-mm-dd.",
                              "short_year": "Write the year in full: dd/mm/yyyy.",
                              "not_real": "{value} is not a real date."}

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, date):
            return value
        if not isinstance(value, str):
            raise self.make_error("invalid")
        iso, uk = ISO_DATE.match(value), UK_DATE.match(value)
        if iso:
            year, month, day = (int(part) for part in iso.groups())
        elif uk:
            if len(uk.group(3)) == 2:
                raise self.make_error("short_year")
            day, month, year = (int(part) for part in uk.groups())
        else:
            raise self.make_error("invalid")
        try:
            return date(year, month, day)
        except ValueError:
            raise self.make_error("not_real", value=value) from None


def required_date(**kwargs):
    return UkDate(required=True, error_messages=REQUIRED, pre_load=[trim], **kwargs)


def optional_date(**kwargs):
    return UkDate(load_default=None, allow_none=True, pre_load=[trim_to_none], **kwargs)


def _flag_text(value):
    """Yes/No/Y/N/1/0/TRUE/FALSE in any case; blank means no."""
    if isinstance(value, str):
        value = value.strip().lower()
        return False if value == "" else value
    return value


# How forms, the API and MIS exports write yes and no (compared lower-case).
YES_WORDS = frozenset({"yes", "y", "true", "t", "1", "on"})
NO_WORDS = frozenset({"no", "n", "false", "f", "0", "off"})


def is_yes_no(text):
    """True for a Yes/No answer however it is written: an MIS column of these is a flag."""
    return isinstance(text, str) and text.strip().lower() in YES_WORDS | NO_WORDS


def flag(**kwargs):
    return fields.Boolean(load_default=False, pre_load=[_flag_text], truthy=YES_WORDS | {1}, falsy=NO_WORDS | {0},
                          error_messages={"invalid": "Write Yes or No."}, **kwargs)


def not_yes_no(value):
    """A name or phone field holding "Yes" is a Yes/No column put in the wrong place."""
    if is_yes_no(value):
        raise ValidationError(f"“{value}” is a Yes/No answer, not a name.")


def not_in_future(value):
    if value is not None and value > school_today():
        raise ValidationError("This date is in the future: record it once it has happened.")


WHOLE_NUMBER = re.compile(r"^-?\d{1,9}$")


def _whole_number_text(value):
    """"12" from a form box is 12; 1.5 or "1.5" stays as it is, for the check to refuse."""
    if isinstance(value, str):
        value = value.strip()
        return int(value) if WHOLE_NUMBER.match(value) else value
    return value


def whole_number(**kwargs):
    """An integer, never a rounded fraction: 1.5 pupils is a mistake to point out, not 1."""
    messages = {"invalid": "Enter a whole number.", **kwargs.pop("error_messages", {})}
    pre_load = [_whole_number_text, *kwargs.pop("pre_load", [])]
    return fields.Integer(strict=True, pre_load=pre_load, error_messages=messages, **kwargs)


def one_of(choices, labels=None, **kwargs):
    """A code from a fixed vocabulary; the message lists the labels people see."""
    shown = ", ".join((labels or {}).get(code, code) for code in choices)
    return fields.String(error_messages=REQUIRED, pre_load=[trim], validate=validate.OneOf(
        choices, error=f"Choose one of: {shown}."), **kwargs)


class AdminSchema(StrictSchema):
    """Base for the school-administration schemas."""
