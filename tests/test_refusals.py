"""One way to say no: every service refusal is a `Refused` with a code from the catalog; the
JSON API answers it with that code and the catalog's status, and the office shows its message
beside the form, having kept nothing."""
import ast
from pathlib import Path

import pytest
import sqlalchemy as sa
from marshmallow import ValidationError

from server.errors import CATALOG
from server.extensions import db
from server.models import AuditEvent
from server.office.form_input import error_messages, form_errors, submit
from server.services import audit, evidence_files, photos, pupil_import
from server.services.accounts import authenticate
from server.services.refusal import Refused

SERVER = Path(__file__).resolve().parent.parent / "server"
SERVICES = SERVER / "services"


def _modules(folder):
    return [(path, ast.parse(path.read_text(encoding="utf-8"))) for path in sorted(folder.rglob("*.py"))]


def _refusal_calls(folder):
    """(file, line, code) for every Refused(...) and ApiError(...) raised with a literal code."""
    for path, tree in _modules(folder):
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id in ("Refused", "ApiError") and node.args
                    and isinstance(node.args[0], ast.Constant)):
                yield path.relative_to(SERVER.parent), node.lineno, node.args[0].value


# Faults, not answers to a request: a broken form definition shipped with the server, a mail
# server that did not take a message. Nobody is told "no" by them.
FAULTS = {"FormDefinitionError", "MailError"}
SERVICE_CODES = sorted({code for _, _, code in _refusal_calls(SERVICES)})


def test_services_say_no_only_with_refused_and_read_no_request():
    found = []
    for path, tree in _modules(SERVICES):
        name = path.relative_to(SERVER.parent)
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef) and node.name not in FAULTS | {"Refused"} and any(
                    isinstance(base, ast.Name) and base.id in ("Exception", "ValueError", "Refused")
                    for base in node.bases):
                found.append(f"{name}:{node.lineno} defines its own refusal {node.name}")
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) and getattr(
                    node.exc.func, "id", None) in ("ValidationError", "ApiError"):
                found.append(f"{name}:{node.lineno} raises {node.exc.func.id}")
            if isinstance(node, ast.ImportFrom):
                imported = {alias.name for alias in node.names}
                if node.module == "server.errors" or (node.module == "server" and "errors" in imported):
                    found.append(f"{name}:{node.lineno} imports the HTTP error module")
                if node.module == "flask" and imported & {"request", "has_request_context", "g", "session"}:
                    found.append(f"{name}:{node.lineno} reads Flask's request globals")
                if node.module == "flask_login":
                    found.append(f"{name}:{node.lineno} reads current_user")
    assert not found, "\n".join(found)


def test_every_code_a_refusal_names_is_in_the_catalog():
    unknown = [f"{name}:{line} {code}" for name, line, code in _refusal_calls(SERVER) if code not in CATALOG]
    assert not unknown, "Refused(code, message, ...): the code first, from server/errors.py CATALOG\n" + "\n".join(
        unknown)


@pytest.mark.parametrize("code", SERVICE_CODES)
def test_each_service_refusal_answers_the_api_with_its_code_and_status(app, code):
    with app.test_request_context("/api/anything", method="POST"):
        response = app.make_response(app.handle_user_exception(Refused(code, "Put this right.", field="box")))
    assert response.status_code == CATALOG[code][0]
    assert response.get_json() == {"code": code, "message": "Put this right.", "details": {"box": ["Put this right."]}}


def test_a_refusal_without_words_or_details_answers_with_the_catalogs(app):
    with app.test_request_context("/api/anything", method="POST"):
        response = app.make_response(app.handle_user_exception(Refused("photo_not_in_manifest")))
    assert response.status_code == 404
    assert response.get_json() == {"code": "photo_not_in_manifest", "message": CATALOG["photo_not_in_manifest"][1],
                                   "details": {}}


def _refusal(call):
    with pytest.raises(Refused) as refused:
        call()
    return refused.value


def test_the_services_that_had_their_own_refusals_raise_refused_with_their_codes(app, demo):
    cases = [
        (lambda: authenticate(demo.email("dsl"), "wrong password", 5, 15), "bad_credentials", 401),
        (lambda: photos.process_photo(b"not a picture", max_pixels=10_000, long_edge=100), "photo_not_an_image", 422),
        (lambda: pupil_import.read_csv(b"\x00\x01binary"), "validation_failed", 422),
        (lambda: evidence_files.check(b"", 1000, 1000), "document_refused", 422),
        (lambda: evidence_files.check(b"x" * 2000, 1000, 1000), "document_too_large", 413),
    ]
    for call, code, status in cases:
        refused = _refusal(call)
        db.session.rollback()
        with app.test_request_context("/api/anything", method="POST"):
            response = app.make_response(app.handle_user_exception(refused))
        assert (refused.code, response.status_code, response.get_json()["code"]) == (code, status, code)
    unreadable = _refusal(lambda: pupil_import.read_csv(b"\x00\x01binary"))
    assert unreadable.field == "csv_text" and "not a CSV file" in unreadable.message


def _audit_count():
    return db.session.execute(sa.select(sa.func.count()).select_from(AuditEvent)).scalar_one()


def _post(app, data):
    return app.test_request_context("/office/anything", method="POST", data=data)


def test_an_office_form_shows_a_refusal_as_its_message_and_keeps_nothing(app, demo):
    school = demo.school()
    before = _audit_count()
    shown = []

    def save(data):
        audit.record("refusal.test", school, actor=demo.user("dsl"))  # written, then refused
        db.session.flush()
        raise Refused("already_done", "This is done already.", field="note")

    with _post(app, {"note": "hello"}):
        submit(None, save, shown.append, "/office/")
    refusal, = shown
    assert (refusal.errors, refusal.status, refusal.code) == ({"note": "This is done already."}, 422, "already_done")
    assert _audit_count() == before, "a refused form keeps nothing"

    with _post(app, {}):
        submit(None, lambda _: (_ for _ in ()).throw(Refused("own_visit")), shown.append, "/office/", admin=True)
    assert shown[-1].errors == {"_schema": [CATALOG["own_visit"][1]]}, "without words, the catalog's"


def test_an_office_form_commits_once_flashes_and_moves_on(app, demo):
    school = demo.school()
    before = _audit_count()
    with _post(app, {}):
        response = submit(None, lambda _: audit.record("submit.test", school, actor=demo.user("dsl")),
                          lambda refusal: pytest.fail(refusal.errors), "/office/next", "Saved.")
        from flask import get_flashed_messages
        assert get_flashed_messages() == ["Saved."]
    assert (response.status_code, response.location) == (302, "/office/next")
    db.session.rollback()
    assert _audit_count() == before + 1, "committed"


def test_the_two_shapes_of_form_messages_agree_on_what_a_refusal_says():
    several = Refused("validation_failed", details={"sessions": ["Choose a session."], "kind": ["Choose one."]})
    assert error_messages(several) == {"sessions": ["Choose a session."], "kind": ["Choose one."]}
    assert form_errors(several) == {"sessions": "Choose a session.", "kind": "Choose one."}
    typed = ValidationError({"name": ["This is required."]})
    assert form_errors(typed) == {"name": "This is required."} and error_messages(typed) == {
        "name": ["This is required."]}
    whole = Refused("check_not_rated", "No rating.")
    assert form_errors(whole) == {"form": "No rating."} and error_messages(whole) == {"_schema": ["No rating."]}
