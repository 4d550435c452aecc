"""Two-step sign-in: a code from an authenticator app (TOTP) or a one-use recovery code after the
password, required for every role that can read safeguarding records, on the phone's API and
the office alike. Between the steps nothing is granted; codes count against the lockout and
cannot be used twice."""
import time

import pyotp
import pytest
import sqlalchemy as sa

from server import permissions
from server.extensions import db
from server.models import AuditEvent, RecoveryCode, UserSession
from server.services import second_factor
from server.services.second_factor import DEMO_TOTP_SECRET
from tests.conftest import demo_totp_code

T0 = 1_800_000_000  # a fixed moment for the controlled-clock tests (a step boundary: 1.8e9 / 30)


def sessions_of(user):
    return db.session.execute(sa.select(sa.func.count()).select_from(UserSession)
                              .where(UserSession.user_id == user.id)).scalar_one()


def password_step(api, email):
    api.csrf = api.get("/api/csrf").get_json()["csrf_token"]
    return api.post("/api/session", json={"email": email, "password": "demo-password-2026"})


def code_step(api, token, code):
    return api.post("/api/session/second-factor", json={"pending_token": token, "code": code})


def test_roles_that_read_safeguarding_records_need_a_second_factor():
    needs = set(permissions.roles_with("sign_in.requires_second_factor"))
    for name in ("concern.read", "concern.act", "placement.read_record", "document.pupil", "school.administer"):
        assert set(permissions.roles_with(name)) <= needs, name
    assert {"dsl", "ap_leader", "headteacher", "trust_lead"} <= needs
    assert not needs & {"visiting_staff", "governor", "attendance_officer"}


def test_after_the_password_a_dsl_holds_nothing_until_the_code(api, demo):
    dsl = demo.user("dsl")
    response = password_step(api, demo.email("dsl"))
    assert response.status_code == 202
    body = response.get_json()
    assert body["second_factor"] == "code" and "secret" not in body
    assert sessions_of(dsl) == 0
    assert api.get("/api/me").status_code == 401
    assert api.get("/api/bootstrap").status_code == 401

    response = code_step(api, body["pending_token"], demo_totp_code(dsl.email))
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["recovery_codes"] == []
    assert sessions_of(dsl) == 1
    api.csrf = response.get_json()["csrf_token"]
    assert api.get("/api/bootstrap").status_code == 200
    started = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "session.started")).scalar_one()
    assert started.details == {"second_factor": "totp"}


def test_visiting_staff_sign_in_with_a_password_alone_unless_they_chose_a_second_factor(api, make_api, demo):
    assert api.sign_in(demo.email("visiting_staff"), second_factor=False).status_code == 200
    second_factor.set_fixed_secret(demo.user("visiting_staff"), DEMO_TOTP_SECRET)
    db.session.commit()
    other = make_api()
    assert other.sign_in(demo.email("visiting_staff"), second_factor=False).status_code == 202
    assert make_api().sign_in(demo.email("visiting_staff")).status_code == 200


def test_a_code_cannot_be_used_twice(api, make_api, demo):
    email = demo.email("ap_leader")
    code = demo_totp_code(email)
    first = password_step(api, email).get_json()["pending_token"]
    assert code_step(api, first, code).status_code == 200
    other = make_api()
    second = password_step(other, email).get_json()["pending_token"]
    response = code_step(other, second, code)
    assert response.status_code == 401
    assert response.get_json()["code"] == "second_factor_refused"
    assert sessions_of(demo.user("ap_leader")) == 1


def test_wrong_codes_count_against_the_lockout_and_a_right_password_does_not_reset_it(api, demo, app):
    app.config["LOGIN_LOCKOUT_THRESHOLD"] = 4
    email = demo.email("dsl")
    token = password_step(api, email).get_json()["pending_token"]  # attempt 1
    for _ in range(2):  # attempts 2, 3
        assert code_step(api, token, "000000").get_json()["code"] == "second_factor_refused"
    token = password_step(api, email).get_json()["pending_token"]  # 4: the right password, not a reset
    assert code_step(api, token, "000000").status_code == 401  # 5: locked now
    response = code_step(api, token, demo_totp_code(email))
    assert response.status_code == 401 and response.get_json()["code"] == "second_factor_refused"
    assert password_step(api, email).get_json()["code"] == "bad_credentials"
    assert sessions_of(demo.user("dsl")) == 0


def test_a_pending_step_ends_after_five_minutes_and_when_the_password_changes(api, demo, monkeypatch):
    import itsdangerous.timed
    email = demo.email("headteacher")
    token = password_step(api, email).get_json()["pending_token"]
    real_time = time.time
    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: real_time() + 301)
    response = code_step(api, token, demo_totp_code(email))
    assert response.status_code == 401 and response.get_json()["code"] == "second_factor_expired"
    monkeypatch.undo()

    token = password_step(api, email).get_json()["pending_token"]
    from server.services.accounts import hash_password
    demo.user("headteacher").password_hash = hash_password("a brand new password")
    db.session.commit()
    assert code_step(api, token, demo_totp_code(email)).get_json()["code"] == "second_factor_expired"


def test_a_forged_or_garbled_pending_token_is_refused(api, demo):
    api.csrf = api.get("/api/csrf").get_json()["csrf_token"]
    for token in ["x", "e30.aaaa.bbbb", "a" * 2000]:
        response = code_step(api, token, "123456")
        assert response.status_code == 401 and response.get_json()["code"] == "second_factor_expired"
    assert api.post("/api/session/second-factor", json={"code": "123456"}).status_code == 422


