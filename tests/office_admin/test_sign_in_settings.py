"""A person's own sign-in settings (adding an authenticator app, "My devices and sessions") and
what a senior may do about someone else's: end a session, reset a lost second factor."""
from datetime import timedelta

import pyotp
import pytest
import sqlalchemy as sa

from server.extensions import db
from server.models import AuditEvent, UserSession
from server.models.base import utcnow
from server.services import second_factor
from server.services.staff import GIVEN_BY
from server.vocabulary import ROLES
from tests.conftest import demo_totp_code

ACCOUNT_MANAGERS = ("ap_leader", "headteacher", "admin")


def open_sessions(user):
    return db.session.execute(sa.select(UserSession).where(UserSession.user_id == user.id,
                                                           UserSession.ended_at.is_(None))).scalars().all()


def test_visiting_staff_may_add_an_authenticator_app_and_then_need_its_code(office_as, office, demo):
    page = office_as("visiting_staff")
    assert b"Set up two-step sign-in" in page.get("/office/account/two-step").data
    page.post("/office/account/two-step/start")
    shown = page.get("/office/account/two-step")
    assert b"<svg" in shown.data
    with page.client.session_transaction() as session:
        secret = session["enrolling_secret"]
    assert page.post("/office/account/two-step/confirm", data={"code": "000000"}).status_code == 422
    done = page.post("/office/account/two-step/confirm", data={"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200 and done.data.count(b"<li><code>") == 10
    user = demo.user("visiting_staff")
    assert second_factor.totp_secret(user) == secret and secret not in user.totp_secret  # sealed at rest

    response = office.sign_in(user.email, second_factor=False)
    assert response.location.endswith("/office/sign-in/code")


def test_someone_whose_role_needs_it_cannot_turn_it_off(office_as, demo):
    page = office_as("dsl")
    assert b"stays on" in page.get("/office/account/two-step").data
    response = page.post("/office/account/two-step/off", data={"code": demo_totp_code(demo.email("dsl"))})
    assert response.status_code == 422
    assert second_factor.has_second_factor(demo.user("dsl"))


def test_new_recovery_codes_need_a_current_code_and_replace_the_old_ones(office_as, demo):
    page = office_as("ap_leader")
    assert page.post("/office/account/two-step/recovery-codes", data={"code": "000000"}).status_code == 422
    first = page.post("/office/account/two-step/recovery-codes", data={"code": demo_totp_code(demo.email("ap_leader"))})
    assert first.status_code == 200 and first.data.count(b"<li><code>") == 10
    assert second_factor.recovery_codes_left(demo.user("ap_leader")) == 10


def test_a_session_of_someone_who_needs_a_second_factor_but_has_none_grants_nothing(office_as, api_as, demo):
    page = office_as("dsl")
    phone = api_as("dsl")
    assert page.get("/office/").status_code == 200
    second_factor.clear(demo.user("dsl"))
    db.session.commit()
    assert page.get("/office/").status_code == 302
    assert phone.get("/api/me").status_code == 401


def test_my_devices_and_sessions_lists_each_session_and_ends_one_at_once(office_as, make_api, demo):
    phone = make_api()
    assert phone.sign_in(demo.email("ap_leader")).status_code == 200
    page = office_as("ap_leader")
    listing = page.get("/office/account/sessions")
    assert listing.status_code == 200
    assert b"This device" in listing.data and listing.data.count(b">End</button>") == 2
    phone_row = next(row for row in open_sessions(demo.user("ap_leader")) if row.user_agent is not None)
    assert phone.get("/api/me").status_code == 200
    page.post(f"/office/account/sessions/{phone_row.id}/end")
    assert phone.get("/api/me").status_code == 401
    assert page.get("/office/account/sessions").status_code == 200
    assert db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "session.revoked")).scalar_one()


