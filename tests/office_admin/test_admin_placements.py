"""Placements: commissioned from a pupil, started only when the policy's approvals and checks are
in place (each kind, through the office and the API), ended with outcome and destination, and
visiting staff assigned and removed so that phones follow."""
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from server.extensions import db
from server.models import AuditEvent, Placement, RiskAssessment
from tests.office_admin.admin_routes import READY_TO_START, provider, pupil
from tests.office_admin.conftest import page_text

START = (date.today() + timedelta(days=14)).isoformat()
PAST = (date.today() - timedelta(days=3)).isoformat()
END = (date.today() + timedelta(days=90)).isoformat()


def new_placement(client, demo, **fields):
    """Create a placement through the office form; returns the saved row."""
    who = pupil(demo)
    data = {"pupil_id": str(who.uuid), "start_date": START, "sessions": ["mon_am", "mon_pm", "tue_am"],
            **READY_TO_START, **fields}
    response = client.post(f"/office/placements/new?pupil={who.uuid}", data=data)
    assert response.status_code == 302, page_text(response)[:600]
    db.session.expire_all()
    return db.session.execute(sa.select(Placement).order_by(Placement.id.desc())).scalars().first()


def start(client, placement):
    return client.post(f"/office/placements/{placement.uuid}/status", data={"status": "active"})


def status_of(placement):
    db.session.expire_all()
    return db.session.get(Placement, placement.id).status


APPROVALS = {
    "part_time_timetable": (
        {},
        # The AP leader approves it, so the AP leader making these requests may affirm it (§9.4).
        {"approved_by_id": "ap_leader", "approved_on": PAST, "parent_agreed_on": PAST, "planned_end_date": END,
         "part_time_reason": "Medical: building back to full days.", "affirm_not_a_sanction": "y"},
        ["Approval by the headteacher or AP leader is not recorded (§9.5).",
         "The date the part-time timetable was approved is not recorded (§9.5).",
         "The date the parent agreed to the part-time timetable is not recorded (§9.5).",
         "A part-time timetable is temporary: set the date it ends (§9.4).",
         "Record why the pupil needs a part-time timetable (§9.4).",
         "The approver has not affirmed that the part-time timetable is not a behaviour sanction (§9.4)."]),
    "off_site_direction": (
        {"provider_id": "Oakfield Independent School"},
        {"governors_approved_on": PAST, "parents_told_in_writing_on": PAST,
         "direction_review_on": (date.today() + timedelta(days=60)).isoformat(), "planned_end_date": END},
        ["The date the governing body approved the off-site direction is not recorded (§6).",
         "The date parents were told in writing is not recorded (§6).",
         "An off-site direction is time-limited: set the date it will be reviewed (§6).",
         "An off-site direction is time-limited: set the date it ends (§6.2)."]),
    "flexi_schooling": (
        {},
        {"head_decision_in_writing_on": PAST, "flexi_request_received_on": PAST,
         "flexi_home_educator": "Mother, with a tutor on Fridays", "flexi_home_welfare": "Mother"},
        ["The date of the headteacher's written decision on flexi-schooling is not recorded (§10.4).",
         "Record the date of the parents' written request for flexi-schooling (§10.5).",
         "Record who educates the child at home on home days (§10.5).",
         "Record who is responsible for the child's welfare on home days (§10.5)."]),
}


def _resolve(demo, fields):
    resolved = dict(fields)
    if "provider_id" in resolved:
        resolved["provider_id"] = str(provider(demo, name=resolved["provider_id"]).uuid)
    if "approved_by_id" in resolved:
        resolved["approved_by_id"] = str(demo.user(resolved["approved_by_id"]).uuid)
    return resolved