def test_someone_who_needs_a_second_factor_adds_one_at_sign_in_and_gets_recovery_codes(api, make_api, demo):
    dsl = demo.user("dsl")
    second_factor.clear(dsl)
    db.session.commit()
    body = password_step(api, dsl.email).get_json()
    assert body["second_factor"] == "enrol"
    assert body["qr_svg"].startswith("<svg") and body["otpauth_uri"].startswith("otpauth://totp/")
    secret = body["secret"]
    assert code_step(api, body["pending_token"], "000000").status_code == 401
    assert sessions_of(dsl) == 0
    response = code_step(api, body["pending_token"], pyotp.TOTP(secret).now())
    assert response.status_code == 200
    codes = response.get_json()["recovery_codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    db.session.expire_all()
    assert second_factor.totp_secret(dsl) == secret and secret not in dsl.totp_secret  # sealed at rest
    stored = db.session.execute(sa.select(RecoveryCode.code_hash).where(RecoveryCode.user_id == dsl.id)).scalars().all()
    assert all(h.startswith("$argon2id$") for h in stored) and not any(c[5:] in h for c in codes for h in stored)

    # The enrolling token is spent: it cannot add another secret.
    stranger = make_api()
    stranger.csrf = stranger.get("/api/csrf").get_json()["csrf_token"]
    assert code_step(stranger, body["pending_token"], pyotp.TOTP(secret).now()).status_code == 401

    # A recovery code signs in once.
    other = make_api()
    token = password_step(other, dsl.email).get_json()["pending_token"]
    assert code_step(other, token, codes[3].upper()).status_code == 200
    third = make_api()
    token = password_step(third, dsl.email).get_json()["pending_token"]
    assert code_step(third, token, codes[3]).get_json()["code"] == "second_factor_refused"
    assert second_factor.recovery_codes_left(dsl) == 9


def test_totp_accepts_one_step_either_side_with_a_controlled_clock(app):
    totp = pyotp.TOTP(DEMO_TOTP_SECRET)
    step = T0 // 30
    for offset, accepted in [(-2, False), (-1, True), (0, True), (1, True), (2, False)]:
        code = totp.at(T0 + offset * 30)
        found = second_factor.matching_step(DEMO_TOTP_SECRET, code, for_time=T0)
        assert (found == step + offset) if accepted else found is None, offset
    assert second_factor.matching_step(DEMO_TOTP_SECRET, "12345", for_time=T0) is None
    assert second_factor.matching_step(DEMO_TOTP_SECRET, "abcdef", for_time=T0) is None


def test_a_code_is_refused_for_a_step_at_or_before_the_last_one_used(app, demo):
    user = demo.user("trust_lead")
    totp = pyotp.TOTP(DEMO_TOTP_SECRET)
    assert second_factor.check_code(user, totp.at(T0), for_time=T0)
    assert not second_factor.check_code(user, totp.at(T0), for_time=T0)
    assert not second_factor.check_code(user, totp.at(T0 - 30), for_time=T0)  # older, still in the window
    assert second_factor.check_code(user, totp.at(T0 + 30), for_time=T0 + 30)


def test_the_demo_secret_is_refused_outside_development(app, demo):
    app.config["APP_ENV"] = "production"
    user = demo.user("dsl")
    assert not second_factor.check_code(user, pyotp.TOTP(DEMO_TOTP_SECRET).at(T0), for_time=T0)
    app.config["APP_ENV"] = "development"
    assert second_factor.check_code(user, pyotp.TOTP(DEMO_TOTP_SECRET).at(T0), for_time=T0)


@pytest.mark.parametrize("role", ["dsl", "ap_leader", "headteacher", "trust_lead", "admin"])
def test_the_office_asks_for_the_code_and_grants_nothing_before_it(office, demo, role):
    email = demo.email(role)
    response = office.post("/office/sign-in", data={"email": email, "password": "demo-password-2026"})
    assert response.status_code == 302 and response.location.endswith("/office/sign-in/code")
    assert office.get("/office/").status_code == 302  # back to the sign-in page
    assert sessions_of(demo.user(role)) == 0
    page = office.get("/office/sign-in/code")
    assert b"Enter your code" in page.data
    wrong = office.post("/office/sign-in/code", data={"code": "000000"})
    assert wrong.status_code == 401 and b"not right" in wrong.data
    assert office.post("/office/sign-in/code", data={"code": demo_totp_code(email)}).status_code == 302
    assert office.get("/office/").status_code == 200
    assert sessions_of(demo.user(role)) == 1


def test_the_office_takes_someone_without_a_second_factor_to_add_one_first(office, demo):
    user = demo.user("headteacher")
    second_factor.clear(user)
    db.session.commit()
    response = office.post("/office/sign-in", data={"email": user.email, "password": "demo-password-2026",
                                                    "next": "/office/staff"})
    assert response.location.endswith("/office/sign-in/add-app")
    page = office.get("/office/sign-in/add-app")
    assert b"<svg" in page.data and b"Set up two-step sign-in" in page.data
    assert office.get("/office/staff").status_code == 302
    with office.client.session_transaction() as session:
        token = session["second_step"]
    from server.security import pending_step_user
    _, secret = pending_step_user(token)
    done = office.post("/office/sign-in/code", data={"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200 and b"Your recovery codes" in done.data
    assert done.data.count(b"<li><code>") == 10
    assert office.get("/office/staff").status_code == 200
    assert db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "second_factor.enrolled")).scalar_one()
