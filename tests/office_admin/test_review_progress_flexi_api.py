"""Through the API, the office and the phone: a formal review counts only once signed off with
the pupil and parents there (§8.2); progress information to parents is recorded and owed each
half term (§4.3); flexi-schooling needs its request and home days to start, and a notice of
withdrawal keeps four weeks (§10.5, §10.6). Refusals answer 422 and change nothing."""
import uuid
from datetime import timedelta

import sqlalchemy as sa

from server.dates import school_today
from server.extensions import db
from server.models import ParentProgressReport, Placement
from server.services.todo import school_due_entries
from tests import payloads
from tests.office_admin.admin_routes import READY_TO_START, active_placement, pupil
from tests.office_admin.conftest import page_text


def review_meeting(placement_uuid, parents_present="yes", note=None):
    parents = {"value": parents_present} | ({"note": note} if note else {})
    answers = {
        "pupil_present": {"value": "yes"}, "parents_present": parents, "provider_present": {"value": "yes"},
        "people_present": {"value": [{"name": "Ada Pupil", "role": "Pupil"}, {"name": "Jo Parent", "role": "Parent"}]},
        "pupil_views": {"value": "Enjoys the workshop."}, "parent_views": {"value": "Pleased with attendance."},
        "progress_against_outcomes": {"value": "On track for Level 1."}, "attendance_discussed": {"value": "yes"},
        "provision_changes_agreed": {"value": "no"}, "reintegration_steps": {"value": "Two mornings at school."},
        "next_review_date": {"value": payloads.days_from_today(40)}, "concern_raised": {"value": "no"},
    }
    return payloads.visit("review_meeting", answers, placement_uuid=placement_uuid)


def phone_due(staff, placement, kind):
    [on_phone] = [p for p in staff.get("/api/bootstrap").get_json()["placements"] if p["id"] == str(placement.uuid)]
    return [item for item in on_phone["due"] if item["kind"] == kind]


def office_due(school, placement, kind):
    entries, _ = school_due_entries(school.id, school_today())
    return [e.due for e in entries if e.placement_uuid == placement.uuid and e.due.kind == kind]


# --- §8.2: a review counts once signed off, held with the pupil and parents -------------------

def test_a_review_from_the_phone_counts_only_once_signed_off_and_the_phone_and_office_say_why(
        staff, office_as, demo):
    placement = active_placement(demo)
    visit_uuid = str(uuid.uuid4())
    sent = staff.put(f"/api/visits/{visit_uuid}", json=review_meeting(placement.uuid))
    assert sent.status_code == 201, sent.get_json()
    [on_phone] = phone_due(staff, placement, "formal_review")
    [in_office] = office_due(demo.school(), placement, "formal_review")
    assert "does not count: it is awaiting sign-off (§8.2)" in on_phone["label"]
    assert on_phone["label"] == in_office.label
    record = office_as("ap_leader").get(f"/office/placements/{placement.uuid}/record")
    assert "Held, but not counted (§8.2)" in page_text(record) and "it is awaiting sign-off" in page_text(record)

    signed = office_as("ap_leader").post(f"/office/review/{visit_uuid}/sign-off", data={"version": "1"})
    assert signed.status_code == 302
    after = phone_due(staff, placement, "formal_review")
    assert all("does not count" not in item["label"] and not item["overdue"] for item in after)
    assert "Held, but not counted" not in page_text(office_as("ap_leader").get(
        f"/office/placements/{placement.uuid}/record"))


def test_parents_absent_without_a_reason_is_refused_by_the_form_and_with_one_it_counts(staff, office_as, demo):
    placement = active_placement(demo)
    refused = staff.put(f"/api/visits/{uuid.uuid4()}", json=review_meeting(placement.uuid, parents_present="no"))
    assert refused.status_code == 422
    visit_uuid = str(uuid.uuid4())
    sent = staff.put(f"/api/visits/{visit_uuid}",
                     json=review_meeting(placement.uuid, parents_present="no", note="Father at work; called him after."))
    assert sent.status_code == 201
    assert office_as("ap_leader").post(f"/office/review/{visit_uuid}/sign-off", data={"version": "1"}).status_code == 302
    assert all("does not count" not in item["label"] for item in phone_due(staff, placement, "formal_review"))


# --- §4.3: progress information to parents -----------------------------------------------------

def progress_body(**fields):
    return {"sent_on": school_today().isoformat(), "method": "email", "sent_by_name": "R Patel, AP leader", **fields}


