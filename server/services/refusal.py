"""The one way a service says no. Every rule that turns a request down raises `Refused`; nothing
is saved, and the caller rolls back.

- `code` is a stable code from the catalog in server/errors.py ("conflict", "bad_credentials",
  "validation_failed", ...); tests assert it, never the wording.
- `message` is written for the person who asked; without one, the catalog's message is used.
- `field` names the form field or payload key the message belongs to, when there is one.
- `details` is what a client needs to put things right (JSON); without it, a refusal with a
  field has `{field: [message]}`, the shape marshmallow gives.
- `status` overrides the catalog's HTTP status; almost nothing needs it.

The JSON API answers a Refused with the error body (server/errors.py); the office shows its
message beside the form (server/office/form_input.py). Services never import the HTTP error
module and never read Flask's request or current_user: the caller passes the person in.
"""


class Refused(Exception):
    def __init__(self, code, message=None, field=None, details=None, status=None):
        super().__init__(message or code)
        self.code = code
        self.message = message
        self.field = field
        self.details = details
        self.status = status

    def __str__(self):
        return self.message or self.code
