"""Reading an office form through a marshmallow schema, and turning a refusal into the
messages shown beside the form. The CSRF field belongs to Flask-WTF, which checked it already."""
from flask import request
from marshmallow import ValidationError

from server.services.refusal import Refused


def read_form(schema):
    """The posted form, loaded by `schema` (unknown fields are refused: StrictSchema)."""
    return schema.load({key: value for key, value in request.form.items() if key != "csrf_token"})


def form_errors(error):
    """{field: message} for a ValidationError or a Refused; "form" for the form as a whole."""
    if isinstance(error, Refused):
        return {error.field or "form": error.message}
    if isinstance(error, ValidationError):
        messages = error.normalized_messages()
        return {field: " ".join(_flatten(message)) for field, message in messages.items()}
    raise TypeError(error)


def _flatten(message):
    if isinstance(message, (list, tuple)):
        return [text for part in message for text in _flatten(part)]
    if isinstance(message, dict):
        return [text for part in message.values() for text in _flatten(part)]
    return [str(message)]