def test_progress_to_parents_is_recorded_once_and_clears_the_half_terms_item(api_as, staff, demo, unchanged):
    placement = active_placement(demo)
    assert phone_due(staff, placement, "parent_progress")
    leader = api_as("ap_leader")
    path = f"/api/admin/placements/{placement.uuid}/parent-progress"
    first = leader.post(path, json=progress_body(summary="Half-term report: attendance 94%."))
    assert first.status_code == 201, first.get_json()
    assert first.get_json()["method"] == "email"
    again = leader.post(path, json=progress_body(summary="Half-term report: attendance 94%."))
    assert again.status_code == 200 and again.get_json()["id"] == first.get_json()["id"]
    assert db.session.execute(sa.select(sa.func.count()).select_from(ParentProgressReport)).scalar() == 1
    [item] = phone_due(staff, placement, "parent_progress")
    assert not item["overdue"] and "due by the end of" in item["label"]
    [in_office] = office_due(demo.school(), placement, "parent_progress")
    assert in_office.label == item["label"] and in_office.due_on.isoformat() == item["due_on"]


def test_progress_to_parents_refusals_answer_422_and_change_nothing(api_as, demo, unchanged):
    leader = api_as("ap_leader")
    placement = active_placement(demo)
    path = f"/api/admin/placements/{placement.uuid}/parent-progress"
    planned = next(p for p in demo.placements() if p.status == "planned")
    tomorrow = (school_today() + timedelta(days=1)).isoformat()
    with unchanged():
        future = leader.post(path, json=progress_body(sent_on=tomorrow))
        assert future.status_code == 422 and "sent_on" in future.get_json()["details"]
        before_start = leader.post(path, json=progress_body(
            sent_on=(placement.start_date - timedelta(days=1)).isoformat()))
        assert before_start.status_code == 422 and "sent_on" in before_start.get_json()["details"]
        assert leader.post(path, json=progress_body(method="pigeon")).status_code == 422
        assert leader.post(path, json=progress_body(sent_by_name="   ")).status_code == 422
        not_started = leader.post(f"/api/admin/placements/{planned.uuid}/parent-progress", json=progress_body())
        assert not_started.status_code == 422 and "_schema" in not_started.get_json()["details"]
        assert api_as("visiting_staff").post(path, json=progress_body()).status_code == 403


def test_the_office_records_progress_from_the_placement_record(office_as, demo):
    leader = office_as("ap_leader")
    placement = active_placement(demo)
    path = f"/office/placements/{placement.uuid}/parent-progress"
    refused = leader.post(path, data={"sent_on": school_today().isoformat(), "method": "letter",
                                      "sent_by_name": "", "summary": ""})
    assert refused.status_code == 422
    assert "Nothing was saved." in page_text(refused)
    # The page re-rendered with the message is a read of the record (audited); nothing else is written.
    assert db.session.execute(sa.select(sa.func.count()).select_from(ParentProgressReport)).scalar() == 0
    saved = leader.post(path, data={"sent_on": school_today().isoformat(), "method": "letter",
                                    "sent_by_name": "R Patel, AP leader", "summary": "Report and targets."})
    assert saved.status_code == 302
    text = page_text(leader.get(f"/office/placements/{placement.uuid}/record"))
    assert "Letter · sent by R Patel, AP leader" in text and "Progress information sent to parents" in text


# --- §10.5, §10.6: flexi-schooling -------------------------------------------------------------

def test_flexi_schooling_starts_only_with_the_request_and_home_day_arrangements(api_as, demo):
    leader = api_as("ap_leader")
    start = (school_today() + timedelta(days=14)).isoformat()
    body = {"pupil_id": str(pupil(demo).uuid), "kind": "flexi_schooling", "start_date": start, "sessions": ["mon_am"],
            "head_decision_in_writing_on": school_today().isoformat(), **READY_TO_START}
    created = leader.post(f"/api/admin/schools/{demo.school().uuid}/placements", json=body)
    assert created.status_code == 201
    placement = created.get_json()
    assert [b for b in placement["activation_blockers"] if "§10.5" in b] == [
        "Record the date of the parents' written request for flexi-schooling (§10.5).",
        "Record who educates the child at home on home days (§10.5).",
        "Record who is responsible for the child's welfare on home days (§10.5)."]
    refused = leader.post(f"/api/admin/placements/{placement['id']}/status", json={"status": "active"})
    assert refused.status_code == 422 and refused.get_json()["code"] == "placement_not_ready"
    change = {k: v for k, v in body.items() if k != "pupil_id"} | {
        "flexi_request_received_on": school_today().isoformat(), "flexi_home_educator": "Mother, with a tutor",
        "flexi_home_welfare": "Mother"}
    updated = leader.put(f"/api/admin/placements/{placement['id']}", json=change)
    assert updated.status_code == 200
    assert not [b for b in updated.get_json()["activation_blockers"] if "§10.5" in b]
    future = leader.put(f"/api/admin/placements/{placement['id']}",
                        json=change | {"flexi_request_received_on": start})
    assert future.status_code == 422 and "flexi_request_received_on" in future.get_json()["details"]


