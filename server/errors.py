"""One error shape, `{"code", "message", "details"}`, and the catalog of every code.

Services refuse with `server.services.refusal.Refused("code", message, field=..., details=...)`;
the HTTP layer's own checks (wire, input guard) raise `ApiError`, the same refusal written the
way views call it. Both answer with the same body; tests assert the code, never the wording.
Anything else that escapes becomes `internal_error` with no detail leaked.
"""
from flask import jsonify, request
from flask_wtf.csrf import CSRFError
from limits.errors import StorageError
from marshmallow import ValidationError
from sqlalchemy.exc import InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException

from server.services.refusal import Refused

# Seconds a client is asked to wait before retrying while the database is unreachable.
DATABASE_RETRY_AFTER = "30"

CATALOG = {
    # code: (HTTP status, message shown to people)
    "malformed_json": (400, "The request body is not valid JSON."),
    # gunicorn's own answer to a request line or headers it cannot read (server/gunicorn_conf.py).
    "malformed_request": (400, "The server could not read the request."),
    "json_too_deep": (400, "The JSON body is nested too deeply."),
    "invalid_characters": (400, "The request holds characters that cannot be stored (NUL or a broken UTF-16 pair)."),
    "validation_failed": (422, "Some fields are missing or wrong; see details."),
    "form_answers_invalid": (422, "The visit's answers do not satisfy its form; see details."),
    "visit_date_in_future": (422, "The visit is dated after today in England. Check the visit's date."),
    "unknown_form": (422, "That form or form version is not known to the server."),
    # Which visits a member of staff may send: services/bootstrap.py, refusal_to_send().
    "placement_not_assigned": (422, "You are not assigned to visit this placement. Ask the AP leader to assign "
                                    "you, then send the visit again."),
    "placement_ended_before_visit": (422, "The placement ended before the visit's date. Check the visit's date "
                                          "and placement."),
    "csrf_failed": (403, "The security token is missing or out of date. Reload and try again."),
    "not_signed_in": (401, "Sign in to continue."),
    # A locked account gets this answer too, so a guesser cannot tell a lock from a miss.
    "bad_credentials": (401, "That email and password do not match an active account, or too many "
                             "sign-ins have failed: wait a few minutes and try again."),
    # A wrong, used or late code, or a locked account: one answer, like bad_credentials.
    "second_factor_refused": (401, "That code is not right or has been used, or too many sign-ins have "
                                   "failed. Enter the newest code from your authenticator app, or a "
                                   "recovery code."),
    "no_passkey": (409, "This account has no passkey. Enter the code from your authenticator app instead."),
    "second_factor_expired": (401, "Signing in took too long. Enter your email and password again."),
    "rate_limited": (429, "Too many requests. Wait a moment and try again."),
    "rate_limit_unavailable": (503, "Signing in is unavailable for a moment. Try again in a few minutes."),
    "forbidden": (403, "Your role does not allow this."),
    "not_found": (404, "Not found."),
    "method_not_allowed": (405, "That method is not allowed here."),
    "conflict": (409, "This record already exists with different content."),
    "visit_version_conflict": (409, "The visit on the server has changed; start from its current version."),
    "body_too_large": (413, "The request body is too large."),
    "unsupported_media_type": (415, "That content type is not accepted here."),
    "photo_hash_mismatch": (422, "The photo's bytes do not match its declared SHA-256."),
    "photo_not_an_image": (422, "The photo could not be read as an image."),
    "photo_format_refused": (415, "Only JPEG, PNG and WebP photos are accepted."),
    "photo_too_many_pixels": (422, "The photo has too many pixels."),
    "photo_not_in_manifest": (404, "That photo is not in the visit's manifest."),
    "upload_offset_mismatch": (409, "The server holds a different number of this photo's bytes; "
                                     "continue from details.received."),
    "upload_beyond_size": (422, "Those bytes go past the photo's size in the manifest."),
    "upload_interrupted": (400, "The body ended before its Content-Length; ask how much arrived and continue."),
    "length_required": (411, "Send a Content-Length with the bytes."),
    "document_refused": (422, "Only PDF, JPEG and PNG files without scripts or hidden content are kept."),
    "document_too_large": (413, "The file is larger than the evidence size limit."),
    "school_exists": (409, "A school with this URN already exists with different details; see details."),
    "unknown_trust": (422, "No trust has that name. Check its spelling, or ask for it to be made (--new-trust)."),
    "placement_not_ready": (422, "The placement cannot start yet; see details for what is missing."),
    # Refusals the office shows beside a form; each carries its own message for the person at the desk.
    "already_done": (422, "This has been done already."),
    "visit_changed_while_reading": (422, "A newer version of the visit arrived; look at it before deciding."),
    "own_visit": (422, "Someone other than the visit's author signs it off."),
    "photos_missing": (422, "Some of the visit's photos have not arrived yet."),
    "check_not_rated": (422, "The check has no overall risk rating."),
    "nothing_to_mitigate": (422, "The current risk assessment has no findings awaiting mitigation."),
    "assessment_not_valid": (422, "The risk assessment cannot count: a new in-person check is needed."),
    "no_risk_assessment": (422, "There is no risk assessment yet: a pre-placement check is needed first."),
    "register_day_in_future": (422, "Attendance cannot be recorded for a day that has not happened yet."),
    "database_unavailable": (503, "The server cannot reach its database just now. Nothing was saved; try again later."),
    "internal_error": (500, "Something went wrong on the server. Nothing was saved."),
}


