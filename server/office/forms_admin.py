"""Office forms for school administration load through the same marshmallow schemas as the JSON
API. `form_payload()` turns a posted HTML form into the JSON-shaped dict those schemas expect:

- a checkbox is a boolean (present = true), since a browser leaves unticked boxes out;
- an empty box is null, so optional fields clear and required ones say "This is required.";
- repeated names (`sessions`) are lists; `reports-0-url` style names are lists of rows, and a
  row left completely blank is dropped (a key contact's role, which the page fills in, does
  not count); `mapping-first_name` style names are a dict.

Also the access helpers the administration pages share.
"""
import re

from flask import abort, request
from marshmallow import fields

from server.office.access import may

_ROW_KEY = re.compile(r"^(?P<index>\d+)-(?P<name>.+)$")
# Row fields the page fills in itself (a key contact's role, an evidence row's kept file): a row with
# nothing else in it was left blank.
_ROW_IDENTITY = ("role", "file")


def load_form(schema, form=None):
    """The posted form, validated by `schema`: the loaded data, or ValidationError."""
    return schema.load(form_payload(schema, form if form is not None else request.form))


def form_payload(schema, form, prefix=""):
    payload = {}
    for name, field in schema.load_fields.items():
        key = prefix + (field.data_key or name)
        if isinstance(field, fields.Boolean):
            payload[name] = form.get(key, "") not in ("", "0", "off", "false")
        elif isinstance(field, fields.List) and isinstance(field.inner, fields.Nested):
            payload[name] = _rows(field.inner.schema, form, key)
        elif isinstance(field, fields.List):
            payload[name] = [value.strip() for value in form.getlist(key) if value.strip()]
        elif isinstance(field, fields.Dict):
            payload[name] = {k[len(key) + 1:]: v.strip() for k, v in form.items()
                             if k.startswith(key + "-") and v.strip()}
        elif key in form:
            value = form.get(key, "").strip()
            payload[name] = value if value else None
    return payload


def _rows(schema, form, key):
    indexes = sorted({int(match["index"]) for k in form
                      if k.startswith(key + "-") and (match := _ROW_KEY.match(k[len(key) + 1:]))})
    rows = [form_payload(schema, form, prefix=f"{key}-{index}-") for index in indexes]
    return [row for row in rows if any(value not in (None, False, [], {})
                                       for name, value in row.items() if name not in _ROW_IDENTITY)]


def error_messages(error):
    """marshmallow's messages for the templates, with whole-form messages under "_schema"."""
    messages = error.messages if isinstance(error.messages, dict) else {"_schema": error.messages}
    return messages


def can_manage():
    return may("school.administer")


def refuse_unless_manager():
    """Readers (trust leads, DSLs) see the pages; only those who run the school's AP change them."""
    if not can_manage():
        abort(403)

