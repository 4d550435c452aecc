"""Who may call what: every API route × every role × own school and the other school, against
one table of expectations. A new route must be added to the table or this test fails."""
import uuid

import pytest
import sqlalchemy as sa

from server.extensions import db
from server.models import User
from server.services.sync import ingest_visit
from server.vocabulary import ROLES
from tests import payloads
from tests.office_admin.admin_routes import API_ROUTES as ADMIN_API_ROUTES

ANYONE = "anyone"  # answered the same for every caller, signed in or not


def _visit_by(demo, role, school):
    """A visit in `school` written by that school's member with `role` (governors borrow the AP leader)."""
    author = demo.user(role if role != "governor" else "ap_leader", school)
    image = payloads.jpeg_bytes()
    body = payloads.qa_visit(demo.placements(school)[0].uuid, photos=[payloads.manifest_entry(image)])
    visit_id = uuid.uuid4()
    ingest_visit(author, visit_id, body)
    db.session.commit()
    return visit_id, body["photos"][0], image


def _photo_request(demo, role, school):
    visit_id, entry, image = _visit_by(demo, role, school)
    return {"path": f"/api/visits/{visit_id}/photos/{entry['uuid']}", "data": image,
            "headers": {"Content-Type": "image/jpeg", "X-Content-SHA256": entry["sha256"]}}


def _photo_upload_request(demo, role, school):
    """The whole photo as one resumable upload request, from byte 0."""
    request = _photo_request(demo, role, school)
    request["path"] += "/upload"
    request["headers"]["Upload-Offset"] = "0"
    return request


# route → (request builder(demo, role, target school) → kwargs for ApiClient.open,
#          expected status for the caller's own school, for the other school, for governors, signed out)
ROUTES = {
    ("GET", "/healthz"): (lambda d, r, s: {"path": "/healthz"}, ANYONE, 200),
    ("GET", "/readyz"): (lambda d, r, s: {"path": "/readyz"}, ANYONE, 200),
    ("GET", "/api/openapi.json"): (lambda d, r, s: {"path": "/api/openapi.json"}, ANYONE, 200),
    ("GET", "/api/csrf"): (lambda d, r, s: {"path": "/api/csrf"}, ANYONE, 200),
    ("GET", "/api/me"): (lambda d, r, s: {"path": "/api/me"}, {"own": 200, "other": 200, "governor": 200, "anon": 401}),
    ("DELETE", "/api/session"): (lambda d, r, s: {"path": "/api/session"},
                                 {"own": 204, "other": 204, "governor": 204, "anon": 204}),
    ("GET", "/api/bootstrap"): (lambda d, r, s: {"path": "/api/bootstrap"},
                                {"own": 200, "other": 200, "governor": 403, "anon": 401}),
    ("PUT", "/api/visits/<uuid:visit_id>"): (
        lambda d, r, s: {"path": f"/api/visits/{uuid.uuid4()}", "json": payloads.qa_visit(d.placements(s)[0].uuid)},
        {"own": 201, "other": 404, "governor": 403, "anon": 401}),
    ("GET", "/api/visits/<uuid:visit_id>"): (
        lambda d, r, s: {"path": f"/api/visits/{_visit_by(d, r, s)[0]}"},
        {"own": 200, "other": 404, "governor": 403, "anon": 401}),
    ("PUT", "/api/visits/<uuid:visit_id>/photos/<uuid:photo_id>"): (
        _photo_request, {"own": 201, "other": 404, "governor": 403, "anon": 401}),
    ("GET", "/api/visits/<uuid:visit_id>/photos/<uuid:photo_id>/upload"): (
        lambda d, r, s: {"path": _photo_request(d, r, s)["path"] + "/upload"},
        {"own": 200, "other": 404, "governor": 403, "anon": 401}),
    ("PUT", "/api/visits/<uuid:visit_id>/photos/<uuid:photo_id>/upload"): (
        lambda d, r, s: _photo_upload_request(d, r, s), {"own": 201, "other": 404, "governor": 403, "anon": 401}),
    ("POST", "/api/visits/discarded"): (
        lambda d, r, s: {"path": "/api/visits/discarded",
                         "json": {"visit_ids": [str(uuid.uuid4())], "confirmed_at": payloads.phone_clock_now()}},
        {"own": 200, "other": 200, "governor": 403, "anon": 401}),
}
# Sign-in itself is exercised in test_sign_in.py: it has no caller to authorise. The school
# set-up routes answer per role (an AP leader may, visiting staff may not), so they have their
# own role × school table in tests/office_admin/admin_routes.py.
# Sign-in is tested in test_sign_in.py, test_second_factor.py and test_passkeys.py.
NOT_IN_MATRIX = {("POST", "/api/session"), ("POST", "/api/session/second-factor"), ("POST", "/api/session/passkey"),
                 ("POST", "/api/session/passkey/options")} | set(ADMIN_API_ROUTES)


