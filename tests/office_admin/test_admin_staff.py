"""Staff: adding people with a set-password link (no email needed), roles per school, and
leavers, whose sessions end at once while what they recorded stays in the record."""
import re
import uuid

import sqlalchemy as sa

from server.extensions import db
from server.models import AuditEvent, Membership, PlacementStaff, User, UserSession, Visit
from tests import payloads
from tests.office_admin.conftest import page_text


def link_path(response):
    url = re.search(r'id="password-link">([^<]+)<', response.get_data(as_text=True)).group(1)
    return url.split("localhost", 1)[1]


def user(email):
    db.session.expire_all()
    return db.session.execute(sa.select(User).where(User.email == email)).scalar_one()


def test_a_new_member_of_staff_sets_their_own_password_with_a_link_that_works_once(office_as, make_api, app, demo):
    response = office_as("ap_leader").post("/office/staff", data={
        "full_name": "Nadia Quinn", "email": " Nadia.Quinn@Riverside.example ", "phone": "07700 900123",
        "roles": ["visiting_staff"]})
    assert response.status_code == 200
    assert "Set-password link for Nadia Quinn" in page_text(response)
    path = link_path(response)
    nadia = user("nadia.quinn@riverside.example")
    assert nadia.roles_in(demo.school().id) == {"visiting_staff"}
    phone = make_api()
    assert phone.sign_in(nadia.email, "anything at all").status_code == 401, "nobody knows a password yet"

    browser = app.test_client()
    csrf = browser.get("/api/csrf").get_json()["csrf_token"]
    assert "Choose your password" in page_text(browser.get(path))
    refused = browser.post(path, data={"csrf_token": csrf, "password": "short", "password_again": "short"})
    assert refused.status_code == 422 and "at least 12 characters" in page_text(refused)
    done = browser.post(path, data={"csrf_token": csrf, "password": "kettle meadow lantern",
                                    "password_again": "kettle meadow lantern"})
    assert done.status_code == 200 and "Password saved" in page_text(done)
    assert phone.sign_in(nadia.email, "kettle meadow lantern").status_code == 200
    again = browser.get(path)
    assert again.status_code == 410 and "no longer works" in page_text(again)
    actions = [e.action for e in db.session.execute(sa.select(AuditEvent).where(
        AuditEvent.object_id == str(nadia.uuid)).order_by(AuditEvent.id)).scalars()]
    assert actions[:3] == ["user.created", "user.password_link_made", "user.password_set"]


def test_a_forged_or_altered_link_sets_nothing(app, demo):
    browser = app.test_client()
    assert browser.get("/office/set-password/not-a-token").status_code == 410
    assert browser.get("/office/set-password/" + "A" * 80).status_code == 410


def test_a_leavers_session_is_refused_at_once_and_their_visits_stay(office_as, make_api, demo):
    leaver = demo.user("visiting_staff")
    phone = make_api()
    assert phone.sign_in(leaver.email).status_code == 200
    placement = demo.placements()[0]
    visit_id = uuid.uuid4()
    assert phone.put(f"/api/visits/{visit_id}", json=payloads.qa_visit(placement.uuid)).status_code == 201
    assert phone.get("/api/bootstrap").status_code == 200

    response = office_as("ap_leader").post(f"/office/staff/{leaver.uuid}/deactivate")
    assert response.status_code == 302

    refused = phone.get("/api/bootstrap")
    assert refused.status_code == 401 and refused.get_json()["code"] == "not_signed_in"
    assert phone.sign_in(leaver.email).status_code == 401
    db.session.expire_all()
    assert db.session.execute(sa.select(UserSession).where(
        UserSession.user_id == leaver.id, UserSession.ended_at.is_(None))).first() is None
    visit = db.session.execute(sa.select(Visit).where(Visit.uuid == visit_id)).scalar_one()
    assert visit.author_id == leaver.id, "what they captured stays theirs, in the record"
    assert db.session.execute(sa.select(PlacementStaff).where(PlacementStaff.user_id == leaver.id)).first() is None
    page = page_text(office_as("ap_leader").get(f"/office/staff/{leaver.uuid}"))
    assert "Deactivated" in page and "Reactivate" in page


