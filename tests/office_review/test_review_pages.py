"""The review queue and a visit's review page: visits synced through the real API are laid out
as their form shows them, then signed off (a provider check becomes the provider's risk
assessment) or sent back with a comment the phone sees in its next pull."""
import re
import uuid

import sqlalchemy as sa

from office_review.conftest import audit_actions
from office_review.scenario import online_provider, provider_check, qa_visit_with_concern, send_visit
from server.extensions import db
from server.models import RiskAssessment, SafeguardingConcern, Visit
from server.services.risk_assessments import add_months
from tests import payloads


def visit_row(visit_uuid):
    return db.session.execute(sa.select(Visit).where(Visit.uuid == uuid.UUID(visit_uuid))).scalar_one()


def my_visit(phone, visit_uuid):
    snapshot = phone.get("/api/bootstrap").get_json()
    return next(v for v in snapshot["my_visits"] if v["id"] == visit_uuid)


def test_a_synced_visit_waits_in_the_queue_with_its_missing_photos_counted(demo, phone, office_as):
    visit_uuid, receipt = qa_visit_with_concern(phone, demo.placements()[0], photo_count=2, send_photos=False)
    assert len(receipt["missing_photos"]) == 2
    page = office_as("ap_leader").get("/office/review").get_data(as_text=True)
    assert f"/office/review/{visit_uuid}" in page
    assert "2 photos missing" in page
    assert "Safeguarding concern" in page


def test_the_review_page_shows_answers_with_the_forms_labels_in_form_order(demo, phone, office_as):
    visit_uuid, _ = qa_visit_with_concern(phone, demo.placements()[0], concern_text="He said he is scared of the bus.")
    page = office_as("ap_leader").get(f"/office/review/{visit_uuid}").get_data(as_text=True)
    labels = ["Who was there?", "Did you speak with the provider&#39;s staff?", "Did you look at the pupil&#39;s work?",
              "Photos of the pupil&#39;s work", "What did you find?", "What did the pupil tell you?"]
    positions = [page.index(label) for label in labels]
    assert positions == sorted(positions)
    assert "Workshop lead (Provider staff)" in page
    assert "Settled, engaged in the workshop." in page
    assert "He said he is scared of the bus." in page
    assert "Send the pupil&#39;s timetable to parents." in page
    photo = visit_row(visit_uuid).photos[0]
    assert f"/office/photos/{photo.uuid}/thumb" in page
    assert audit_actions("concern.read")  # the AP leader read the concern on this page


def test_signing_off_a_visit_is_recorded_audited_and_seen_by_the_phone(demo, phone, office_as):
    visit_uuid, _ = qa_visit_with_concern(phone, demo.placements()[0])
    leader = office_as("ap_leader")
    response = leader.post(f"/office/review/{visit_uuid}/sign-off", data={"version": "1", "comment": "Thorough."})
    assert response.status_code == 302
    visit = visit_row(visit_uuid)
    assert visit.review_status == "signed_off"
    assert visit.reviewed_by_id == demo.user("ap_leader").id
    assert [e.details["comment"] for e in audit_actions("visit.signed_off", visit_uuid)] == ["Thorough."]
    seen = my_visit(phone, visit_uuid)
    assert (seen["review_status"], seen["review_comment"]) == ("signed_off", "Thorough.")
    assert f"/office/review/{visit_uuid}" not in leader.get("/office/review").get_data(as_text=True)


def test_signing_off_a_provider_check_makes_the_providers_risk_assessment(demo, phone, office_as):
    provider = online_provider(demo.school())
    visit_uuid, _ = provider_check(phone, provider)
    before = len(provider.risk_assessments)
    leader = office_as("ap_leader")
    page = leader.get(f"/office/review/{visit_uuid}").get_data(as_text=True)
    assert 'class="value prewrap flagged">Weak or out of date' in page  # what needs action stands out
    assert 'class="value prewrap">In place and fine' in page
    assert leader.post(f"/office/review/{visit_uuid}/sign-off", data={"version": "1"}).status_code == 302
    visit = visit_row(visit_uuid)
    assessment = db.session.execute(
        sa.select(RiskAssessment).where(RiskAssessment.visit_id == visit.id)).scalar_one()
    assert len(db.session.execute(sa.select(RiskAssessment).where(
        RiskAssessment.provider_id == provider.id)).scalars().all()) == before + 1
    assert assessment.rating == "medium"
    assert assessment.assessed_on == visit.visit_date
    assert assessment.valid_until == add_months(visit.visit_date, 12)
    assert assessment.signed_off_by_id == demo.user("ap_leader").id
    assert "Anti-bullying policy is out of date." in assessment.weaknesses
    assert "Anti-bullying policy: Weak or out of date — Last reviewed in 2019." in assessment.weaknesses
    assert "Safeguarding policy" not in assessment.weaknesses  # in place: not a weakness
    assert audit_actions("risk_assessment.created", assessment.uuid)
    page = leader.get(f"/office/providers/{provider.uuid}/record").get_data(as_text=True)
    assert "Medium risk" in page and "Last reviewed in 2019." in page


