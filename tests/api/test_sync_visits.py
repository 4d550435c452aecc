"""The sync protocol for visits: idempotent by UUID, 409 on changed content, revisions that
name what they replace, answers checked against the shared form, scoped to the author's school."""
import uuid

import pytest
import sqlalchemy as sa

from server.extensions import db
from server.models import AuditEvent, FollowUpAction, Photo, SafeguardingConcern, Visit, VisitVersion
from server.vocabulary import LIMITS
from tests import payloads


def count(model):
    return db.session.execute(sa.select(sa.func.count()).select_from(model)).scalar()


def test_a_new_visit_is_created_and_an_identical_resend_returns_the_same_receipt(staff, placement):
    visit_id = uuid.uuid4()
    body = payloads.qa_visit(placement.uuid)
    first = staff.put(f"/api/visits/{visit_id}", json=body)
    assert first.status_code == 201
    again = staff.put(f"/api/visits/{visit_id}", json=body)
    assert again.status_code == 200
    assert again.get_json() == first.get_json()
    assert first.get_json()["complete"] is True and first.get_json()["version"] == 1
    assert count(Visit) == 1 and count(VisitVersion) == 1


def test_key_order_does_not_make_a_resend_look_different(staff, placement):
    visit_id = uuid.uuid4()
    body = payloads.qa_visit(placement.uuid)
    assert staff.put(f"/api/visits/{visit_id}", json=body).status_code == 201
    reordered = dict(reversed(list(body.items())))
    assert staff.put(f"/api/visits/{visit_id}", json=reordered).status_code == 200


def test_changed_content_without_naming_the_current_version_is_a_conflict(staff, placement):
    visit_id = uuid.uuid4()
    staff.put(f"/api/visits/{visit_id}", json=payloads.qa_visit(placement.uuid))
    changed = payloads.qa_visit(placement.uuid, findings="Something else entirely.")
    response = staff.put(f"/api/visits/{visit_id}", json=changed)
    assert response.status_code == 409
    body = response.get_json()
    assert body["code"] == "visit_version_conflict"
    assert body["details"]["current_version"] == 1
    assert body["details"]["stored"]["answers"]["findings"]["value"] == "Settled, engaged in the workshop."
    assert count(VisitVersion) == 1


def test_a_correction_naming_the_current_version_becomes_a_new_version_pointing_at_the_old(staff, placement):
    visit_id = uuid.uuid4()
    staff.put(f"/api/visits/{visit_id}", json=payloads.qa_visit(placement.uuid))
    corrected = payloads.qa_visit(placement.uuid, findings="Corrected findings.")
    corrected["base_version"] = 1
    response = staff.put(f"/api/visits/{visit_id}", json=corrected)
    assert response.status_code == 201
    assert response.get_json()["version"] == 2
    versions = db.session.execute(sa.select(VisitVersion).order_by(VisitVersion.version)).scalars().all()
    assert [v.version for v in versions] == [1, 2]
    assert versions[1].replaces_id == versions[0].id
    assert versions[0].answers["findings"]["value"] == "Settled, engaged in the workshop."
    # The acknowledgement of the correction was lost: the phone resends it, still naming version 1.
    assert staff.put(f"/api/visits/{visit_id}", json=corrected).status_code == 200
    assert count(VisitVersion) == 2


def test_answers_that_fail_the_form_are_refused_and_nothing_is_stored(staff, placement):
    body = payloads.qa_visit(placement.uuid)
    body["answers"]["spoke_with_pupil"] = {"value": "no"}  # needs a note and an action
    response = staff.put(f"/api/visits/{uuid.uuid4()}", json=body)
    assert response.status_code == 422
    assert response.get_json()["code"] == "form_answers_invalid"
    assert set(response.get_json()["details"]["errors"]["spoke_with_pupil"]) == {"note_required", "action_required"}
    assert count(Visit) == 0 and count(VisitVersion) == 0


def test_an_unknown_form_version_is_refused(staff, placement):
    body = payloads.qa_visit(placement.uuid)
    body["form_version"] = 99
    response = staff.put(f"/api/visits/{uuid.uuid4()}", json=body)
    assert response.status_code == 422 and response.get_json()["code"] == "unknown_form"


