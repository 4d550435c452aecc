"""Before a placement starts, through the API and the office (§4.3, §7.4, §7.10): the start is
refused until the pupil's needs analysis and risk assessment, the parents' views and what was
shared with the provider are recorded; bad dates are refused and change nothing; a statutory
partner the pupil comes to need after the start is an overdue item on the to-do and the record
(§7.5, §7.6, §8.8)."""
from datetime import timedelta

import sqlalchemy as sa

from rollup.factories import make_visit
from server.dates import school_today
from server.extensions import db
from server.models import Placement
from server.services import todo
from tests.office_admin.admin_routes import BEFORE_START, COMPLETE_AGREEMENT, PARTNERS_CONSULTED, provider, pupil
from tests.office_admin.conftest import page_text

START = (school_today() + timedelta(days=14)).isoformat()
TOMORROW = (school_today() + timedelta(days=1)).isoformat()
OWN_KINDS = ("needs_analysis", "pupil_risk_assessment", "information_shared", "parents_consulted",
             "statutory_partners")
MISSING = [
    "Record a needs analysis of the pupil: who made it, when, and what it found (§4.3).",
    "Record an individual risk assessment of the pupil: who, when, the risks and how they are mitigated (§4.3).",
    "Record what was shared with the provider about the pupil: what, when, by whom and to whom (§7.10).",
    "Record the parents' views on the choice of provider: who, when, and their view (§7.4).",
]


def body(demo, **fields):
    return {"pupil_id": str(pupil(demo).uuid), "kind": "off_site_ap", "start_date": START,
            "provider_id": str(provider(demo, name="Greenway Farm Learning").uuid),
            "sessions": ["mon_am", "mon_pm"], **COMPLETE_AGREEMENT, **PARTNERS_CONSULTED, **fields}


def test_the_start_waits_for_the_needs_risks_parents_and_what_the_provider_was_told(api_as, demo, unchanged):
    api = api_as("ap_leader")
    created = api.post(f"/api/admin/schools/{demo.school().uuid}/placements", json=body(demo))
    assert created.status_code == 201, created.get_json()
    placement = created.get_json()
    assert placement["activation_blockers"] == MISSING
    with unchanged():
        refused = api.post(f"/api/admin/placements/{placement['id']}/status", json={"status": "active"})
        assert refused.status_code == 422 and refused.get_json()["code"] == "placement_not_ready"
        assert refused.get_json()["details"]["missing"] == MISSING
    change = {k: v for k, v in body(demo).items() if k != "pupil_id"} | BEFORE_START
    changed = api.put(f"/api/admin/placements/{placement['id']}", json=change).get_json()
    assert changed["activation_blockers"] == []
    assert changed["pupil_risks"] == BEFORE_START["pupil_risks"]
    assert changed["information_shared_with"] == "The provider's DSL"
    assert api.post(f"/api/admin/placements/{placement['id']}/status", json={"status": "active"}).status_code == 200


def test_dates_in_the_future_and_a_review_before_the_assessment_are_refused(api_as, demo, unchanged):
    api = api_as("ap_leader")
    with unchanged():
        refused = api.post(f"/api/admin/schools/{demo.school().uuid}/placements", json=body(
            demo, **(BEFORE_START | {"needs_analysis_on": TOMORROW, "parents_consulted_on": TOMORROW})))
        assert refused.status_code == 422
        assert set(refused.get_json()["details"]) == {"needs_analysis_on", "parents_consulted_on"}
        early = api.post(f"/api/admin/schools/{demo.school().uuid}/placements", json=body(
            demo, **(BEFORE_START | {"pupil_risk_reviewed_on": "2026-08-01"})))
        assert early.status_code == 422 and early.get_json()["details"] == {
            "pupil_risk_reviewed_on": ["The review is before the risk assessment was made."]}
        too_long = api.post(f"/api/admin/schools/{demo.school().uuid}/placements", json=body(
            demo, **(BEFORE_START | {"information_shared_by": "x" * 201})))
        assert too_long.status_code == 422 and set(too_long.get_json()["details"]) == {"information_shared_by"}


def test_the_office_form_records_them_and_the_record_shows_them(office_as, demo):
    office = office_as("ap_leader")
    who = pupil(demo)
    form = body(demo) | {"needs_analysis_by": "Priya Shah", "needs_analysis_on": "2026-09-01",
                                                     "needs_analysis": "Reads two years below age."}
    saved = office.post(f"/office/placements/new?pupil={who.uuid}", data=form)
    assert saved.status_code == 302, page_text(saved)[:600]
    db.session.expire_all()
    placement = db.session.execute(sa.select(Placement).order_by(Placement.id.desc())).scalars().first()
    assert placement.needs_analysis == "Reads two years below age."
    refused = office.post(f"/office/placements/{placement.uuid}/status", data={"status": "active"})
    assert refused.status_code == 422
    text = page_text(refused)
    assert MISSING[1] in text and MISSING[0] not in text
    db.session.expire_all()
    assert db.session.get(Placement, placement.id).status == "planned"
    record = page_text(office.get(f"/office/placements/{placement.uuid}/record"))
    assert "Needs, risks and who was consulted" in record and "Reads two years below age." in record
    assert MISSING[3] in record     # under "Before it can start"
    bad = office.post(f"/office/placements/{placement.uuid}/edit", data=form | {"parents_consulted_on": TOMORROW})
    assert bad.status_code == 422 and "This date is in the future" in page_text(bad)


def test_a_pupil_who_becomes_looked_after_makes_the_consultation_overdue(api_as, office_as, demo):
    running = db.session.execute(sa.select(Placement).where(
        Placement.school_id == demo.school().id, Placement.status == "active",
        Placement.kind == "off_site_ap")).scalars().first()
    child = running.pupil
    assert not child.looked_after
    api = api_as("ap_leader")
    current = api.get(f"/api/admin/pupils/{child.uuid}").get_json()
    change = {k: v for k, v in current.items() if k not in ("id", "school_id", "full_name", "placements")
              and v is not None} | {"looked_after": True}
    response = api.put(f"/api/admin/pupils/{child.uuid}", json=change)
    assert response.status_code == 200, response.get_json()
    office = office_as("ap_leader")
    home = page_text(office.get("/office/"))
    assert "Consult the Virtual School Head and record who and when" in home
    record = page_text(office.get(f"/office/placements/{running.uuid}/record"))
    assert "Consult the Virtual School Head and record who and when" in record


def test_the_phone_carries_the_pupil_items_the_office_shows_and_the_demo_is_not_all_overdue(api_as, demo):
    today = school_today()

    def owed():
        entries, _ = todo.school_due_entries(demo.school().id, today)
        return [e.due for e in entries if e.due.kind in OWN_KINDS]

    # The demo records everything before the start: none of its running placements owes it.
    assert owed() == []
    alfie = next(p for p in demo.placements() if p.pupil.first_name == "Alfie" and p.status == "active")
    make_visit(demo.user("visiting_staff"), "review_meeting", today - timedelta(days=1), alfie,
               review_status="signed_off")
    db.session.commit()
    [due] = owed()
    assert (due.kind, due.due_on, due.overdue) == ("pupil_risk_assessment", today + timedelta(days=13), False)
    snapshot = api_as("visiting_staff").get("/api/bootstrap").get_json()
    on_phone = [(item["kind"], item["label"], item["due_on"]) for p in snapshot["placements"] for item in p["due"]
                if item["kind"] in OWN_KINDS]
    assert on_phone == [(due.kind, due.label, due.due_on.isoformat())]