def test_a_sent_back_visit_shows_the_comment_on_the_phone(demo, phone, office_as):
    placement = demo.placements()[0]
    visit_uuid, _ = qa_visit_with_concern(phone, placement)
    leader = office_as("ap_leader")
    comment = "Say which lesson you watched, please."
    assert leader.post(f"/office/review/{visit_uuid}/send-back",
                       data={"version": "1", "comment": comment}).status_code == 302
    seen = my_visit(phone, visit_uuid)
    assert (seen["review_status"], seen["review_comment"]) == ("sent_back", comment)
    assert comment in leader.get("/office/review?show=sent_back").get_data(as_text=True)
    assert audit_actions("visit.sent_back", visit_uuid)[0].details["comment"] == comment
    # The author corrects it: a new version goes back into the queue, awaiting review.
    corrected = payloads.qa_visit(placement.uuid, findings="Watched a maths lesson; settled and engaged.")
    corrected["base_version"] = 1
    response = phone.put(f"/api/visits/{visit_uuid}", json=corrected)
    assert response.status_code == 201
    assert visit_row(visit_uuid).review_status == "awaiting_review"
    page = leader.get(f"/office/review/{visit_uuid}").get_data(as_text=True)
    assert "Watched a maths lesson" in page
    assert f"/office/review/{visit_uuid}?version=1" in page
    # The first version stays readable as it was sent; decisions are only offered on the current one.
    first = leader.get(f"/office/review/{visit_uuid}?version=1").get_data(as_text=True)
    assert "Settled, engaged in the workshop." in first and "Watched a maths lesson" not in first
    assert "You are reading version 1" in first and "/sign-off" not in first


def test_sending_back_without_a_comment_is_refused_and_changes_nothing(demo, phone, office_as):
    visit_uuid, _ = qa_visit_with_concern(phone, demo.placements()[0])
    response = office_as("ap_leader").post(f"/office/review/{visit_uuid}/send-back",
                                           data={"version": "1", "comment": "  "})
    assert response.status_code == 422
    assert "Write what needs correcting" in response.get_data(as_text=True)
    assert visit_row(visit_uuid).review_status == "awaiting_review"
    assert audit_actions("visit.sent_back") == []


def test_signing_off_with_photos_missing_needs_an_explicit_tick(demo, phone, office_as):
    visit_uuid, _ = qa_visit_with_concern(phone, demo.placements()[0], photo_count=2, send_photos=False)
    leader = office_as("ap_leader")
    refused = leader.post(f"/office/review/{visit_uuid}/sign-off", data={"version": "1"})
    assert refused.status_code == 422
    assert "2 photo(s) have not arrived yet" in refused.get_data(as_text=True)
    assert visit_row(visit_uuid).review_status == "awaiting_review"
    accepted = leader.post(f"/office/review/{visit_uuid}/sign-off", data={"version": "1", "accept_incomplete": "yes"})
    assert accepted.status_code == 302
    assert visit_row(visit_uuid).review_status == "signed_off"
    assert audit_actions("visit.signed_off", visit_uuid)[0].details["missing_photos"] == 2


def test_a_decision_about_a_version_that_has_been_replaced_is_refused(demo, phone, office_as):
    placement = demo.placements()[0]
    visit_uuid, _ = send_visit(phone, payloads.qa_visit(placement.uuid))
    corrected = payloads.qa_visit(placement.uuid, findings="A corrected account.")
    corrected["base_version"] = 1
    assert phone.put(f"/api/visits/{visit_uuid}", json=corrected).status_code == 201
    response = office_as("ap_leader").post(f"/office/review/{visit_uuid}/sign-off", data={"version": "1"})
    assert response.status_code == 422
    assert "Version 2 of this visit arrived" in response.get_data(as_text=True)
    assert visit_row(visit_uuid).review_status == "awaiting_review"


def test_a_visit_is_signed_off_once_and_makes_one_risk_assessment(demo, phone, office_as):
    provider = online_provider(demo.school())
    visit_uuid, _ = provider_check(phone, provider)
    leader = office_as("ap_leader")
    assert leader.post(f"/office/review/{visit_uuid}/sign-off", data={"version": "1"}).status_code == 302
    again = office_as("headteacher").post(f"/office/review/{visit_uuid}/sign-off", data={"version": "1"})
    assert again.status_code == 422
    assert "already signed off" in again.get_data(as_text=True)
    visit = visit_row(visit_uuid)
    assert len(db.session.execute(sa.select(RiskAssessment).where(RiskAssessment.visit_id == visit.id)).all()) == 1