def test_the_office_session_of_a_leaver_ends_too(office_as, demo):
    leaver_office = office_as("dsl")
    assert leaver_office.get("/office/pupils").status_code == 200
    office_as("headteacher").post(f"/office/staff/{demo.user('dsl').uuid}/deactivate")
    assert leaver_office.get("/office/pupils").status_code == 302  # back to sign-in


def test_only_a_head_or_ap_leader_can_make_a_head_or_ap_leader(office_as, demo):
    target = demo.user("visiting_staff")
    refused = office_as("admin").post(f"/office/staff/{target.uuid}/roles", data={"roles": ["headteacher"]})
    assert refused.status_code == 422 and "You cannot give or take away: headteacher" in page_text(refused)
    assert office_as("headteacher").post(f"/office/staff/{target.uuid}/roles",
                                         data={"roles": ["visiting_staff", "ap_leader"]}).status_code == 302
    assert user(target.email).roles_in(demo.school().id) == {"visiting_staff", "ap_leader"}
    refused = office_as("admin").post(f"/office/staff/{target.uuid}/roles", data={"roles": ["visiting_staff"]})
    assert refused.status_code == 422, "nor take those roles away"


def test_nobody_removes_their_own_last_admin_role_or_deactivates_themselves(office_as, demo):
    me = demo.user("ap_leader")
    client = office_as("ap_leader")
    refused = client.post(f"/office/staff/{me.uuid}/roles", data={"roles": ["dsl"]})
    assert refused.status_code == 422 and "your own last role" in page_text(refused)
    assert client.post(f"/office/staff/{me.uuid}/deactivate").status_code == 422
    assert user(me.email).active


def test_removing_every_role_takes_someone_off_the_staff_and_off_their_phone(office_as, api_as, demo):
    target = demo.user("visiting_staff")
    phone = api_as("visiting_staff")
    cursor = phone.get("/api/bootstrap").get_json()["cursor"]
    response = office_as("ap_leader").post(f"/office/staff/{target.uuid}/roles", data={})
    assert response.status_code == 302
    assert target.email not in page_text(office_as("ap_leader").get("/office/staff"))
    assert phone.get(f"/api/bootstrap?since={cursor}").status_code == 403, "no role left: the phone gets nothing"


def test_someone_who_also_works_for_another_school_is_not_deactivated_from_here(office_as, demo):
    lead = demo.user("trust_lead")
    lead.memberships.append(Membership(school=demo.school("hillcrest"), role="trust_lead"))
    db.session.commit()
    client = office_as("ap_leader")
    assert "manages their password and account" in page_text(client.get(f"/office/staff/{lead.uuid}"))
    assert client.post(f"/office/staff/{lead.uuid}/deactivate").status_code == 403
    assert client.post(f"/office/staff/{lead.uuid}/password-link").status_code == 403
    assert user(lead.email).active


def test_a_name_email_or_mobile_typed_wrongly_is_corrected_and_logged(office_as, make_api, demo):
    target = demo.user("visiting_staff")
    old_email = target.email
    client = office_as("ap_leader")
    response = client.post(f"/office/staff/{target.uuid}/details", data={
        "full_name": "Sam Okafor-Reid", "email": " Sam.Reid@Riverside.example ", "phone": "07700 900456"})
    assert response.status_code == 302
    corrected = user("sam.reid@riverside.example")
    assert (corrected.full_name, corrected.phone) == ("Sam Okafor-Reid", "07700 900456")
    assert make_api().sign_in("sam.reid@riverside.example").status_code == 200, "they sign in with the new email"
    event = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "user.details_changed")).scalar_one()
    assert event.details["changes"]["email"] == [old_email, "sam.reid@riverside.example"]


def test_details_cannot_take_another_accounts_email_or_reach_a_senior_account(office_as, demo, unchanged):
    target = demo.user("visiting_staff")
    with unchanged():
        taken = office_as("ap_leader").post(f"/office/staff/{target.uuid}/details", data={
            "full_name": target.full_name, "email": demo.email("dsl", "hillcrest")})
        assert taken.status_code == 422 and "cannot be used" in page_text(taken)
        head = demo.user("headteacher")
        assert office_as("admin").post(f"/office/staff/{head.uuid}/details", data={
            "full_name": "Someone Else", "email": "admin.owned@riverside.example"}).status_code == 403