def api_routes(app):
    return {(method, rule.rule) for rule in app.url_map.iter_rules()
            if rule.rule.startswith("/api/") or rule.rule in ("/healthz", "/readyz")
            for method in rule.methods - {"HEAD", "OPTIONS"}}


def test_every_api_route_has_a_row_in_the_access_table(app):
    missing = api_routes(app) - set(ROUTES) - NOT_IN_MATRIX
    assert not missing, f"add these routes to ROUTES with their expected access: {sorted(missing)}"


CASES = [(route, role, target) for route in sorted(ROUTES) for role in ROLES for target in ("own", "other")]


@pytest.mark.parametrize("route, role, target", CASES, ids=[f"{m} {p} {r} {t}" for (m, p), r, t in CASES])
def test_access_follows_the_table(make_api, demo, route, role, target):
    builder, expected, *rest = ROUTES[route]
    school, other = "riverside", "hillcrest"
    request = builder(demo, role, school if target == "own" else other)
    api = make_api()
    assert api.sign_in(demo.email(role, school)).status_code == 200
    if expected == ANYONE:
        status = rest[0]
    elif role == "governor":
        status = expected["governor"]
    else:
        status = expected[target]
    response = api.open(route[0], request.pop("path"), **request)
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    if status >= 400:
        assert set(response.get_json()) == {"code", "message", "details"}


@pytest.mark.parametrize("route", sorted(ROUTES), ids=[f"{m} {p}" for m, p in sorted(ROUTES)])
def test_signed_out_callers_get_the_table_answer(make_api, demo, route):
    builder, expected, *rest = ROUTES[route]
    request = builder(demo, "ap_leader", "riverside")
    api = make_api()
    api.csrf = api.get("/api/csrf").get_json()["csrf_token"]
    response = api.open(route[0], request.pop("path"), **request)
    assert response.status_code == (rest[0] if expected == ANYONE else expected["anon"])


def test_a_trust_lead_with_both_schools_reaches_both(make_api, demo):
    lead = demo.user("trust_lead", "riverside")
    from server.models import Membership
    lead.memberships.append(Membership(school=demo.school("hillcrest"), role="trust_lead"))
    db.session.commit()
    api = make_api()
    api.sign_in(lead.email)
    schools = {s["name"] for s in api.get("/api/bootstrap").get_json()["schools"]}
    assert schools == {"Riverside Academy", "Hillcrest School"}


def test_visiting_staff_carry_only_the_placements_they_are_assigned_to(staff, demo):
    from server.models import PlacementStaff
    placements = demo.placements()
    db.session.execute(sa.delete(PlacementStaff).where(PlacementStaff.placement_id == placements[0].id))
    db.session.commit()
    carried = {p["id"] for p in staff.get("/api/bootstrap").get_json()["placements"]}
    assert str(placements[0].uuid) not in carried and str(placements[1].uuid) in carried
    assert db.session.execute(sa.select(User).where(User.email == demo.email("visiting_staff"))).scalar_one()