def test_a_concern_reaches_the_dsl_queue_as_soon_as_the_visit_lands_before_its_photos(staff, placement):
    photo = payloads.manifest_entry(payloads.jpeg_bytes())
    body = payloads.qa_visit(placement.uuid, photos=[photo], concern=payloads.concern())
    response = staff.put(f"/api/visits/{uuid.uuid4()}", json=body)
    assert response.status_code == 201 and response.get_json()["complete"] is False
    concern = db.session.execute(sa.select(SafeguardingConcern)).scalar_one()
    assert concern.closed_at is None and concern.pupil_id == placement.pupil_id
    assert concern.text == body["concern"]["text"]


def test_a_changed_concern_text_is_kept_as_a_correction_never_an_edit(staff, placement):
    visit_id = uuid.uuid4()
    raised = payloads.concern("First wording.")
    staff.put(f"/api/visits/{visit_id}", json=payloads.qa_visit(placement.uuid, concern=raised))
    corrected = payloads.qa_visit(placement.uuid, concern=dict(raised, text="Second wording."))
    corrected["base_version"] = 1
    assert staff.put(f"/api/visits/{visit_id}", json=corrected).status_code == 201
    concern = db.session.execute(sa.select(SafeguardingConcern)).scalar_one()
    assert concern.text == "First wording."
    assert [(n.kind, n.text) for n in concern.notes] == [("correction", "Second wording.")]


def test_actions_are_created_once_however_often_the_visit_is_resent(staff, placement):
    visit_id = uuid.uuid4()
    body = payloads.qa_visit(placement.uuid, actions=[payloads.action()])
    staff.put(f"/api/visits/{visit_id}", json=body)
    staff.put(f"/api/visits/{visit_id}", json=body)
    assert count(FollowUpAction) == 1


@pytest.mark.parametrize("role", ["visiting_staff", "ap_leader", "dsl"])
def test_a_placement_of_another_school_answers_not_found(make_api, demo, role):
    api = make_api()
    api.sign_in(demo.email(role, "hillcrest"))
    placement = demo.placements("riverside")[0]
    response = api.put(f"/api/visits/{uuid.uuid4()}", json=payloads.qa_visit(placement.uuid))
    assert response.status_code == 404 and response.get_json()["code"] == "not_found"
    assert count(Visit) == 0


def test_governors_cannot_send_visits(make_api, demo):
    api = make_api()
    api.sign_in(demo.email("governor"))
    response = api.put(f"/api/visits/{uuid.uuid4()}", json=payloads.qa_visit(demo.placements()[0].uuid))
    assert response.status_code == 403


def test_someone_elses_visit_uuid_answers_not_found(make_api, demo):
    author, other = make_api(), make_api()
    author.sign_in(demo.email("visiting_staff"))
    other.sign_in(demo.email("ap_leader"))
    visit_id = uuid.uuid4()
    body = payloads.qa_visit(demo.placements()[0].uuid)
    assert author.put(f"/api/visits/{visit_id}", json=body).status_code == 201
    assert other.put(f"/api/visits/{visit_id}", json=body).status_code == 404
    assert other.get(f"/api/visits/{visit_id}").status_code == 404
    assert author.get(f"/api/visits/{visit_id}").get_json()["version"] == 1


def test_a_visit_being_created_is_audited(staff, placement):
    visit_id = uuid.uuid4()
    staff.put(f"/api/visits/{visit_id}", json=payloads.qa_visit(placement.uuid, concern=payloads.concern()))
    actions = set(db.session.execute(sa.select(AuditEvent.action)).scalars())
    assert {"visit.created", "concern.raised"} <= actions


def test_discarding_unsent_visits_on_a_phone_is_recorded(staff):
    ids = [str(uuid.uuid4()), str(uuid.uuid4())]
    response = staff.post("/api/visits/discarded", json={"visit_ids": ids, "confirmed_at": payloads.phone_clock_now()})
    assert response.status_code == 200 and response.get_json() == {"recorded": 2}
    details = db.session.execute(sa.select(AuditEvent.details).where(
        AuditEvent.action == "visit.discarded_on_phone")).scalars().all()
    assert sorted(d["visit"] for d in details) == sorted(ids)


