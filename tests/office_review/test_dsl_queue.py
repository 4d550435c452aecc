"""The DSL's queue: a concern raised on a visit is there as soon as the phone's PUT returns,
before its photos arrive, and stays until the DSL records the outcome. Its text is never
edited; notes and corrections are new entries; every read is audited."""
import uuid

import sqlalchemy as sa

from office_review.conftest import audit_actions
from office_review.scenario import qa_visit_with_concern
from server.extensions import db
from server.models import SafeguardingConcern, Visit


def concern_of(visit_uuid):
    visit = db.session.execute(sa.select(Visit).where(Visit.uuid == uuid.UUID(visit_uuid))).scalar_one()
    return db.session.execute(
        sa.select(SafeguardingConcern).where(SafeguardingConcern.visit_id == visit.id)).scalar_one()


def test_a_concern_appears_in_the_dsl_queue_after_sync(demo, phone, office_as):
    placement = demo.placements()[1]
    visit_uuid, receipt = qa_visit_with_concern(phone, placement, photo_count=1, send_photos=False,
                                                concern_text="Maya said someone at the farm shouted at her.")
    assert receipt["complete"] is False  # the photo has not arrived; the concern has
    concern = concern_of(visit_uuid)
    dsl = office_as("dsl")
    queue = dsl.get("/office/concerns").get_data(as_text=True)
    assert f"/office/concerns/{concern.uuid}" in queue
    assert "Maya Chowdhury" in queue
    assert "No action recorded yet" in queue
    page = dsl.get(f"/office/concerns/{concern.uuid}").get_data(as_text=True)
    assert "Maya said someone at the farm shouted at her." in page
    assert "Told the provider&#39;s DSL." in page


def test_the_queue_lists_open_concerns_oldest_first(demo, phone, office_as):
    first, _ = qa_visit_with_concern(phone, demo.placements()[0], concern_text="First concern.")
    second, _ = qa_visit_with_concern(phone, demo.placements()[1], concern_text="Second concern.")
    queue = office_as("dsl").get("/office/concerns").get_data(as_text=True)
    assert queue.index(str(concern_of(first).uuid)) < queue.index(str(concern_of(second).uuid))


def test_every_read_of_a_concern_is_audited(demo, phone, office_as):
    visit_uuid, _ = qa_visit_with_concern(phone, demo.placements()[0])
    concern = concern_of(visit_uuid)
    office_as("trust_lead").get(f"/office/concerns/{concern.uuid}")
    office_as("ap_leader").get(f"/office/placements/{demo.placements()[0].uuid}/record")
    reads = audit_actions("concern.read", concern.uuid)
    assert {(e.actor_id, e.details["page"]) for e in reads} == {
        (demo.user("trust_lead").id, "concern"), (demo.user("ap_leader").id, "placement_record")}
    office_as("dsl").get("/office/concerns")
    assert audit_actions("concern.queue_read")


def test_the_dsl_adds_notes_and_closes_the_concern_with_its_outcome(demo, phone, office_as):
    visit_uuid, _ = qa_visit_with_concern(phone, demo.placements()[0], concern_text="Original words.")
    concern = concern_of(visit_uuid)
    dsl = office_as("dsl")
    assert dsl.post(f"/office/concerns/{concern.uuid}/notes",
                    data={"kind": "dsl_action", "text": "Called the social worker."}).status_code == 302
    assert dsl.post(f"/office/concerns/{concern.uuid}/notes",
                    data={"kind": "correction", "text": "It was the bus stop, not the farm."}).status_code == 302
    assert dsl.post(f"/office/concerns/{concern.uuid}/close",
                    data={"outcome": "Referred to children's social care; plan agreed."}).status_code == 302
    db.session.expire_all()
    concern = concern_of(visit_uuid)
    assert concern.text == "Original words."  # never edited
    assert [(n.kind, n.text) for n in concern.notes] == [
        ("dsl_action", "Called the social worker."), ("correction", "It was the bus stop, not the farm.")]
    assert concern.closed_by_id == demo.user("dsl").id
    assert concern.outcome == "Referred to children's social care; plan agreed."
    assert audit_actions("concern.closed", concern.uuid)
    assert len(audit_actions("concern.note_added", concern.uuid)) == 2
    queue = dsl.get("/office/concerns").get_data(as_text=True)
    assert "No open concerns." in queue
    assert "Recently closed" in queue
    page = dsl.get(f"/office/concerns/{concern.uuid}").get_data(as_text=True)
    assert "Referred to children&#39;s social care" in page and "Close with this outcome" not in page


def test_closing_without_an_outcome_is_refused_and_the_concern_stays_open(demo, phone, office_as):
    visit_uuid, _ = qa_visit_with_concern(phone, demo.placements()[0])
    concern = concern_of(visit_uuid)
    response = office_as("dsl").post(f"/office/concerns/{concern.uuid}/close", data={"outcome": " "})
    assert response.status_code == 422
    assert "Write what was done" in response.get_data(as_text=True)
    assert concern_of(visit_uuid).closed_at is None
    assert audit_actions("concern.closed") == []


