"""The OpenAPI description covers every route, and the bootstrap gives a phone what it needs
offline with a cursor that moves only when something the phone holds changed."""
import uuid
from datetime import date, timedelta

import sqlalchemy as sa

from server.api.docs import openapi_path
from server.extensions import db
from server.models import KeyContact
from tests import payloads
from tests.api.test_access_matrix import api_routes


def test_the_openapi_description_covers_every_route_and_method(api, app):
    spec = api.get("/api/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    for method, rule in api_routes(app):
        assert method.lower() in spec["paths"].get(openapi_path(rule), {}), f"{method} {rule} is undocumented"


def test_the_openapi_description_is_built_from_the_marshmallow_schemas(api):
    spec = api.get("/api/openapi.json").get_json()
    schemas = spec["components"]["schemas"]
    assert {"VisitPayload", "Receipt", "Bootstrap", "SignIn", "Error"} <= set(schemas)
    assert "base_version" in schemas["VisitPayload"]["properties"]
    put = spec["paths"]["/api/visits/{visit_id}"]["put"]
    assert put["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("VisitPayload")


def test_the_bootstrap_carries_placements_pupils_providers_forms_and_the_dsl(api, demo):
    api.sign_in(demo.email("visiting_staff"))
    snapshot = api.get("/api/bootstrap").get_json()
    assert len(snapshot["placements"]) == 7
    pupil_ids = {p["id"] for p in snapshot["pupils"]}
    assert {p["pupil_id"] for p in snapshot["placements"]} <= pupil_ids
    assert {f["form_id"] for f in snapshot["forms"]} == {"provider_check", "qa_visit", "welfare_check",
                                                         "review_meeting", "part_time_review", "flexi_review"}
    dsl = next(c for c in snapshot["schools"][0]["key_contacts"] if c["role"] == "dsl")
    assert dsl["phone"].startswith("01632")
    assert all(p["school_id"] == snapshot["schools"][0]["id"] for p in snapshot["providers"])


def test_due_dates_reach_the_phone_as_iso_dates_it_can_sort(api, demo):
    api.sign_in(demo.email("ap_leader"))
    items = [item for p in api.get("/api/bootstrap").get_json()["placements"] for item in p["due"]]
    assert items and all(date.fromisoformat(item["due_on"]) for item in items)
    assert {frozenset(item) for item in items} == {frozenset({"kind", "label", "due_on", "overdue"})}


def test_the_cursor_says_unchanged_until_something_the_phone_holds_changes(api, demo):
    api.sign_in(demo.email("visiting_staff"))
    first = api.get("/api/bootstrap").get_json()
    cursor = first["cursor"]
    held = f"since={cursor}&due_as_of={first['due_as_of']}"
    assert api.get(f"/api/bootstrap?{held}").get_json()["unchanged"] is True
    # A change in the other school is not this phone's business.
    other = db.session.execute(sa.select(KeyContact).where(
        KeyContact.school_id == demo.school("hillcrest").id, KeyContact.role == "dsl")).scalar_one()
    other.phone = "01632 960999"
    db.session.commit()
    assert api.get(f"/api/bootstrap?{held}").get_json()["unchanged"] is True
    mine = db.session.execute(sa.select(KeyContact).where(
        KeyContact.school_id == demo.school("riverside").id, KeyContact.role == "dsl")).scalar_one()
    mine.phone = "01632 960998"
    db.session.commit()
    changed = api.get(f"/api/bootstrap?{held}").get_json()
    assert changed["unchanged"] is False and changed["cursor"] > cursor
    assert any(c["phone"] == "01632 960998" for c in changed["schools"][0]["key_contacts"])


def test_after_midnight_the_phone_gets_the_due_items_of_the_new_day(api, demo, england_clock):
    """Nothing changes overnight but the date: a deadline that was "due today" must reach the
    phone as overdue the next morning, not wait for some row to change."""
    api.sign_in(demo.email("ap_leader"))
    due = sorted((item["due_on"], item["kind"], placement["id"]) for placement in
                 api.get("/api/bootstrap").get_json()["placements"] for item in placement["due"]
                 if not item["overdue"])
    deadline, kind, placement_id = due[0]
    england_clock.set(date.fromisoformat(deadline))
    first = api.get("/api/bootstrap").get_json()
    assert first["due_as_of"] == deadline
    assert not item_of(first, placement_id, kind)["overdue"], "due today is not yet overdue"
    held = f"since={first['cursor']}&due_as_of={first['due_as_of']}"
    assert api.get(f"/api/bootstrap?{held}").get_json()["unchanged"] is True

    england_clock.next_day()
    morning = api.get(f"/api/bootstrap?{held}").get_json()
    assert morning["unchanged"] is False
    assert morning["cursor"] == first["cursor"], "no row changed overnight"
    assert morning["due_as_of"] == (date.fromisoformat(deadline) + timedelta(days=1)).isoformat()
    assert item_of(morning, placement_id, kind)["overdue"] is True


def item_of(snapshot, placement_id, kind):
    placement = next(p for p in snapshot["placements"] if p["id"] == placement_id)
    return next(item for item in placement["due"] if item["kind"] == kind)


def test_my_visits_show_their_review_state(api, demo):
    api.sign_in(demo.email("visiting_staff"))
    visit_id = str(uuid.uuid4())
    api.put(f"/api/visits/{visit_id}", json=payloads.qa_visit(demo.placements()[0].uuid))
    mine = api.get("/api/bootstrap").get_json()["my_visits"]
    assert [(v["id"], v["review_status"]) for v in mine] == [(visit_id, "awaiting_review")]


def test_a_bad_cursor_is_refused(api, demo):
    api.sign_in(demo.email("visiting_staff"))
    response = api.get("/api/bootstrap?since=yesterday")
    assert response.status_code == 422 and response.get_json()["code"] == "validation_failed"


def test_each_placement_on_the_phone_says_what_it_owes(api, demo):
    api.sign_in(demo.email("visiting_staff"))
    placements = api.get("/api/bootstrap").get_json()["placements"]
    active = [p for p in placements if p["status"] == "active"]
    assert active and all(isinstance(p["due"], list) for p in placements)
    kinds = {item["kind"] for p in active for item in p["due"]}
    assert "formal_review" in kinds or "flexi_review" in kinds
    item = active[0]["due"][0]
    assert set(item) == {"kind", "label", "due_on", "overdue"}
    assert not kinds & {"attendance", "provider_evidence", "direction_review"}  # office work


def test_every_response_carries_a_strict_content_security_policy(client):
    for path in ("/", "/healthz", "/office/sign-in"):
        headers = client.get(path).headers
        assert "script-src 'self'" in headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert headers["X-Content-Type-Options"] == "nosniff"
