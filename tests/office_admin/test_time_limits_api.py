"""Time-limited arrangements through the API (§6.2, §9.4): a part-time timetable needs its end
date, reason and the approver's own not-a-sanction affirmation before it starts; an active
direction's end date moves later only with a new decision, and cannot be removed."""
from datetime import date, timedelta

import sqlalchemy as sa

from server.extensions import db
from server.models import AuditEvent, Placement
from tests.office_admin.admin_routes import BEFORE_START, PARTNERS_CONSULTED, READY_TO_START, provider, pupil

START = (date.today() + timedelta(days=14)).isoformat()
PAST = (date.today() - timedelta(days=3)).isoformat()
END = (date.today() + timedelta(days=60)).isoformat()


def part_time_body(demo, **fields):
    return {"pupil_id": str(pupil(demo).uuid), "kind": "part_time_timetable", "start_date": START,
            "sessions": ["mon_am", "tue_am"], "approved_by_id": str(demo.user("headteacher").uuid),
            "approved_on": PAST, "parent_agreed_on": PAST, **PARTNERS_CONSULTED, **BEFORE_START, **fields}


def test_a_part_time_timetable_needs_an_end_a_reason_and_its_approvers_own_affirmation(api_as, demo, unchanged):
    leader, head = api_as("ap_leader"), api_as("headteacher")
    body = part_time_body(demo)
    created = leader.post(f"/api/admin/schools/{demo.school().uuid}/placements", json=body)
    assert created.status_code == 201
    placement = created.get_json()
    assert placement["activation_blockers"] == [
        "A part-time timetable is temporary: set the date it ends (§9.4).",
        "Record why the pupil needs a part-time timetable (§9.4).",
        "The approver has not affirmed that the part-time timetable is not a behaviour sanction (§9.4)."]
    change = {k: v for k, v in body.items() if k != "pupil_id"} | {
        "planned_end_date": END, "part_time_reason": "Returning after a long illness."}
    with unchanged():
        refused = leader.put(f"/api/admin/placements/{placement['id']}", json=change | {"affirm_not_a_sanction": True})
        assert refused.status_code == 422
        assert "Only the approver" in refused.get_json()["details"]["affirm_not_a_sanction"][0]
    affirmed = head.put(f"/api/admin/placements/{placement['id']}", json=change | {"affirm_not_a_sanction": True})
    assert affirmed.status_code == 200, affirmed.get_json()
    record = affirmed.get_json()
    assert record["activation_blockers"] == [] and record["not_a_sanction_affirmed_by"] == "Helen Dunmore"
    event = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "placement.changed")
                               .order_by(AuditEvent.id.desc())).scalars().first()
    assert event.details["changes"]["not_a_sanction_affirmed_by"] == [None, "Helen Dunmore"]
    # Saving again without the box ticked withdraws nothing.
    assert leader.put(f"/api/admin/placements/{placement['id']}", json=change).get_json()["activation_blockers"] == []
    # A different approver needs their own affirmation.
    other = change | {"approved_by_id": str(demo.user("ap_leader").uuid)}
    assert leader.put(f"/api/admin/placements/{placement['id']}", json=other).get_json()["activation_blockers"] == [
        "The approver has not affirmed that the part-time timetable is not a behaviour sanction (§9.4)."]


def test_an_active_direction_is_extended_only_with_a_new_decision(api_as, demo, unchanged):
    api = api_as("ap_leader")
    body = {"pupil_id": str(pupil(demo).uuid), "kind": "off_site_direction", "start_date": PAST,
            "sessions": ["mon_am"], "provider_id": str(provider(demo).uuid), "governors_approved_on": PAST,
            "parents_told_in_writing_on": PAST, "direction_review_on": START, **READY_TO_START}
    placement = api.post(f"/api/admin/schools/{demo.school().uuid}/placements", json=body).get_json()
    assert "An off-site direction is time-limited: set the date it ends (§6.2)." in placement["activation_blockers"]
    change = {k: v for k, v in body.items() if k != "pupil_id"} | {"planned_end_date": END}
    assert api.put(f"/api/admin/placements/{placement['id']}", json=change).get_json()["activation_blockers"] == []
    assert api.post(f"/api/admin/placements/{placement['id']}/status", json={"status": "active"}).status_code == 200

    later = (date.today() + timedelta(days=120)).isoformat()
    with unchanged():
        refused = api.put(f"/api/admin/placements/{placement['id']}", json=change | {"planned_end_date": later})
        assert refused.status_code == 422
        assert "needs a new decision" in refused.get_json()["details"]["planned_end_date"][0]
        removed = api.put(f"/api/admin/placements/{placement['id']}", json=change | {"planned_end_date": None})
        assert removed.status_code == 422 and "set the date it ends" in str(removed.get_json()["details"])
    extended = api.put(f"/api/admin/placements/{placement['id']}", json=change | {
        "planned_end_date": later, "governors_approved_on": date.today().isoformat()})
    assert extended.status_code == 200 and extended.get_json()["planned_end_date"] == later
    db.session.expire_all()
    assert db.session.execute(sa.select(Placement.planned_end_date).where(
        Placement.id == db.session.execute(sa.select(sa.func.max(Placement.id))).scalar())).scalar().isoformat() \
        == later
