"""A concern synced from a phone: the DSL and the deputy hear at once, by real SMTP, and the
message names no pupil and quotes nothing of the record."""
import time
import uuid

import requests
import sqlalchemy as sa

from server.extensions import db
from server.models import Alert, AuditEvent, Membership, Pupil, SafeguardingConcern, User
from tests import payloads
from tests.conftest import sent_to_sign_in

DEPUTY = "deputy.dsl@riverside.example"


def add_deputy(demo):
    """A deputy DSL holds the DSL role: they must open and act on concerns when the DSL is away."""
    deputy = User(email=DEPUTY, full_name="Amira Lowe", password_hash="not-used")
    db.session.add(deputy)
    db.session.add(Membership(user=deputy, school_id=demo.school().id, role="dsl"))
    db.session.commit()
    return deputy


def sync_concern(staff, placement, text="Pupil said an older boy at the bus stop takes his money."):
    body = payloads.qa_visit(placement.uuid, concern=payloads.concern(text))
    response = staff.put(f"/api/visits/{uuid.uuid4()}", json=body)
    assert response.status_code == 201, response.get_json()
    return body


def test_the_alert_is_written_in_the_same_transaction_as_the_concern(staff, placement, demo):
    add_deputy(demo)
    body = sync_concern(staff, placement)
    concern = db.session.execute(sa.select(SafeguardingConcern)).scalar_one()
    rows = db.session.execute(sa.select(Alert).order_by(Alert.id)).scalars().all()
    assert {row.recipient.email for row in rows} == {demo.email("dsl"), DEPUTY}
    assert {(row.kind, row.subject_id, row.status) for row in rows} == {
        ("concern_raised", str(concern.uuid), "pending")}
    # The visit resent (a phone that never saw its receipt) tells nobody twice.
    assert staff.put(f"/api/visits/{concern.visit.uuid}", json=body).status_code in (200, 201)
    assert db.session.execute(sa.select(sa.func.count()).select_from(Alert)).scalar() == 2


def test_a_concern_reaches_the_dsl_and_deputy_and_names_no_pupil(staff, placement, demo, smtp_server, start_worker):
    add_deputy(demo)
    text = "Pupil said an older boy at the bus stop takes his money."
    body = sync_concern(staff, placement, text)
    start_worker()
    assert smtp_server.mailbox.wait_for(2) == 2
    mailbox = smtp_server.mailbox
    assert sorted(m["To"] for m in mailbox.messages()) == sorted([demo.email("dsl"), DEPUTY])
    concern = db.session.execute(sa.select(SafeguardingConcern)).scalar_one()
    pupil = db.session.get(Pupil, placement.pupil_id)
    dob = pupil.date_of_birth
    forbidden = [pupil.first_name, pupil.last_name, text, body["concern"]["immediate_action"], dob.isoformat(),
                 dob.strftime("%d/%m/%Y"), f"{dob.day} {dob:%B %Y}", "bus stop"]
    for _, content in mailbox.received:
        for word in forbidden:
            assert word.encode() not in content, word
    message = mailbox.messages()[0]
    assert f"/office/concerns/{concern.uuid}" in message.get_content()
    assert demo.user("visiting_staff").full_name in message.get_content()
    assert len(set(mailbox.message_ids())) == 2
    time.sleep(0.5)
    db.session.rollback()  # a fresh snapshot of what the worker wrote
    assert {row.status for row in db.session.execute(sa.select(Alert)).scalars()} == {"sent"}
    assert db.session.execute(sa.select(sa.func.count()).select_from(AuditEvent)
                              .where(AuditEvent.action == "alert.sent")).scalar() == 2


def test_the_link_opens_the_concern_only_after_the_dsl_signs_in(staff, placement, demo, app, office_as):
    sync_concern(staff, placement)
    link = db.session.execute(sa.select(Alert)).scalars().first().body.split("Open it: ")[1].split()[0]
    path = link.removeprefix("http://127.0.0.1:8000")
    signed_out = app.test_client().get(path)
    assert sent_to_sign_in(signed_out)
    assert office_as("visiting_staff").get(path).status_code == 403
    assert office_as("dsl", school="hillcrest").get(path).status_code == 404
    page = office_as("dsl").get(path)
    assert page.status_code == 200 and "bus stop" in page.get_data(as_text=True)


def test_smtp_down_then_back_delivers_each_alert_once_late(staff, placement, demo, smtp_server, start_worker):
    smtp_server.stop()
    sync_concern(staff, placement)
    start_worker()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        db.session.rollback()  # a fresh snapshot of what the worker wrote
        alert = db.session.execute(sa.select(Alert)).scalar_one()
        if alert.attempts >= 2:
            break
        time.sleep(0.1)
    assert alert.status in ("pending", "sending") and alert.attempts >= 2 and alert.last_error
    smtp_server.start()
    assert smtp_server.mailbox.wait_for(1) == 1
    time.sleep(1.5)  # a few more polls: nothing is sent again
    assert smtp_server.mailbox.message_ids() == [alert.message_id("ap-visits.localhost")]


def test_after_the_last_retry_the_alert_is_failed_audited_and_shown_to_the_administrator(
        staff, placement, demo, smtp_server, start_worker, office_as):
    smtp_server.stop()
    sync_concern(staff, placement)
    start_worker(ALERT_MAX_ATTEMPTS=2, ALERT_RETRY_SECONDS=0.2)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        db.session.rollback()  # a fresh snapshot of what the worker wrote
        if db.session.execute(sa.select(Alert.status)).scalar_one() == "failed":
            break
        time.sleep(0.1)
    alert = db.session.execute(sa.select(Alert)).scalar_one()
    assert alert.status == "failed" and alert.attempts == 2
    assert db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "alert.failed")).scalar_one()
    page = office_as("admin").get("/office/alerts")
    assert page.status_code == 200 and demo.email("dsl") in page.get_data(as_text=True)
    assert office_as("visiting_staff").get("/office/alerts").status_code == 403


def test_the_alert_goes_although_the_web_server_is_killed_right_after_the_commit(
        live_server, placement, demo, smtp_server, start_worker):
    session = requests.Session()
    token = session.get(live_server.url + "/api/csrf").json()["csrf_token"]
    session.post(live_server.url + "/api/session", headers={"X-CSRFToken": token},
                 json={"email": demo.email("visiting_staff"), "password": demo.password})
    token = session.get(live_server.url + "/api/me").json()["csrf_token"]
    body = payloads.qa_visit(placement.uuid, concern=payloads.concern())
    response = session.put(f"{live_server.url}/api/visits/{uuid.uuid4()}", json=body, headers={"X-CSRFToken": token})
    assert response.status_code == 201
    live_server.kill()
    start_worker()
    assert smtp_server.mailbox.wait_for(1) == 1
    assert smtp_server.mailbox.messages()[0]["To"] == demo.email("dsl")