@pytest.mark.parametrize("kind", sorted(APPROVALS))
def test_each_kind_cannot_start_until_its_approvals_are_recorded(office_as, demo, unchanged, kind):
    base, approvals, missing = APPROVALS[kind]
    client = office_as("ap_leader")
    placement = new_placement(client, demo, kind=kind, **_resolve(demo, base))
    page = page_text(client.get(f"/office/placements/{placement.uuid}/edit"))
    assert "Before this placement can start" in page and "Start the placement" not in page
    for reason in missing:
        assert reason in page
    with unchanged():
        refused = start(client, placement)
        assert refused.status_code == 422
        assert all(reason in page_text(refused) for reason in missing)
    form = {"kind": kind, "start_date": START, "sessions": ["mon_am", "mon_pm", "tue_am"], **READY_TO_START,
            **_resolve(demo, {**base, **approvals})}
    assert client.post(f"/office/placements/{placement.uuid}/edit", data=form).status_code == 302
    ready = page_text(client.get(f"/office/placements/{placement.uuid}/edit"))
    assert "Everything the policy needs is in place" in ready
    assert start(client, placement).status_code == 302
    assert status_of(placement) == "active"
    event = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "placement.active")).scalar_one()
    assert event.details["changes"] == {"status": ["planned", "active"]}


@pytest.mark.parametrize("kind", sorted(APPROVALS))
def test_the_api_refuses_to_start_each_kind_and_lists_what_is_missing(api_as, demo, unchanged, kind):
    base, approvals, missing = APPROVALS[kind]
    api = api_as("ap_leader")
    body = {"pupil_id": str(pupil(demo).uuid), "kind": kind, "start_date": START, "sessions": ["mon_am"],
            **READY_TO_START, **_resolve(demo, base)}
    created = api.post(f"/api/admin/schools/{demo.school().uuid}/placements", json=body)
    assert created.status_code == 201
    placement = created.get_json()
    assert placement["status"] == "planned" and placement["activation_blockers"] == missing
    with unchanged():
        refused = api.post(f"/api/admin/placements/{placement['id']}/status", json={"status": "active"})
        assert refused.status_code == 422
        assert refused.get_json()["code"] == "placement_not_ready"
        assert refused.get_json()["details"]["missing"] == missing
    changed = api.put(f"/api/admin/placements/{placement['id']}",
                      json={**{k: v for k, v in body.items() if k != "pupil_id"}, **_resolve(demo, approvals)})
    assert changed.status_code == 200 and changed.get_json()["activation_blockers"] == []
    started = api.post(f"/api/admin/placements/{placement['id']}/status", json={"status": "active"})
    assert started.status_code == 200 and started.get_json()["status"] == "active"


def test_a_provider_without_a_current_risk_assessment_blocks_the_start(office_as, demo, unchanged):
    client = office_as("ap_leader")
    greenway = provider(demo, name="Greenway Farm Learning")
    placement = new_placement(client, demo, kind="off_site_ap", provider_id=str(greenway.uuid))
    assessment = db.session.execute(sa.select(RiskAssessment).where(RiskAssessment.provider_id == greenway.id)
                                    ).scalar_one()
    assessment.valid_until = date.today() + timedelta(days=1)  # runs out before the placement starts
    db.session.commit()
    with unchanged():
        refused = start(client, placement)
        assert refused.status_code == 422
        assert "The risk assessment for Greenway Farm Learning ran out on" in page_text(refused)
    assessment.valid_until = date.today() + timedelta(days=200)
    db.session.commit()
    assert start(client, placement).status_code == 302


def test_a_provider_that_must_be_registered_and_is_not_blocks_the_start(office_as, demo):
    client = office_as("ap_leader")
    sparks = provider(demo, name="Bright Sparks Mechanics")
    all_week = ["mon_am", "mon_pm", "tue_am", "tue_pm", "wed_am", "wed_pm", "thu_am", "thu_pm"]
    placement = new_placement(client, demo, kind="off_site_ap", provider_id=str(sparks.uuid), sessions=all_week)
    page = page_text(client.get(f"/office/placements/{placement.uuid}/edit"))
    assert "No pre-placement check and risk assessment for Bright Sparks Mechanics (§7.8)." in page
    assert "is not registered but teaches full time a pupil with an EHCP" in page  # Alfie has an EHCP
    assert start(client, placement).status_code == 422