def _discarded_ids():
    return sorted(d["visit"] for d in db.session.execute(sa.select(AuditEvent.details).where(
        AuditEvent.action == "visit.discarded_on_phone")).scalars())


def test_a_discard_naming_someone_elses_visit_writes_nothing_about_it(make_api, demo):
    """A phone only discards its own person's visits: another's id is a made-up claim."""
    author, other = make_api(), make_api()
    author.sign_in(demo.email("visiting_staff"))
    other.sign_in(demo.email("ap_leader"))
    theirs = str(uuid.uuid4())
    assert author.put(f"/api/visits/{theirs}", json=payloads.qa_visit(demo.placements()[0].uuid)).status_code == 201
    draft = str(uuid.uuid4())   # never sent: the server has only the phone's word for it
    response = other.post("/api/visits/discarded", json={"visit_ids": [theirs, draft],
                                                         "confirmed_at": "2026-11-30T10:00:00Z"})
    assert response.status_code == 200 and response.get_json() == {"recorded": 1}
    assert _discarded_ids() == [draft]


def test_a_discard_sent_again_is_recorded_once(staff, placement):
    sent = str(uuid.uuid4())
    assert staff.put(f"/api/visits/{sent}", json=payloads.qa_visit(placement.uuid)).status_code == 201
    body = {"visit_ids": [sent, str(uuid.uuid4())], "confirmed_at": "2026-11-30T10:00:00Z"}
    assert staff.post("/api/visits/discarded", json=body).get_json() == {"recorded": 2}
    # The phone resends its discard log when it never saw the answer.
    assert staff.post("/api/visits/discarded", json=body).get_json() == {"recorded": 0}
    assert _discarded_ids() == sorted(body["visit_ids"])
    on_server = db.session.execute(sa.select(AuditEvent).where(
        AuditEvent.action == "visit.discarded_on_phone", AuditEvent.object_id == sent)).scalar_one()
    assert on_server.school_id == placement.school_id and on_server.details["held_by_server"] is True


def test_photo_rows_come_from_the_manifest(staff, placement):
    photos = [payloads.manifest_entry(payloads.jpeg_bytes()) for _ in range(2)]
    response = staff.put(f"/api/visits/{uuid.uuid4()}", json=payloads.qa_visit(placement.uuid, photos=photos))
    assert sorted(response.get_json()["missing_photos"]) == sorted(p["uuid"] for p in photos)
    assert count(Photo) == 2


def _with_text(placement_uuid, box, text):
    """A QA visit whose `box` (a name in vocabulary.json "limits") holds `text`."""
    body = payloads.qa_visit(placement_uuid, concern=payloads.concern(), actions=[payloads.action()])
    if box == "answer":
        body["answers"]["findings"]["value"] = text
    elif box == "note":
        body["answers"]["lessons_observed"]["note"] = text
    elif box == "action_description":
        body["actions"][0]["description"] = text
    elif box == "concern_text":
        body["concern"]["text"] = text
    else:
        body["concern"]["immediate_action"] = text
    return body


BOXES = {"answer": "form_answers_invalid", "note": "form_answers_invalid",
         "action_description": "validation_failed", "concern_text": "validation_failed",
         "concern_immediate_action": "validation_failed"}


@pytest.mark.parametrize("box", BOXES)
def test_text_over_the_shared_limit_is_refused_whole_and_at_the_limit_is_kept_whole(staff, placement, box):
    limit = LIMITS[box]
    over = staff.put(f"/api/visits/{uuid.uuid4()}", json=_with_text(placement.uuid, box, "é" * (limit + 1)))
    assert over.status_code == 422 and over.get_json()["code"] == BOXES[box]
    assert count(Visit) == 0
    at = staff.put(f"/api/visits/{uuid.uuid4()}", json=_with_text(placement.uuid, box, "é" * limit))
    assert at.status_code == 201
    version = db.session.execute(sa.select(VisitVersion)).scalar_one()
    action = db.session.execute(sa.select(FollowUpAction)).scalar_one()
    concern = db.session.execute(sa.select(SafeguardingConcern)).scalar_one()
    kept = [version.answers["findings"]["value"], version.answers["lessons_observed"].get("note"),
            action.description, concern.text, concern.immediate_action]
    assert "é" * limit in kept