def test_bad_form_input_is_refused_with_a_message(demo, phone, office_as):
    visit_uuid, _ = qa_visit_with_concern(phone, demo.placements()[0])
    leader = office_as("ap_leader")
    for data, message in (({"version": "one"}, "Version: Not a valid integer."),
                          ({"version": "1", "smuggled": "x"}, "Smuggled: Unknown field."),
                          ({}, "Version: Missing data for required field.")):
        response = leader.post(f"/office/review/{visit_uuid}/sign-off", data=data)
        assert response.status_code == 422, data
        page = response.get_data(as_text=True)
        assert re.search(r'class="flash error error-summary" role="alert"', page)
        assert message in page
    assert visit_row(visit_uuid).review_status == "awaiting_review"


def test_a_trust_lead_reads_the_review_page_but_cannot_decide(demo, phone, office_as):
    visit_uuid, _ = qa_visit_with_concern(phone, demo.placements()[0])
    trust_lead = office_as("trust_lead")
    page = trust_lead.get(f"/office/review/{visit_uuid}").get_data(as_text=True)
    assert "Settled, engaged in the workshop." in page
    assert "/sign-off" not in page and "/send-back" not in page
    assert trust_lead.post(f"/office/review/{visit_uuid}/sign-off", data={"version": "1"}).status_code == 403
    assert visit_row(visit_uuid).review_status == "awaiting_review"


def test_a_headteacher_reviewing_sees_that_a_concern_exists_but_not_its_text(demo, phone, office_as):
    visit_uuid, _ = qa_visit_with_concern(phone, demo.placements()[0], concern_text="Bruises on his arm.")
    page = office_as("headteacher").get(f"/office/review/{visit_uuid}").get_data(as_text=True)
    assert "A safeguarding concern was raised on this visit" in page
    assert "Bruises on his arm." not in page


def test_nobody_signs_off_their_own_visit_or_provider_check(demo, make_api, office_as):
    leader_phone = make_api()
    assert leader_phone.sign_in(demo.email("ap_leader")).status_code == 200
    check_uuid, _ = provider_check(leader_phone, online_provider(demo.school()))
    visit_uuid, _ = qa_visit_with_concern(leader_phone, demo.placements()[0])
    leader = office_as("ap_leader")
    for own in (check_uuid, visit_uuid):
        refused = leader.post(f"/office/review/{own}/sign-off", data={"version": "1"})
        assert refused.status_code == 422 and "someone else signs it off" in refused.get_data(as_text=True)
        assert visit_row(own).review_status == "awaiting_review"
    assert not db.session.execute(sa.select(RiskAssessment).where(
        RiskAssessment.visit_id == visit_row(check_uuid).id)).first()
    head = office_as("headteacher")
    assert head.post(f"/office/review/{check_uuid}/sign-off", data={"version": "1"}).status_code == 302
    assert visit_row(check_uuid).reviewed_by_id == demo.user("headteacher").id


def test_after_a_correction_the_pages_label_the_earlier_send_back_and_mention_the_correction(demo, phone, office_as):
    placement = demo.placements()[0]
    visit_uuid, _ = qa_visit_with_concern(phone, placement, concern_text="He said he is scared of the bus.")
    leader = office_as("ap_leader")
    comment = "Say which lesson you watched, please."
    assert leader.post(f"/office/review/{visit_uuid}/send-back",
                       data={"version": "1", "comment": comment}).status_code == 302
    corrected = payloads.qa_visit(placement.uuid, findings="Watched a maths lesson; settled and engaged.",
                                  concern=payloads.concern("He said he is scared of the bus."))
    corrected["base_version"] = 1
    assert phone.put(f"/api/visits/{visit_uuid}", json=corrected).status_code == 201

    page = leader.get(f"/office/review/{visit_uuid}").get_data(as_text=True)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    leader_name = demo.user("ap_leader").full_name
    earlier = rf"Earlier review Sent back on .+ by {leader_name} \(version 1\): {re.escape(comment)}"
    assert re.search(earlier, text), text
    assert "Awaiting review (corrected: version 2)" in text
    assert "Awaiting review by" not in text  # nobody was assigned: the name was the earlier reviewer's

    concern = db.session.execute(sa.select(SafeguardingConcern).join(Visit).where(Visit.uuid == uuid.UUID(visit_uuid))
                                 .order_by(SafeguardingConcern.id)).scalars().first()
    concern_page = office_as("dsl").get(f"/office/concerns/{concern.uuid}").get_data(as_text=True)
    concern_text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", concern_page))
    assert "The visit was sent back and corrected since: version 2" in concern_text
