"""The base every schema uses: unknown fields are refused, never silently dropped."""
from marshmallow import RAISE, Schema, ValidationError, fields, validate

# The largest number an integer column holds (PostgreSQL's `integer`); a larger one must be
# refused at the wire, not by the database.
COLUMN_INT_MAX = 2**31 - 1
# The years a school's calendar (term dates, registers) may name; outside them a date is a
# typing slip or a probe, and date arithmetic near year 9999 overflows.
CALENDAR_YEARS = range(2000, 2101)


class StrictSchema(Schema):
    class Meta:
        unknown = RAISE
        ordered = True


def calendar_date(**kwargs):
    """A date within CALENDAR_YEARS."""
    return fields.Date(validate=_in_calendar, **kwargs)


def _in_calendar(day):
    if day.year not in CALENDAR_YEARS:
        raise ValidationError(f"Choose a date from {CALENDAR_YEARS.start} to {CALENDAR_YEARS.stop - 1}.")


def text(max_length, **kwargs):
    """A trimmed-length string field; `required` and `allow_none` pass through."""
    return fields.String(validate=validate.Length(max=max_length), **kwargs)


def trim(value):
    return value.strip() if isinstance(value, str) else value


def trim_to_none(value):
    value = trim(value)
    return None if value == "" else value


def optional_text(max_length, keep_as_sent=False, **kwargs):
    """A string that may be absent or null. Trimmed, and blank is stored as nothing (None), unless
    `keep_as_sent` (a visit's words stay exactly as the phone sent them)."""
    return fields.String(load_default=None, allow_none=True, pre_load=[] if keep_as_sent else [trim_to_none],
                         validate=validate.Length(max=max_length, error="Use at most {max} characters."), **kwargs)


def non_empty_text(max_length, **kwargs):
    return fields.String(validate=validate.Length(min=1, max=max_length), **kwargs)


def written_text(max_length, **kwargs):
    """Text with something written in it: spaces alone are refused, as the phone refuses them
    (str.strip and JavaScript's trim() agree on what a space is for the text people type)."""
    return fields.String(validate=[validate.Length(max=max_length), _not_blank], **kwargs)


def _not_blank(value):
    if not value.strip():
        raise ValidationError("Write something here: spaces alone are not an answer.")


class ErrorSchema(StrictSchema):
    code = fields.String(required=True, metadata={"description": "Stable code from the error catalog."})
    message = fields.String(required=True)
    details = fields.Dict(required=True)