def test_a_note_with_an_unknown_kind_or_no_text_is_refused(demo, phone, office_as):
    visit_uuid, _ = qa_visit_with_concern(phone, demo.placements()[0])
    concern = concern_of(visit_uuid)
    dsl = office_as("dsl")
    for data in ({"kind": "rewrite", "text": "New words"}, {"kind": "note", "text": ""}, {"text": "no kind"}):
        assert dsl.post(f"/office/concerns/{concern.uuid}/notes", data=data).status_code == 422, data
    assert concern_of(visit_uuid).notes == []


def test_a_concern_can_be_closed_once(demo, phone, office_as):
    visit_uuid, _ = qa_visit_with_concern(phone, demo.placements()[0])
    concern = concern_of(visit_uuid)
    dsl = office_as("dsl")
    assert dsl.post(f"/office/concerns/{concern.uuid}/close", data={"outcome": "Monitored."}).status_code == 302
    again = dsl.post(f"/office/concerns/{concern.uuid}/close", data={"outcome": "Something else."})
    assert again.status_code == 422
    assert concern_of(visit_uuid).outcome == "Monitored."


def test_the_ap_leader_and_trust_lead_read_concerns_but_only_the_dsl_writes(demo, phone, office_as):
    visit_uuid, _ = qa_visit_with_concern(phone, demo.placements()[0])
    concern = concern_of(visit_uuid)
    for role in ("ap_leader", "trust_lead"):
        client = office_as(role)
        page = client.get(f"/office/concerns/{concern.uuid}").get_data(as_text=True)
        assert "Only the DSL adds to this record" in page
        assert client.post(f"/office/concerns/{concern.uuid}/notes",
                           data={"kind": "note", "text": "x"}).status_code == 403
        assert client.post(f"/office/concerns/{concern.uuid}/close", data={"outcome": "x"}).status_code == 403
    assert concern_of(visit_uuid).closed_at is None and concern_of(visit_uuid).notes == []


def test_the_dsl_reopens_a_closed_concern_with_a_reason_and_nothing_is_edited(demo, phone, office_as):
    placement = demo.placements()[0]
    visit_uuid, _ = qa_visit_with_concern(phone, placement)
    concern = concern_of(visit_uuid)
    dsl = office_as("dsl")
    assert dsl.post(f"/office/concerns/{concern.uuid}/close", data={"outcome": "Spoke to mum; no further action."}
                    ).status_code == 302
    refused = dsl.post(f"/office/concerns/{concern.uuid}/reopen", data={"reason": "  "})
    assert refused.status_code == 422 and "Say why the concern is reopened" in refused.get_data(as_text=True)
    assert concern_of(visit_uuid).closed_at is not None

    assert dsl.post(f"/office/concerns/{concern.uuid}/reopen",
                    data={"reason": "The provider called: a second bruise."}).status_code == 302
    reopened = concern_of(visit_uuid)
    assert reopened.closed_at is None and reopened.outcome is None
    assert [(n.kind, n.text) for n in reopened.notes] == [
        ("closed", "Spoke to mum; no further action."), ("reopened", "The provider called: a second bruise.")]
    assert audit_actions("concern.reopened", concern.uuid)
    assert f"/office/concerns/{concern.uuid}" in dsl.get("/office/concerns").get_data(as_text=True).split(
        "Recently closed")[0], "back in the open queue"
    assert dsl.post(f"/office/concerns/{concern.uuid}/reopen", data={"reason": "Again."}).status_code == 422

    assert dsl.post(f"/office/concerns/{concern.uuid}/close", data={"outcome": "Referred to children's social care."}
                    ).status_code == 302
    record = office_as("ap_leader").get(f"/office/placements/{placement.uuid}/record").get_data(as_text=True)
    steps = ["Spoke to mum; no further action.", "The provider called: a second bruise.",
             "Referred to children&#39;s social care."]
    assert [record.index(step) for step in steps] == sorted(record.index(step) for step in steps)
    assert "Concern: reopened" in record


def test_only_the_dsl_reopens_a_concern(demo, phone, office_as):
    visit_uuid, _ = qa_visit_with_concern(phone, demo.placements()[0])
    concern = concern_of(visit_uuid)
    assert office_as("dsl").post(f"/office/concerns/{concern.uuid}/close", data={"outcome": "Monitored."}
                                 ).status_code == 302
    for role in ("ap_leader", "trust_lead", "headteacher", "visiting_staff"):
        assert office_as(role).post(f"/office/concerns/{concern.uuid}/reopen",
                                    data={"reason": "I think so."}).status_code == 403
    assert concern_of(visit_uuid).closed_at is not None
    other = office_as("dsl", "hillcrest").post(f"/office/concerns/{concern.uuid}/reopen", data={"reason": "x"})
    assert other.status_code == 404
