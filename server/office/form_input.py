"""Taking a posted office form: read it through a marshmallow schema, ask the service, and either
commit once and move on, or roll back and show the page again with the messages beside the boxes.
`submit()` owns that ladder; the views say only what to load, what to save and what to show.

Two ways to read a form:
- `read_form(schema)`: the boxes as typed (the record, review and concern pages, whose schemas are
  the office's own); unknown fields are refused (StrictSchema). The CSRF field belongs to
  Flask-WTF, which checked it already.
- `load_form(schema)`: the form turned into the JSON-shaped dict the administration schemas
  share with the JSON API (`form_payload()`):
  - a checkbox is a boolean (present = true), since a browser leaves unticked boxes out;
  - an empty box is null, so optional fields clear and required ones say "This is required.";
  - repeated names (`sessions`) are lists; `reports-0-url` style names are lists of rows, and a
    row left completely blank is dropped (a key contact's role, which the page fills in, does
    not count); `mapping-first_name` style names are a dict.

Two shapes of messages, for the two families of templates: `form_errors()` ({field: text},
"form" for the whole form) and `error_messages()` ({field: [text, ...]}, "_schema" for the whole
form). A `Refused` from a service becomes a message like any other (server/services/refusal.py).

Also the access helpers the administration pages share.
"""
import re
from dataclasses import dataclass

from flask import abort, flash, redirect, request
from marshmallow import ValidationError, fields

from server.errors import message_of, status_of
from server.extensions import db
from server.office.access import may
from server.services.refusal import Refused

_ROW_KEY = re.compile(r"^(?P<index>\d+)-(?P<name>.+)$")
# Row fields the page fills in itself (a key contact's role, an evidence row's kept file): a row with
# nothing else in it was left blank.
_ROW_IDENTITY = ("role", "file")


@dataclass
class FormRefusal:
    """What a refused form shows: the messages (in the shape the page asked for), the HTTP status
    and the catalog code (None for what marshmallow refused)."""
    errors: dict
    status: int
    code: str = None


def submit(schema, save, refuse, done=None, message=None, admin=False, read=None, page=None, keep_refused=False):
    """Take the posted form.

    - `schema`: what reads the form: read_form, or load_form for the administration schemas the
      JSON API shares (`admin=True`), or `read(schema)` when the page gathers its own boxes; None
      reads nothing and `save` gets None.
    - `save(data)`: asks the service; a ValidationError or a Refused means nothing is kept.
    - `refuse(FormRefusal)`: the page again, after the rollback; the messages are shaped by
      form_errors, or error_messages with `admin=True`.
    - `done`: where to go after the one commit: a URL, or a function of what `save` returned
      that gives one.
    - `message`: flashed after the commit: text, or a function of what `save` returned.
    - `page`: instead of going elsewhere, the page to show: a function of what `save` returned.
    - `keep_refused`: a refusal still commits what the service did before saying no (a code that
      was checked is used up, right or wrong), instead of rolling it back.
    """
    read = read or (load_form if admin else read_form)
    try:
        result = save(read(schema) if schema is not None else None)
    except (ValidationError, Refused) as error:
        if keep_refused:
            db.session.commit()
        else:
            db.session.rollback()
        return refuse(refusal_of(error, error_messages if admin else form_errors))
    db.session.commit()
    text = message(result) if callable(message) else message
    if text:
        flash(text)
    if page is not None:
        return page(result)
    return redirect(done(result) if callable(done) else done)


def saved(changes):
    """The message after an edit: whether the service changed anything."""
    return "Saved." if changes else "Nothing was changed."


def refusal_of(error, messages=None):
    """The FormRefusal for a ValidationError (422) or a Refused (its own status and code)."""
    shown = (messages or form_errors)(error)
    if isinstance(error, Refused):
        return FormRefusal(shown, status_of(error), error.code)
    return FormRefusal(shown, 422)


def read_form(schema):
    """The posted form, loaded by `schema` (unknown fields are refused: StrictSchema)."""
    return schema.load({key: value for key, value in request.form.items() if key != "csrf_token"})


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


def form_errors(error):
    """{field: text} for a ValidationError or a Refused; "form" for the form as a whole."""
    if isinstance(error, Refused) and not _by_field(error):
        return {error.field or "form": message_of(error)}
    return {field: " ".join(_flatten(message)) for field, message in error_messages(error).items()}


def error_messages(error):
    """marshmallow's messages as they are (rows keep their nesting), or a Refused's message, for
    the administration templates; whole-form messages under "_schema"."""
    if isinstance(error, Refused):
        return error.details if _by_field(error) else {error.field or "_schema": [message_of(error)]}
    if isinstance(error, ValidationError):
        return error.messages if isinstance(error.messages, dict) else {"_schema": error.messages}
    raise TypeError(error)


def _by_field(refused):
    """A refusal about several fields at once carries marshmallow's {field: [message]} as details."""
    return refused.code == "validation_failed" and refused.field is None and isinstance(refused.details, dict)


def _flatten(message):
    if isinstance(message, (list, tuple)):
        return [text for part in message for text in _flatten(part)]
    if isinstance(message, dict):
        return [text for part in message.values() for text in _flatten(part)]
    return [str(message)]


def can_manage():
    return may("school.administer")


def refuse_unless_manager():
    """Readers (trust leads, DSLs) see the pages; only those who run the school's AP change them."""
    if not can_manage():
        abort(403)