def test_a_notice_of_withdrawal_keeps_four_weeks_unless_an_earlier_end_was_agreed(api_as, demo, unchanged):
    leader = api_as("ap_leader")
    placement = active_placement(demo, kind="flexi_schooling")
    path = f"/api/admin/placements/{placement.uuid}/flexi-notice"
    today = school_today()
    early = {"notice_by": "parents", "notice_on": today.isoformat(), "ends_on": (today + timedelta(days=7)).isoformat()}
    with unchanged():
        refused = leader.post(path, json=early)
        assert refused.status_code == 422
        assert "at the earliest" in refused.get_json()["details"]["ends_on"][0]
        tomorrow = leader.post(path, json={"notice_by": "parents", "notice_on": (today + timedelta(days=1)).isoformat()})
        assert tomorrow.status_code == 422
        not_flexi = leader.post(f"/api/admin/placements/{active_placement(demo).uuid}/flexi-notice",
                                json={"notice_by": "school", "notice_on": today.isoformat()})
        assert not_flexi.status_code == 422
    recorded = leader.post(path, json={"notice_by": "parents", "notice_on": today.isoformat()})
    assert recorded.status_code == 200, recorded.get_json()
    answer = recorded.get_json()
    assert answer["planned_end_date"] == (today + timedelta(weeks=4)).isoformat()
    assert (answer["flexi_notice_by"], answer["flexi_notice_on"]) == ("parents", today.isoformat())
    # Editing the agreement's end to sooner than the notice allows is refused too.
    current = leader.get(f"/api/admin/placements/{placement.uuid}").get_json()
    change = {k: v for k, v in current.items() if k in PLACEMENT_FIELDS} | {
        "staff": [person["id"] for person in current["staff"]]}
    sooner = leader.put(f"/api/admin/placements/{placement.uuid}",
                        json=change | {"planned_end_date": (today + timedelta(days=10)).isoformat()})
    assert sooner.status_code == 422, sooner.get_json()
    assert "at the earliest" in sooner.get_json()["details"]["planned_end_date"][0]
    db.session.expire_all()
    assert db.session.get(Placement, placement.id).planned_end_date == today + timedelta(weeks=4)


def test_the_office_records_a_notice_and_the_record_shows_it(office_as, demo):
    leader = office_as("ap_leader")
    placement = active_placement(demo, kind="flexi_schooling")
    today = school_today()
    too_soon = leader.post(f"/office/placements/{placement.uuid}/flexi-notice", data={
        "notice_by": "school", "notice_on": today.isoformat(), "ends_on": (today + timedelta(days=3)).isoformat(),
        "earlier_end_agreed": ""})
    assert too_soon.status_code == 422 and "at the earliest" in page_text(too_soon)
    saved = leader.post(f"/office/placements/{placement.uuid}/flexi-notice", data={
        "notice_by": "school", "notice_on": today.isoformat(), "ends_on": (today + timedelta(days=3)).isoformat(),
        "earlier_end_agreed": "Parents agreed with the headteacher by letter."})
    assert saved.status_code == 302
    text = page_text(leader.get(f"/office/placements/{placement.uuid}/record"))
    assert "Notice Notice of withdrawal given by the school" in text
    assert "Earlier end agreed: Parents agreed with the headteacher by letter." in text
    assert "Flexi-schooling ends on" in text


PLACEMENT_FIELDS = {
    "kind", "start_date", "planned_end_date", "sessions", "provider_id", "approved_by_id", "staff",
    "head_decision_in_writing_on", "flexi_request_received_on", "flexi_home_educator", "flexi_home_welfare",
    "la_informed_on", "qa_visit_every_weeks", "cost", "cost_basis", "aims", "planned_outcomes", "curriculum",
    "qualifications", "induction", "pastoral_arrangements", "attendance_arrangements", "safeguarding_arrangements",
    "free_school_meals", "exam_arrangements", "communication", "review_arrangements",
    "local_authority_consulted_name", "local_authority_consulted_on", "virtual_school_consulted_name",
    "virtual_school_consulted_on", "social_worker_consulted_name", "social_worker_consulted_on",
}


def test_signing_off_a_review_moves_every_phone_carrying_the_placement_to_a_new_snapshot(staff, api_as, office_as,
                                                                                          demo):
    placement = active_placement(demo)
    visit_uuid = str(uuid.uuid4())
    assert staff.put(f"/api/visits/{visit_uuid}", json=review_meeting(placement.uuid)).status_code == 201
    head_phone = api_as("headteacher")   # carries every placement of the school
    held = head_phone.get("/api/bootstrap").get_json()
    query = f"/api/bootstrap?since={held['cursor']}&due_as_of={held['due_as_of']}"
    assert head_phone.get(query).get_json()["unchanged"] is True
    assert office_as("ap_leader").post(f"/office/review/{visit_uuid}/sign-off", data={"version": "1"}).status_code == 302
    fresh = head_phone.get(query).get_json()
    assert fresh["unchanged"] is False
    [on_phone] = [p for p in fresh["placements"] if p["id"] == str(placement.uuid)]
    assert all("does not count" not in item["label"] for item in on_phone["due"])
