"""The base every schema uses: unknown fields are refused, never silently dropped."""
from marshmallow import RAISE, Schema, fields, validate


class StrictSchema(Schema):
    class Meta:
        unknown = RAISE
        ordered = True


def text(max_length, **kwargs):
    """A trimmed-length string field; `required` and `allow_none` pass through."""
    return fields.String(validate=validate.Length(max=max_length), **kwargs)


def optional_text(max_length):
    """A string that may be absent or null."""
    return fields.String(validate=validate.Length(max=max_length), load_default=None, allow_none=True)


def non_empty_text(max_length, **kwargs):
    return fields.String(validate=validate.Length(min=1, max=max_length), **kwargs)


class ErrorSchema(StrictSchema):
    code = fields.String(required=True, metadata={"description": "Stable code from the error catalog."})
    message = fields.String(required=True)
    details = fields.Dict(required=True)
