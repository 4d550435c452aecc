"""The placement record, the provider record and the AP leader's home: what is owed, the
chronology in the order the school received things, photos served privately, actions marked
done and material changes recorded, each audited."""
import re
import uuid
from datetime import date, timedelta

import sqlalchemy as sa

from office_review.conftest import audit_actions
from office_review.scenario import qa_visit_with_concern
from rollup.factories import at, make_action, make_concern, make_visit
from server.dates import school_today
from server.extensions import db
from server.models import FollowUpAction, Photo, RiskAssessment, Visit


def record_url(placement):
    return f"/office/placements/{placement.uuid}/record"


def test_the_chronology_is_in_server_order_with_the_phones_time_beside_it(demo, office_as):
    placement = demo.placements()[0]
    visitor = demo.user("visiting_staff")
    today = date.today()
    # The phone's clock was wrong: the later-received visit claims an earlier time.
    first = make_visit(visitor, "qa_visit", today - timedelta(days=3), placement=placement,
                       received_at=at(today - timedelta(days=3), 15), device_at=at(today - timedelta(days=3), 14))
    second = make_visit(visitor, "welfare_check", today - timedelta(days=2), placement=placement, mode="home_visit",
                        received_at=at(today - timedelta(days=2), 9), device_at=at(today - timedelta(days=9), 8))
    make_concern(second, text="Worried about the home.", received_at=at(today - timedelta(days=2), 9, 1))
    page = office_as("ap_leader").get(record_url(placement)).get_data(as_text=True)
    chronology = page[page.index('id="chronology-heading"'):]
    order = [chronology.index(text) for text in ("Quality-assurance visit received", "Welfare check received",
                                                  "Safeguarding concern raised")]
    assert order == sorted(order)
    assert "phone: " in chronology
    assert "Worried about the home." in chronology
    assert f"/office/review/{first.uuid}" in chronology
    assert audit_actions("placement.record_read", placement.uuid)


def test_review_decisions_and_photos_join_the_chronology(demo, phone, office_as):
    placement = demo.placements()[0]
    visit_uuid, _ = qa_visit_with_concern(phone, placement)
    leader = office_as("ap_leader")
    leader.post(f"/office/review/{visit_uuid}/send-back", data={"version": "1", "comment": "Add the lesson."})
    leader.post(f"/office/review/{visit_uuid}/sign-off", data={"version": "1"})
    page = leader.get(record_url(placement)).get_data(as_text=True)
    assert page.index("Quality-assurance visit sent back") < page.index("Quality-assurance visit signed off")
    assert "Add the lesson." in page
    assert "Photo received" in page
    photo = db.session.execute(sa.select(Photo).join(Visit).where(Visit.uuid == uuid.UUID(visit_uuid))).scalar_one()
    assert f"/office/photos/{photo.uuid}/thumb" in page and f"/office/photos/{photo.uuid}/full" in page


def test_people_who_may_not_read_concerns_see_the_record_without_them(demo, office_as):
    placement = demo.placements()[0]
    visit = make_visit(demo.user("visiting_staff"), "qa_visit", date.today(), placement=placement)
    make_concern(visit, text="Confidential detail.")
    for role in ("admin", "headteacher"):
        page = office_as(role).get(record_url(placement)).get_data(as_text=True)
        assert "Confidential detail." not in page and "Safeguarding concern raised" not in page
    assert audit_actions("concern.read") == []


def test_photos_are_served_privately_and_never_cached(demo, phone, office_as):
    visit_uuid, _ = qa_visit_with_concern(phone, demo.placements()[0])
    photo = db.session.execute(sa.select(Photo).join(Visit).where(Visit.uuid == uuid.UUID(visit_uuid))).scalar_one()
    leader = office_as("ap_leader")
    for size in ("full", "thumb"):
        response = leader.get(f"/office/photos/{photo.uuid}/{size}")
        assert response.status_code == 200
        assert response.mimetype == "image/jpeg"
        assert response.headers["Cache-Control"] == "private, no-store"
        assert response.data[:2] == b"\xff\xd8"
    assert leader.get(f"/office/photos/{photo.uuid}/original").status_code == 404
    assert office_as("ap_leader", "hillcrest").get(f"/office/photos/{photo.uuid}/full").status_code == 404
    assert office_as("governor").get(f"/office/photos/{photo.uuid}/full").status_code == 403


