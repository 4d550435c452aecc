"""Each person's alert choices, the administrator's failed alerts and the development mail
folder, as pages."""
import uuid

import pytest
import sqlalchemy as sa

from server.extensions import db
from server.models import Alert, AuditEvent
from server.permissions import roles_with
from server.services import alert_delivery, alerts
from server.vocabulary import ROLES
from tests import payloads


def test_the_dsl_cannot_turn_off_concern_alerts(office_as, demo, staff, placement):
    dsl = office_as("dsl")
    page = dsl.get("/office/my-alerts").get_data(as_text=True)
    assert 'id="receive-concern_raised"' in page and "cannot be turned off" in page
    assert dsl.post("/office/my-alerts", data={}).status_code == 302  # every box unticked
    staff.put(f"/api/visits/{uuid.uuid4()}", json=payloads.qa_visit(placement.uuid, concern=payloads.concern()))
    assert demo.user("dsl") in {a.recipient for a in db.session.execute(sa.select(Alert)).scalars()}
    assert db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "alert.choices_changed")).scalar_one()


def test_the_ap_leader_turns_the_digest_off_and_a_headteacher_turns_it_on(office_as, demo):
    school = demo.school().id
    assert demo.user("ap_leader") in alerts.recipients(school, "morning_digest")
    office_as("ap_leader").post("/office/my-alerts", data={"receive": ["visit_sent_back"]})
    office_as("headteacher").post("/office/my-alerts", data={"receive": ["morning_digest", "concern_escalated"]})
    readers = alerts.recipients(school, "morning_digest")
    assert demo.user("ap_leader") not in readers and demo.user("headteacher") in readers


def test_a_kind_not_offered_to_the_role_cannot_be_chosen(office_as, demo):
    office_as("visiting_staff").post("/office/my-alerts", data={"receive": ["morning_digest", "concern_escalated"]})
    school = demo.school().id
    assert demo.user("visiting_staff") not in alerts.recipients(school, "morning_digest")
    assert demo.user("visiting_staff") not in alerts.recipients(school, "concern_escalated")


def test_the_author_hears_when_a_visit_is_sent_back_unless_they_turned_it_off(staff, placement, demo, office_as):
    from server.models import Visit
    from server.services import review
    response = staff.put(f"/api/visits/{uuid.uuid4()}", json=payloads.qa_visit(placement.uuid))
    assert response.status_code == 201
    visit = db.session.execute(sa.select(Visit)).scalar_one()
    review.send_back(visit, demo.user("ap_leader"), visit.received_at, visit.current_version,
                     "Add what the pupil said about the bus.")
    db.session.commit()
    alert = db.session.execute(sa.select(Alert).where(Alert.kind == "visit_sent_back")).scalar_one()
    assert alert.recipient == demo.user("visiting_staff") and "bus" not in alert.body


def test_the_mail_folder_page_shows_the_schools_messages_only_with_the_file_backend(app, office_as, demo, tmp_path,
                                                                                   staff, placement):
    app.config.update(MAIL_BACKEND="file", MAIL_DIR=str(tmp_path / "mail"))
    staff.put(f"/api/visits/{uuid.uuid4()}", json=payloads.qa_visit(placement.uuid, concern=payloads.concern()))
    assert alert_delivery.deliver_due() == 1
    assert len(list((tmp_path / "mail").glob("*.eml"))) == 1
    page = office_as("admin").get("/office/mail-sent")
    assert page.status_code == 200 and "Safeguarding concern raised" in page.get_data(as_text=True)
    other_school = office_as("admin", school="hillcrest").get("/office/mail-sent").get_data(as_text=True)
    assert "Safeguarding concern raised" not in other_school
    assert office_as("visiting_staff").get("/office/mail-sent").status_code == 403
    app.config.update(MAIL_BACKEND="smtp")
    assert office_as("admin").get("/office/mail-sent").status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_who_opens_the_alert_pages(office_as, role):
    client = office_as(role)
    expected = 200 if role in roles_with("alert.read_failed") else 403
    assert client.get("/office/alerts").status_code == expected
    assert client.get("/office/my-alerts").status_code == 200