def test_once_started_the_kind_and_provider_are_fixed_and_the_approvals_stay(api_as, demo, unchanged):
    api = api_as("ap_leader")
    part_time = next(p for p in demo.placements() if p.kind == "part_time_timetable")
    body = api.get(f"/api/admin/placements/{part_time.uuid}").get_json()
    editable = {k: body[k] for k in ("kind", "start_date", "sessions", "approved_by_id", "approved_on",
                                     "parent_agreed_on")}
    with unchanged():
        refused = api.put(f"/api/admin/placements/{part_time.uuid}", json=dict(editable, kind="flexi_schooling"))
        assert refused.status_code == 422 and "kind" in refused.get_json()["details"]
    with unchanged():
        refused = api.put(f"/api/admin/placements/{part_time.uuid}", json=dict(editable, parent_agreed_on=None))
        assert refused.status_code == 422
        assert "keeps its approvals" in refused.get_json()["details"]["_schema"][0]


def test_ending_a_placement_records_outcome_destination_and_the_pupils_view(office_as, demo):
    client = office_as("ap_leader")
    placement = demo.placements()[0]
    response = client.post(f"/office/placements/{placement.uuid}/status", data={
        "status": "ended", "end_date": date.today().isoformat(), "outcome": "Level 1 English and maths passed.",
        "destination": "Back to full time at school", "pupil_assessment": "I liked the workshop best."})
    assert response.status_code == 302
    db.session.expire_all()
    ended = db.session.get(Placement, placement.id)
    assert (ended.status, ended.destination, ended.pupil_assessment) == (
        "ended", "Back to full time at school", "I liked the workshop best.")
    assert "Ended" in page_text(client.get(f"/office/placements/{placement.uuid}/edit"))


def test_removing_a_visitor_takes_the_placement_off_their_phone_at_the_next_pull(office_as, api_as, demo):
    placement = demo.placements()[0]
    phone = api_as("visiting_staff")
    snapshot = phone.get("/api/bootstrap").get_json()
    assert str(placement.uuid) in {p["id"] for p in snapshot["placements"]}
    client = office_as("ap_leader")
    form = _form_values(placement)
    form["staff"] = [str(demo.user("ap_leader").uuid)]
    assert client.post(f"/office/placements/{placement.uuid}/edit", data=form).status_code == 302
    after = phone.get(f"/api/bootstrap?since={snapshot['cursor']}&due_as_of={snapshot['due_as_of']}").get_json()
    assert after["unchanged"] is False and after["cursor"] > snapshot["cursor"]
    assert str(placement.uuid) not in {p["id"] for p in after["placements"]}
    changes = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "placement.changed")
                                 ).scalar_one().details["changes"]
    assert changes == {"staff": [["Sam Okafor"], ["Priya Marsh"]]}


def _form_values(placement):
    """The placement's agreement as its form posts it back."""
    from server.schemas.admin_placements import PlacementRecordSchema
    dumped = PlacementRecordSchema().dump(placement)
    form = {k: v for k, v in dumped.items() if isinstance(v, str) and k not in (
        "id", "school_id", "pupil_id", "pupil_name", "provider_name", "status", "end_date", "outcome",
        "destination", "pupil_assessment")}
    form["sessions"] = dumped["sessions"]
    form["staff"] = [person["id"] for person in dumped["staff"]]
    if dumped["qa_visit_every_weeks"]:
        form["qa_visit_every_weeks"] = str(dumped["qa_visit_every_weeks"])
    return form


def test_saving_the_form_unchanged_changes_nothing(office_as, demo, unchanged):
    placement = demo.placements()[0]
    client = office_as("ap_leader")
    with unchanged():
        response = client.post(f"/office/placements/{placement.uuid}/edit", data=_form_values(placement))
        assert response.status_code == 302


def test_cost_in_pounds_is_kept_in_pence(api_as, demo):
    api = api_as("ap_leader")
    body = {"pupil_id": str(pupil(demo).uuid), "kind": "flexi_schooling", "start_date": START, "cost": "87.5",
            "cost_basis": "per session"}
    created = api.post(f"/api/admin/schools/{demo.school().uuid}/placements", json=body).get_json()
    assert (created["cost_pence"], created["cost"]) == (8750, "87.50")