class ApiError(Refused):
    """A Refused raised by the HTTP layer itself; it takes details second, as views write it."""

    def __init__(self, code, details=None, message=None, status=None):
        default_status, default_message = CATALOG[code]
        super().__init__(code, message=message or default_message, details=details or {},
                         status=status or default_status)

    def to_response(self, headers=None):
        return refusal_response(self, headers)


def status_of(refused):
    """The HTTP status a refusal answers: its own, else its code's in the catalog (422 for a code
    the catalog does not hold)."""
    return refused.status or CATALOG.get(refused.code, (422, None))[0]


def message_of(refused):
    """The words a person sees: the refusal's own, else its code's in the catalog."""
    return refused.message or CATALOG.get(refused.code, (None, refused.code))[1]


def details_of(refused):
    """What a client needs to put things right; without details, a refusal that names a field
    has `{field: [message]}`, and a validation_failed about the whole request `{"_schema":
    [message]}`: the shapes marshmallow's messages have."""
    if refused.details is not None:
        return refused.details
    if refused.field:
        return {refused.field: [message_of(refused)]}
    return {"_schema": [message_of(refused)]} if refused.code == "validation_failed" and refused.message else {}


def refusal_response(refused, headers=None):
    response = jsonify(code=refused.code, message=message_of(refused), details=details_of(refused))
    response.status_code = status_of(refused)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


HTTP_STATUS_CODES = {400: "malformed_json", 401: "not_signed_in", 403: "forbidden", 404: "not_found",
                     405: "method_not_allowed", 413: "body_too_large", 415: "unsupported_media_type",
                     429: "rate_limited"}


def wants_json():
    return request.path.startswith("/api/") or request.path in ("/healthz", "/readyz") or request.is_json


def init_app(app):
    from server.extensions import db

    @app.errorhandler(Refused)
    def handle_refused(error):
        db.session.rollback()
        return refusal_response(error)

    @app.errorhandler(ValidationError)
    def handle_validation_error(error):
        db.session.rollback()
        return ApiError("validation_failed", details=error.normalized_messages()).to_response()

    @app.errorhandler(CSRFError)
    def handle_csrf_error(error):
        db.session.rollback()
        return _catalog_answer("csrf_failed")

    @app.errorhandler(StorageError)
    def handle_rate_limit_storage_error(error):
        # Failing closed: without its counters (Redis) the server cannot limit guessing, so
        # sign-in is refused until they are back rather than left unlimited.
        db.session.rollback()
        app.logger.error("rate-limit storage unavailable: %s", error.storage_error)
        return _catalog_answer("rate_limit_unavailable")

    @app.errorhandler(HTTPException)
    def handle_http_exception(error):
        db.session.rollback()
        if not wants_json():
            return _html_error(error.code, error.description)
        code = HTTP_STATUS_CODES.get(error.code)
        if code is None:
            return ApiError("internal_error", status=error.code, message=error.name).to_response()
        headers = {"Retry-After": error.retry_after} if getattr(error, "retry_after", None) else {}
        return ApiError(code, status=error.code).to_response(headers)

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def handle_database_unavailable(error):
        # The connection failed or was lost: a 503 asks a phone to back off and try again,
        # where a 500 would look like a fault in the visit itself.
        _rollback_quietly()
        app.logger.error("database unavailable on %s %s: %s", request.method, request.path, error)
        return _catalog_answer("database_unavailable", {"Retry-After": DATABASE_RETRY_AFTER})

    @app.errorhandler(Exception)
    def handle_unexpected(error):
        db.session.rollback()
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        return _catalog_answer("internal_error")


def _catalog_answer(code, headers=None):
    """`code`'s status and words from the catalog: the error body for the API and the phone, a
    page for a browser."""
    if not wants_json():
        page, status = _html_error(*CATALOG[code])
        return page, status, headers or {}
    return ApiError(code).to_response(headers)


def _rollback_quietly():
    """Roll back a session whose connection may be gone: with no connection there is nothing
    to roll back, and the error page must still be sent."""
    from server.extensions import db
    try:
        db.session.rollback()
    except (InterfaceError, OperationalError):
        db.session.close()


def _html_error(status, message):
    # Rendered straight from the template, without Flask's context processors: Flask-Login's
    # would load the signed-in user, which needs the database this page may be reporting lost.
    from flask import current_app
    return current_app.jinja_env.get_template("error.html").render(status=status, message=message), status
