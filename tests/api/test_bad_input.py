"""Bad input to every write route gets a 4xx with the error shape and changes nothing:
malformed JSON, the wrong content type, wrong types, unknown fields (including ones that try to
choose a school, a role or an id) and oversized bodies. Never a 500."""
import json
import uuid

import pytest
import sqlalchemy as sa

from server.extensions import db
from tests import payloads
from tests.api.test_access_matrix import api_routes
from tests.conftest import bad_json_bodies
from tests.office_admin.admin_routes import API_ROUTES as ADMIN_API_ROUTES

WRONG_TYPES = [5, "text", [], {}, True, None, 1.5]


def visit_body(demo):
    return payloads.qa_visit(demo.placements()[0].uuid, photos=[payloads.manifest_entry(payloads.jpeg_bytes())],
                             actions=[payloads.action()], concern=payloads.concern())


# (method, rule) → (path builder, valid JSON body builder)
JSON_WRITE_ROUTES = {
    ("POST", "/api/session"): (lambda: "/api/session",
                               lambda demo: {"email": demo.email("ap_leader"), "password": "demo-password-2026"}),
    ("POST", "/api/session/second-factor"): (lambda: "/api/session/second-factor",
                                             lambda demo: {"pending_token": "not-a-pending-step", "code": "123456"}),
    ("POST", "/api/session/passkey/options"): (lambda: "/api/session/passkey/options",
                                               lambda demo: {"pending_token": "not-a-pending-step"}),
    ("POST", "/api/session/passkey"): (lambda: "/api/session/passkey",
                                       lambda demo: {"pending_token": "not-a-pending-step",
                                                     "credential": {"id": "AAAA", "type": "public-key"}}),
    ("PUT", "/api/visits/<uuid:visit_id>"): (lambda: f"/api/visits/{uuid.uuid4()}", visit_body),
    ("POST", "/api/visits/discarded"): (lambda: "/api/visits/discarded",
                                        lambda demo: {"visit_ids": [str(uuid.uuid4())],
                                                      "confirmed_at": payloads.phone_clock_now()}),
}
# Routes whose body is not JSON, or that take none, are tested elsewhere (test_sync_photos.py,
# test_resumable_photos.py); bad input to the school set-up routes is tested in
# tests/office_admin/test_admin_bad_input.py.
OTHER_WRITE_ROUTES = ({("PUT", "/api/visits/<uuid:visit_id>/photos/<uuid:photo_id>"),
                       ("PUT", "/api/visits/<uuid:visit_id>/photos/<uuid:photo_id>/upload"), ("DELETE", "/api/session")}
                      | {route for route in ADMIN_API_ROUTES if route[0] != "GET"})


def table_counts():
    db.session.rollback()
    counts = {}
    for table in db.metadata.sorted_tables:
        if table.name in ("audit_event", "user_session"):
            continue  # sign-in writes these by design; checked by the sign-in tests
        counts[table.name] = db.session.execute(sa.select(sa.func.count()).select_from(table)).scalar()
    return counts


def test_every_write_route_is_covered(app):
    writes = {(m, p) for m, p in api_routes(app) if m in ("POST", "PUT", "PATCH", "DELETE")}
    missing = writes - set(JSON_WRITE_ROUTES) - OTHER_WRITE_ROUTES
    assert not missing, f"add bad-input cases for {sorted(missing)}"


def wrong_types(field, value):
    """Values of the wrong type for a field whose valid value is `value`."""
    for wrong in WRONG_TYPES:
        if type(wrong) is type(value) or (field == "base_version" and wrong in (None, 5)):
            continue  # any version number may be named; a new visit simply becomes version 1
        if isinstance(value, str) and isinstance(wrong, str):
            continue
        yield wrong


def mutations(body):
    """(name, raw request body) pairs, each of which must be refused."""
    yield from bad_json_bodies(body, ("school_id", "role", "id", "author_id", "is_admin"), wrong_types)
    for field in body:
        if field not in ("base_version", "photos", "actions", "concern", "provider_id"):
            yield f"without {field}", json.dumps({k: v for k, v in body.items() if k != field}).encode()


def _cases():
    for route in sorted(JSON_WRITE_ROUTES):
        yield pytest.param(route, id=f"{route[0]} {route[1]}")


@pytest.mark.parametrize("route", list(_cases()))
def test_bad_json_bodies_are_refused_and_change_nothing(staff, demo, route):
    path_of, body_of = JSON_WRITE_ROUTES[route]
    body = body_of(demo)
    before = table_counts()
    refused = 0
    for name, raw in mutations(body):
        response = staff.open(route[0], path_of(), data=raw, headers={"Content-Type": "application/json"})
        if response.status_code < 400 and "password" in body:
            continue  # signing in with a known account's valid fields can succeed; nothing else may
        assert 400 <= response.status_code < 500, (name, response.status_code, response.get_data()[:200])
        assert set(response.get_json()) == {"code", "message", "details"}, name
        refused += 1
    assert refused > 10
    assert table_counts() == before


@pytest.mark.parametrize("route", list(_cases()))
def test_the_wrong_content_type_and_oversized_bodies_are_refused(staff, demo, app, route):
    path_of, body_of = JSON_WRITE_ROUTES[route]
    body = body_of(demo)
    before = table_counts()
    as_form = staff.open(route[0], path_of(), data={"x": "1"})
    assert as_form.status_code == 415 and as_form.get_json()["code"] == "unsupported_media_type"
    oversized = json.dumps(dict(body, padding="x" * (app.config["MAX_JSON_BYTES"] + 1))).encode()
    too_big = staff.open(route[0], path_of(), data=oversized, headers={"Content-Type": "application/json"})
    assert too_big.status_code == 413 and too_big.get_json()["code"] == "body_too_large"
    assert table_counts() == before


def test_nested_wrong_types_in_a_visit_are_refused(staff, demo):
    before = table_counts()
    body = visit_body(demo)
    broken = [
        ("photos", [dict(body["photos"][0], size="big")]),
        ("photos", [dict(body["photos"][0], sha256="not-hex")]),
        ("photos", [dict(body["photos"][0], type="image/gif")]),
        ("photos", [body["photos"][0], body["photos"][0]]),
        ("actions", [dict(body["actions"][0], due_on="next week")]),
        ("actions", [dict(body["actions"][0], owner_name="")]),
        ("concern", dict(body["concern"], text="")),
        ("concern", dict(body["concern"], raised_at="2026-11-30T10:00:00")),  # no time zone
        ("answers", {"findings": "not an answer object"}),
        ("placement_id", "not-a-uuid"),
        ("kind", "tea_party"),
        ("form_id", "welfare_check"),
    ]
    for field, value in broken:
        response = staff.put(f"/api/visits/{uuid.uuid4()}", json=dict(body, **{field: value}))
        assert response.status_code == 422, (field, value, response.get_data()[:200])
    assert table_counts() == before


def test_a_path_that_is_not_a_uuid_is_refused_with_the_error_shape(staff, demo):
    response = staff.put("/api/visits/12", json=visit_body(demo))
    assert response.status_code in (404, 405) and response.get_json()["code"] in ("not_found", "method_not_allowed")