def test_nobody_ends_another_persons_session_from_their_own_page(office_as, api_as, demo):
    api_as("dsl")
    dsl_session = open_sessions(demo.user("dsl"))[0]
    page = office_as("visiting_staff")
    page.post(f"/office/account/sessions/{dsl_session.id}/end")
    assert open_sessions(demo.user("dsl"))


def test_last_use_is_noted_at_most_once_a_minute(api_as, demo):
    phone = api_as("visiting_staff")
    row = open_sessions(demo.user("visiting_staff"))[0]
    assert row.last_used_at is not None  # the sign-in's first request noted it
    noted = row.last_used_at
    phone.get("/api/me")
    db.session.refresh(row)
    assert row.last_used_at == noted
    row.last_used_at = utcnow() - timedelta(minutes=2)
    db.session.commit()
    phone.get("/api/me")
    db.session.refresh(row)
    assert row.last_used_at > utcnow() - timedelta(seconds=30)


def test_a_senior_ends_a_colleagues_session_on_a_lost_phone(office_as, api_as, demo):
    phone = api_as("visiting_staff")
    row = open_sessions(demo.user("visiting_staff"))[0]
    page = office_as("ap_leader")
    member = page.get(f"/office/staff/{demo.user('visiting_staff').uuid}")
    assert b"Signed in on" in member.data
    assert page.post(f"/office/staff/{demo.user('visiting_staff').uuid}/sessions/{row.id}/end").status_code == 302
    assert phone.get("/api/me").status_code == 401


def test_a_senior_resets_a_lost_second_factor_and_the_person_signs_in_again_to_add_one(office_as, api_as, demo, office):
    dsl = demo.user("dsl")
    phone = api_as("dsl")
    page = office_as("headteacher")
    response = page.post(f"/office/staff/{dsl.uuid}/second-factor-reset")
    assert response.status_code == 302
    db.session.expire_all()
    assert not second_factor.has_second_factor(dsl)
    assert phone.get("/api/me").status_code == 401  # signed out everywhere
    event = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "second_factor.reset")).scalar_one()
    assert event.actor_id == demo.user("headteacher").id
    assert office.sign_in(dsl.email, second_factor=False).location.endswith("/office/sign-in/add-app")


def test_nobody_resets_their_own_second_factor(office_as, demo):
    page = office_as("ap_leader")
    assert page.post(f"/office/staff/{demo.user('ap_leader').uuid}/second-factor-reset").status_code == 403
    assert second_factor.has_second_factor(demo.user("ap_leader"))


def test_a_senior_without_their_own_second_factor_cannot_reset_anyone(office_as, demo):
    second_factor.set_fixed_secret(demo.user("visiting_staff"), second_factor.DEMO_TOTP_SECRET)
    page = office_as("headteacher")
    second_factor.clear(demo.user("headteacher"))  # after signing in: their session now ends
    db.session.commit()
    assert page.post(f"/office/staff/{demo.user('visiting_staff').uuid}/second-factor-reset").status_code == 302
    assert second_factor.has_second_factor(demo.user("visiting_staff"))


@pytest.mark.parametrize("actor", ROLES)
@pytest.mark.parametrize("target", ROLES)
def test_only_someone_who_could_give_every_role_resets_a_second_factor(office_as, demo, actor, target):
    if actor == target:
        return  # one's own: tested above
    person = demo.user(target)
    if not second_factor.has_second_factor(person):
        second_factor.set_fixed_secret(person, second_factor.DEMO_TOTP_SECRET)
        db.session.commit()
    if not second_factor.has_second_factor(demo.user(actor)):
        second_factor.set_fixed_secret(demo.user(actor), second_factor.DEMO_TOTP_SECRET)
        db.session.commit()
    page = office_as(actor)
    response = page.post(f"/office/staff/{person.uuid}/second-factor-reset")
    db.session.expire_all()
    allowed = actor in ACCOUNT_MANAGERS and actor in GIVEN_BY[target]
    assert (response.status_code == 302) == allowed, response.status_code
    assert second_factor.has_second_factor(person) != allowed
