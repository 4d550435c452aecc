"""§7.2 through the office and the API: sessions are needed to start and stay on an active
placement; starting at an unregistered provider that passes the test warns at the start and on
both records; a change that makes it fail (here a pupil's EHCP) is an overdue safeguarding item
on the to-do, both records and the phone, and blocks the next start there."""
from datetime import date, timedelta
from uuid import UUID

import sqlalchemy as sa

from server.extensions import db
from server.models import Placement, Pupil, RiskAssessment
from server.services.placement_rules import SESSIONS_REQUIRED
from tests.office_admin.admin_routes import BEFORE_START, COMPLETE_AGREEMENT, provider
from tests.office_admin.conftest import page_text

START = (date.today() + timedelta(days=14)).isoformat()
PART_WEEK = ["mon_am", "mon_pm", "tue_am"]
FULL_WEEK = ["mon_am", "mon_pm", "tue_am", "tue_pm", "wed_am", "wed_pm", "thu_am", "thu_pm"]
SPARKS = "Bright Sparks Mechanics"   # unregistered, 2 pupils full time (demo)


def pupil_named(demo, first):
    return db.session.execute(sa.select(Pupil).where(Pupil.school_id == demo.school().id,
                                                     Pupil.first_name == first)).scalar_one()


def checked_sparks(demo):
    """Bright Sparks with a current in-person risk assessment, so only §7.2 is in question."""
    sparks = provider(demo, name=SPARKS)
    db.session.add(RiskAssessment(provider=sparks, rating="low", assessed_on=date.today() - timedelta(days=30),
                                  valid_until=date.today() + timedelta(days=300)))
    db.session.commit()
    return sparks


def create(api, demo, first, provider_obj, sessions, start=START):
    body = {"pupil_id": str(pupil_named(demo, first).uuid), "kind": "off_site_ap", "start_date": start,
            "provider_id": str(provider_obj.uuid), "sessions": sessions, **COMPLETE_AGREEMENT, **BEFORE_START}
    created = api.post(f"/api/admin/schools/{demo.school().uuid}/placements", json=body)
    assert created.status_code == 201, created.get_json()
    return created.get_json()


def start(api, placement):
    return api.post(f"/api/admin/placements/{placement['id']}/status", json={"status": "active"})


def test_a_placement_without_sessions_cannot_start(api_as, demo, unchanged):
    api = api_as("ap_leader")
    placement = create(api, demo, "Isla", provider(demo), [])
    assert placement["activation_blockers"] == [SESSIONS_REQUIRED]
    with unchanged():
        refused = start(api, placement)
        assert refused.status_code == 422 and refused.get_json()["details"]["missing"] == [SESSIONS_REQUIRED]


def test_an_active_placement_keeps_its_sessions(api_as, demo, unchanged):
    api = api_as("ap_leader")
    placement = create(api, demo, "Isla", provider(demo), PART_WEEK)
    assert start(api, placement).status_code == 200
    body = {"kind": "off_site_ap", "start_date": START, "provider_id": placement["provider_id"], "sessions": [],
            **COMPLETE_AGREEMENT, **BEFORE_START}
    with unchanged():
        refused = api.put(f"/api/admin/placements/{placement['id']}", json=body)
        assert refused.status_code == 422
        assert refused.get_json()["details"]["sessions"] == [SESSIONS_REQUIRED]


def test_starting_at_an_unregistered_provider_that_passes_warns_at_start_and_on_the_records(
        api_as, office_as, demo):
    sparks = checked_sparks(demo)
    api = api_as("ap_leader")
    placement = create(api, demo, "Isla", sparks, PART_WEEK)
    assert placement["activation_blockers"] == []
    started = start(api, placement)
    assert started.status_code == 200
    [warning] = started.get_json()["warnings"]
    assert warning.startswith(f"Unregistered provider: {SPARKS} is not registered") and "(§7.2)" in warning

    office = office_as("ap_leader")
    second = create(api, demo, "Kai", sparks, PART_WEEK)
    answer = office.post(f"/office/placements/{second['id']}/status", data={"status": "active"},
                         follow_redirects=True)
    assert "The placement has started." in page_text(answer) and warning in page_text(answer)
    assert warning in page_text(office.get(f"/office/placements/{placement['id']}/record"))
    assert warning in page_text(office.get(f"/office/providers/{sparks.uuid}/record"))
    registered = page_text(office.get(f"/office/providers/{provider(demo).uuid}/record"))
    assert "Unregistered provider" not in registered


def test_a_pupils_new_ehcp_makes_the_provider_fail_everywhere_and_blocks_the_next_start(
        api_as, office_as, demo):
    sparks = checked_sparks(demo)
    api = api_as("ap_leader")
    placement = create(api, demo, "Isla", sparks, FULL_WEEK)
    assert start(api, placement).status_code == 200

    isla = api.get(f"/api/admin/pupils/{pupil_named(demo, 'Isla').uuid}").get_json()
    body = {k: v for k, v in isla.items() if k not in ("id", "school_id") and v is not None} | {"ehcp": True}
    assert api.put(f"/api/admin/pupils/{isla['id']}", json=body).status_code == 200

    failed = f"Registration test failed: {SPARKS} is not registered but teaches full time a pupil with an EHCP"
    office = office_as("ap_leader")
    home = page_text(office.get("/office/"))
    assert "Registration (safeguarding)" in home and failed in home
    record = page_text(office.get(f"/office/placements/{placement['id']}/record"))
    assert failed in record and "Unregistered provider" not in record
    provider_page = page_text(office.get(f"/office/providers/{sparks.uuid}/record"))
    assert failed in provider_page and "Unregistered provider" not in provider_page

    # The phone's due list carries the same item (the AP leader's phone holds every open placement).
    due = [p for p in api.get("/api/bootstrap").get_json()["placements"] if p["id"] == placement["id"]][0]["due"]
    [item] = [i for i in due if i["kind"] == "registration"]
    assert item["overdue"] and item["label"].startswith(failed)

    next_one = create(api, demo, "Kai", sparks, PART_WEEK)
    refused = start(api, next_one)
    assert refused.status_code == 422
    assert any("must be registered before it is used" in m for m in refused.get_json()["details"]["missing"])
    db.session.expire_all()
    assert db.session.execute(sa.select(Placement.status).where(Placement.uuid == UUID(next_one["id"]))).scalar() \
        == "planned"


def test_an_incomplete_agreement_or_no_qa_frequency_refuses_the_start(api_as, demo, unchanged):
    api = api_as("ap_leader")
    body = {"pupil_id": str(pupil_named(demo, "Isla").uuid), "kind": "off_site_ap", "start_date": START,
            "provider_id": str(provider(demo).uuid), "sessions": PART_WEEK, **COMPLETE_AGREEMENT, **BEFORE_START}
    body |= {"aims": None, "qa_visit_every_weeks": None}
    placement = api.post(f"/api/admin/schools/{demo.school().uuid}/placements", json=body).get_json()
    expected = ["The service-level agreement is not complete: it says nothing yet about aims (§7.11).",
                "Set how often QA visits happen: every off-site placement has them (§8.1)."]
    assert placement["activation_blockers"] == expected
    with unchanged():
        refused = start(api, placement)
        assert refused.status_code == 422 and refused.get_json()["details"]["missing"] == expected
    change = {k: v for k, v in body.items() if k != "pupil_id"} | {"aims": "Re-engage.", "qa_visit_every_weeks": 3}
    assert api.put(f"/api/admin/placements/{placement['id']}", json=change).get_json()["activation_blockers"] == []
    assert start(api, placement).status_code == 200