def test_opening_a_photo_at_full_size_is_audited(demo, phone, office_as):
    visit_uuid, _ = qa_visit_with_concern(phone, demo.placements()[0])
    photo = db.session.execute(sa.select(Photo).join(Visit).where(Visit.uuid == uuid.UUID(visit_uuid))).scalar_one()
    office_as("dsl").get(f"/office/photos/{photo.uuid}/thumb")
    assert audit_actions("photo.read") == []
    office_as("dsl").get(f"/office/photos/{photo.uuid}/full")
    office_as("ap_leader", "hillcrest").get(f"/office/photos/{photo.uuid}/full")  # another school's: 404
    [read] = audit_actions("photo.read", photo.uuid)
    assert (read.actor_id, read.school_id, read.details["visit"]) == (
        demo.user("dsl").id, demo.school().id, visit_uuid)


def test_a_photo_that_has_not_arrived_is_not_found(demo, phone, office_as):
    visit_uuid, _ = qa_visit_with_concern(phone, demo.placements()[0], send_photos=False)
    photo = db.session.execute(sa.select(Photo).join(Visit).where(Visit.uuid == uuid.UUID(visit_uuid))).scalar_one()
    assert office_as("ap_leader").get(f"/office/photos/{photo.uuid}/full").status_code == 404


def test_marking_an_action_done_is_audited_and_it_leaves_what_is_owed(demo, office_as):
    placement = demo.placements()[0]
    action = make_action(demo.school(), date.today() - timedelta(days=2), placement=placement,
                         description="Book the careers interview")
    leader = office_as("ap_leader")
    before = leader.get(record_url(placement)).get_data(as_text=True)
    owed = before[before.index('id="due-heading"'):before.index('id="pupil-heading"')]
    assert "Book the careers interview" in owed
    response = leader.post(f"/office/actions/{action.uuid}/done", data={"note": "Booked for 3 December."})
    assert response.status_code == 302
    db.session.expire_all()
    done = db.session.get(FollowUpAction, action.id)
    assert done.done_by_id == demo.user("ap_leader").id and done.done_note == "Booked for 3 December."
    assert audit_actions("action.done", action.uuid)
    after = leader.get(record_url(placement)).get_data(as_text=True)
    assert "Book the careers interview" not in after[after.index('id="due-heading"'):after.index('id="pupil-heading"')]
    assert "Follow-up action done" in after
    again = leader.post(f"/office/actions/{action.uuid}/done", data={})
    assert again.status_code == 422 and "already marked done" in again.get_data(as_text=True)


def test_recording_a_material_change_asks_for_a_risk_assessment_review(demo, office_as):
    provider = demo.placements()[0].provider
    leader = office_as("ap_leader")
    url = f"/office/providers/{provider.uuid}/record"
    refused = leader.post(f"/office/providers/{provider.uuid}/material-change", data={"reason": ""})
    assert refused.status_code == 422 and "Say what changed" in refused.get_data(as_text=True)
    assert all(r.review_requested_at is None for r in provider.risk_assessments)
    response = leader.post(f"/office/providers/{provider.uuid}/material-change",
                           data={"reason": "Moved to a new site on Mill Lane."})
    assert response.status_code == 302
    assessment = db.session.execute(sa.select(RiskAssessment).where(RiskAssessment.provider_id == provider.id)
                                    .order_by(RiskAssessment.assessed_on.desc())).scalars().first()
    assert assessment.review_reason == "Moved to a new site on Mill Lane."
    assert audit_actions("risk_assessment.review_requested", assessment.uuid)
    page = leader.get(url).get_data(as_text=True)
    assert "Risk assessment review after a material change: Moved to a new site on Mill Lane." in page
    home = leader.get("/office/").get_data(as_text=True)
    assert "Risk assessment review after a material change" in home


def test_a_planned_placement_shows_what_stops_it_starting(demo, office_as):
    planned = next(p for p in demo.placements() if p.status == "planned")
    leader = office_as("ap_leader")
    assert "Nothing stops this placement starting" in leader.get(record_url(planned)).get_data(as_text=True)
    leader.post(f"/office/providers/{planned.provider.uuid}/material-change", data={"reason": "New owner."})
    page = leader.get(record_url(planned)).get_data(as_text=True)
    blockers = page[page.index('id="blockers-heading"'):page.index('id="due-heading"')]
    assert re.search(r"review of the risk assessment .* was requested", blockers)


def test_the_provider_record_shows_registration_evidence_and_placements(demo, office_as):
    provider = demo.placements()[0].provider
    page = office_as("admin").get(f"/office/providers/{provider.uuid}/record").get_data(as_text=True)
    assert "Ofsted-registered independent school" in page
    assert "Written confirmation of staff checks" in page
    # The demo letter runs out 10 days after the demo was made; the page counts from today in England.
    assert f"Expires in {(date.today() + timedelta(days=10) - school_today()).days} days" in page
    assert demo.placements()[0].pupil.full_name in page
    assert "Record a material change" not in page  # the AP leader and headteacher record those
    assert "Record a material change" in office_as("headteacher").get(
        f"/office/providers/{provider.uuid}/record").get_data(as_text=True)
