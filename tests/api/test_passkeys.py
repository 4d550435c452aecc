"""Passkeys (WebAuthn) as a second factor, with real signatures from a Python authenticator
(tests/passkey_authenticator.py): adding one from the account page, signing in with one on the
phone's API and the office, and every way the ceremony must refuse: a challenge used twice,
one issued for another pending sign-in or expired, a counter that does not rise, the wrong
origin, another key."""
import json
from datetime import timedelta

import pytest
import sqlalchemy as sa

from server import permissions
from server.extensions import db
from server.models import AuditEvent, Passkey, PasskeyChallenge, UserSession
from server.models.base import utcnow
from server.services import second_factor
from server.services.staff import GIVEN_BY
from server.vocabulary import ROLES
from tests.passkey_authenticator import SoftAuthenticator


ACCOUNT_MANAGERS = permissions.roles_with("second_factor.reset")


def add_passkey(page, name="Work laptop", authenticator=None):
    """Add a passkey through the account page, as its script does; returns the authenticator
    and the form's answer."""
    authenticator = authenticator or SoftAuthenticator()
    options = page.post("/office/account/passkeys/options")
    assert options.status_code == 200, options.data
    credential = authenticator.create(options.get_json()["public_key"])
    response = page.post("/office/account/passkeys", data={"name": name, "credential": json.dumps(credential)})
    return authenticator, response


def pending_step(api, email):
    api.csrf = api.get("/api/csrf").get_json()["csrf_token"]
    response = api.post("/api/session", json={"email": email, "password": "demo-password-2026"})
    assert response.status_code == 202
    return response.get_json()


def passkey_options(api, token):
    return api.post("/api/session/passkey/options", json={"pending_token": token})


def sign_in_with(api, token, credential):
    return api.post("/api/session/passkey", json={"pending_token": token, "credential": credential})


def actions(user):
    return db.session.execute(sa.select(AuditEvent.action, AuditEvent.details)
                              .where(AuditEvent.object_type == "user_account", AuditEvent.object_id == str(user.uuid))
                              .order_by(AuditEvent.id)).all()


@pytest.fixture
def dsl_with_passkey(office_as, demo):
    authenticator, response = add_passkey(office_as("dsl"))
    assert response.status_code == 302
    return demo.user("dsl"), authenticator


def test_someone_adds_a_named_passkey_and_the_account_page_lists_it(office_as, demo):
    page = office_as("dsl")
    _, response = add_passkey(page, name="  Office   laptop ")
    assert response.status_code == 302 and response.location.endswith("/office/account/passkeys")
    listed = page.get("/office/account/passkeys").get_data(as_text=True)
    assert "Office laptop" in listed and "Not yet" in listed
    assert "Office laptop" in page.get("/office/account/sessions").get_data(as_text=True)
    dsl = demo.user("dsl")
    key = db.session.execute(sa.select(Passkey).where(Passkey.user_id == dsl.id)).scalar_one()
    assert key.name == "Office laptop" and key.public_key and key.sign_count == 0
    assert ("passkey.enrolled", {"passkey_id": key.id, "passkey_name": "Office laptop"}) in actions(dsl)


def test_a_passkey_added_as_the_first_second_factor_comes_with_recovery_codes(office_as, demo):
    _, response = add_passkey(office_as("visiting_staff"), name="My phone")
    assert response.status_code == 200 and response.data.count(b"<li><code>") == 10
    assert second_factor.has_second_factor(demo.user("visiting_staff"))


@pytest.mark.parametrize("name, credential", [("", "ok"), ("x" * 61, "ok"), ("Laptop", "{not json"),
                                              ("Laptop", json.dumps({"response": {}})), ("Laptop", "[]")])
def test_a_passkey_without_a_name_or_with_a_broken_answer_is_refused_with_a_message(office_as, name, credential):
    page = office_as("dsl")
    options = page.post("/office/account/passkeys/options").get_json()["public_key"]
    if credential == "ok":
        credential = json.dumps(SoftAuthenticator().create(options))
    response = page.post("/office/account/passkeys", data={"name": name, "credential": credential})
    assert response.status_code == 422 and b'role="alert"' in response.data
    assert db.session.execute(sa.select(sa.func.count()).select_from(Passkey)).scalar_one() == 0


def test_a_registration_challenge_works_once_and_only_for_the_session_that_asked(office_as, demo):
    page = office_as("dsl")
    options = page.post("/office/account/passkeys/options").get_json()["public_key"]
    authenticator = SoftAuthenticator()
    other = office_as("dsl")  # the same person on another device
    stolen = other.post("/office/account/passkeys", data={"name": "A", "credential": json.dumps(authenticator.create(options))})
    assert stolen.status_code == 422
    assert not second_factor.has_passkey(demo.user("dsl"))
    answer = json.dumps(authenticator.create(options))
    assert page.post("/office/account/passkeys", data={"name": "A", "credential": answer}).status_code == 302
    assert page.post("/office/account/passkeys", data={"name": "B", "credential": answer}).status_code == 422
    assert len(db.session.execute(sa.select(Passkey)).all()) == 1


def test_the_phone_signs_in_with_a_passkey_instead_of_a_code(make_api, dsl_with_passkey):
    dsl, authenticator = dsl_with_passkey
    api = make_api()
    step = pending_step(api, dsl.email)
    assert step["second_factor"] == "code" and step["passkey"] is True
    options = passkey_options(api, step["pending_token"])
    assert options.status_code == 200
    public_key = options.get_json()["public_key"]
    assert public_key["rpId"] == "localhost" and public_key["allowCredentials"][0]["id"] == authenticator.id
    response = sign_in_with(api, step["pending_token"], authenticator.get(public_key))
    assert response.status_code == 200 and response.get_json()["recovery_codes"] == []
    api.csrf = response.get_json()["csrf_token"]
    assert api.get("/api/me").status_code == 200
    key = db.session.execute(sa.select(Passkey).where(Passkey.user_id == dsl.id)).scalar_one()
    assert key.sign_count == 1 and key.last_used_at is not None
    logged = actions(dsl)
    assert ("session.started", {"second_factor": "passkey"}) in logged
    assert ("passkey.used", {"passkey_id": key.id, "passkey_name": "Work laptop"}) in logged


def test_a_challenge_works_once(make_api, dsl_with_passkey):
    dsl, authenticator = dsl_with_passkey
    api = make_api()
    step = pending_step(api, dsl.email)
    assertion = authenticator.get(passkey_options(api, step["pending_token"]).get_json()["public_key"])
    assert sign_in_with(api, step["pending_token"], assertion).status_code == 200
    thief = make_api()
    again = pending_step(thief, dsl.email)
    replay = sign_in_with(thief, again["pending_token"], assertion)
    assert replay.status_code == 401 and replay.get_json()["code"] == "second_factor_refused"


def test_a_challenge_belongs_to_the_pending_sign_in_that_asked_for_it(make_api, dsl_with_passkey):
    dsl, authenticator = dsl_with_passkey
    first, second = make_api(), make_api()
    step_a, step_b = pending_step(first, dsl.email), pending_step(second, dsl.email)  # within one second
    assert step_a["pending_token"] != step_b["pending_token"]
    assertion = authenticator.get(passkey_options(first, step_a["pending_token"]).get_json()["public_key"])
    response = sign_in_with(second, step_b["pending_token"], assertion)
    assert response.status_code == 401
    assert sign_in_with(first, step_a["pending_token"], assertion).status_code == 200


def test_an_expired_challenge_is_refused(make_api, dsl_with_passkey):
    dsl, authenticator = dsl_with_passkey
    api = make_api()
    step = pending_step(api, dsl.email)
    public_key = passkey_options(api, step["pending_token"]).get_json()["public_key"]
    db.session.execute(sa.update(PasskeyChallenge).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert sign_in_with(api, step["pending_token"], authenticator.get(public_key)).status_code == 401


def test_a_counter_that_does_not_rise_is_refused_and_logged(make_api, dsl_with_passkey):
    dsl, authenticator = dsl_with_passkey
    api = make_api()
    step = pending_step(api, dsl.email)
    assert sign_in_with(api, step["pending_token"], authenticator.get(
        passkey_options(api, step["pending_token"]).get_json()["public_key"], sign_count=7)).status_code == 200
    clone = make_api()
    step = pending_step(clone, dsl.email)
    response = sign_in_with(clone, step["pending_token"], authenticator.get(
        passkey_options(clone, step["pending_token"]).get_json()["public_key"], sign_count=7))
    assert response.status_code == 401
    assert "passkey.sign_count_refused" in [action for action, _ in actions(dsl)]


def test_an_authenticator_without_a_counter_still_signs_in(make_api, office_as, demo):
    authenticator, _ = add_passkey(office_as("dsl"), authenticator=SoftAuthenticator(counts=False))
    for _ in range(2):
        api = make_api()
        step = pending_step(api, demo.email("dsl"))
        public_key = passkey_options(api, step["pending_token"]).get_json()["public_key"]
        assert sign_in_with(api, step["pending_token"], authenticator.get(public_key)).status_code == 200


@pytest.mark.parametrize("forge", ["origin", "rp_id", "other_key", "other_person"])
def test_an_answer_from_the_wrong_site_or_key_is_refused(make_api, office_as, dsl_with_passkey, forge):
    dsl, authenticator = dsl_with_passkey
    api = make_api()
    step = pending_step(api, dsl.email)
    public_key = passkey_options(api, step["pending_token"]).get_json()["public_key"]
    if forge == "origin":
        assertion = authenticator.get(public_key, origin="https://evil.example")
    elif forge == "rp_id":
        assertion = authenticator.get(public_key, rp_id="evil.example")
    elif forge == "other_key":
        impostor = SoftAuthenticator()
        impostor.credential_id = authenticator.credential_id
        assertion = impostor.get(public_key)
    else:  # a passkey that is someone else's
        other, _ = add_passkey(office_as("ap_leader"))
        assertion = other.get(public_key)
    response = sign_in_with(api, step["pending_token"], assertion)
    assert response.status_code == 401 and response.get_json()["code"] == "second_factor_refused"
    assert db.session.execute(sa.select(sa.func.count()).select_from(UserSession)
                              .where(UserSession.user_id == dsl.id)).scalar_one() == 1  # only the fixture's


@pytest.mark.parametrize("credential", [{}, {"response": "x"}, {"response": {"clientDataJSON": "!!"}},
                                        {"id": "x", "response": {"clientDataJSON": "eyJ9"}}])
def test_a_malformed_passkey_answer_is_a_refusal_not_a_server_error(make_api, dsl_with_passkey, credential):
    dsl, _ = dsl_with_passkey
    api = make_api()
    step = pending_step(api, dsl.email)
    passkey_options(api, step["pending_token"])
    assert sign_in_with(api, step["pending_token"], credential).status_code == 401


def test_passkey_options_need_a_live_pending_sign_in_and_a_passkey(make_api, demo):
    api = make_api()
    step = pending_step(api, demo.email("dsl"))
    assert passkey_options(api, "not-a-token").get_json()["code"] == "second_factor_expired"
    assert step["passkey"] is False
    response = passkey_options(api, step["pending_token"])
    assert response.status_code == 409 and response.get_json()["code"] == "no_passkey"


def test_a_passkey_alone_satisfies_a_role_that_needs_a_second_factor(make_api, dsl_with_passkey):
    dsl, authenticator = dsl_with_passkey
    dsl.totp_secret = dsl.totp_enrolled_at = None  # no authenticator app: only the passkey
    db.session.commit()
    api = make_api()
    step = pending_step(api, dsl.email)
    assert step["second_factor"] == "code" and step["passkey"] is True  # not asked to add an app
    public_key = passkey_options(api, step["pending_token"]).get_json()["public_key"]
    response = sign_in_with(api, step["pending_token"], authenticator.get(public_key))
    assert response.status_code == 200
    api.csrf = response.get_json()["csrf_token"]
    assert api.get("/api/me").status_code == 200  # the session holds


def test_the_office_signs_in_with_a_passkey(office, dsl_with_passkey):
    dsl, authenticator = dsl_with_passkey
    response = office.sign_in(dsl.email, second_factor=False)
    assert response.location.endswith("/office/sign-in/code")
    page = office.get("/office/sign-in/code").get_data(as_text=True)
    assert "Use a passkey" in page and "passkey.js" in page
    options = office.post("/office/sign-in/passkey/options")
    assert options.status_code == 200
    assertion = authenticator.get(options.get_json()["public_key"])
    done = office.post("/office/sign-in/passkey", data={"credential": json.dumps(assertion)})
    assert done.status_code == 302 and done.location.endswith("/office/")
    assert office.get("/office/account/sessions").status_code == 200
    replayed = office.post("/office/sign-in/passkey", data={"credential": json.dumps(assertion)})
    assert replayed.status_code == 302 and replayed.location.endswith("/office/sign-in")  # no pending step left


def test_a_wrong_passkey_at_the_office_shows_the_code_page_again(office, dsl_with_passkey):
    dsl, authenticator = dsl_with_passkey
    office.sign_in(dsl.email, second_factor=False)
    public_key = office.post("/office/sign-in/passkey/options").get_json()["public_key"]
    refused = office.post("/office/sign-in/passkey",
                          data={"credential": json.dumps(authenticator.get(public_key, origin="https://evil.example"))})
    assert refused.status_code == 401 and b"did not sign you in" in refused.data
    assert b'id="code"' in refused.data  # the code is still offered


def test_someone_removes_their_own_passkey_but_not_the_only_factor_their_role_needs(office_as, demo):
    page = office_as("dsl")
    add_passkey(page)
    dsl = demo.user("dsl")
    key = db.session.execute(sa.select(Passkey).where(Passkey.user_id == dsl.id)).scalar_one()
    key_id = key.id
    dsl.totp_secret = dsl.totp_enrolled_at = None
    db.session.commit()
    refused = page.post(f"/office/account/passkeys/{key_id}/remove")
    assert refused.status_code == 422 and second_factor.has_passkey(dsl)
    add_passkey(page, name="Spare key")
    removed = page.post(f"/office/account/passkeys/{key_id}/remove")
    assert removed.status_code == 302
    assert [k.name for k in db.session.execute(sa.select(Passkey)).scalars()] == ["Spare key"]
    assert ("passkey.revoked", {"passkey_id": key_id, "passkey_name": "Work laptop"}) in actions(dsl)


def test_nobody_removes_another_persons_passkey_through_their_own_page(office_as, dsl_with_passkey):
    dsl, _ = dsl_with_passkey
    key = db.session.execute(sa.select(Passkey).where(Passkey.user_id == dsl.id)).scalar_one()
    response = office_as("ap_leader").post(f"/office/account/passkeys/{key.id}/remove")
    assert response.status_code == 302 and second_factor.has_passkey(dsl)


@pytest.mark.parametrize("actor", ROLES)
def test_a_senior_removes_someones_passkey_and_signs_them_out(office_as, dsl_with_passkey, actor):
    dsl, _ = dsl_with_passkey
    if actor == "dsl":
        return  # one's own: on the account page
    allowed = actor in ACCOUNT_MANAGERS and actor in GIVEN_BY["dsl"]
    key = db.session.execute(sa.select(Passkey).where(Passkey.user_id == dsl.id)).scalar_one()
    page = office_as(actor)
    listed = page.get(f"/office/staff/{dsl.uuid}")
    response = page.post(f"/office/staff/{dsl.uuid}/passkeys/{key.id}/remove")
    assert second_factor.has_passkey(dsl) != allowed
    if allowed:
        assert b"Work laptop" in listed.data and response.status_code == 302
        assert not db.session.execute(sa.select(UserSession).where(
            UserSession.user_id == dsl.id, UserSession.ended_at.is_(None))).first()
        event = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "passkey.revoked")).scalar_one()
        assert event.actor_id != dsl.id
    else:
        assert response.status_code in (403, 404)


def test_resetting_someones_second_factor_removes_their_passkeys(office_as, dsl_with_passkey):
    dsl, _ = dsl_with_passkey
    response = office_as("headteacher").post(f"/office/staff/{dsl.uuid}/second-factor-reset")
    assert response.status_code == 302
    assert not second_factor.has_second_factor(dsl)


def test_someone_with_a_passkey_may_add_an_authenticator_app_as_well(office_as, dsl_with_passkey):
    import pyotp
    dsl, _ = dsl_with_passkey
    dsl.totp_secret = dsl.totp_enrolled_at = None  # only the passkey
    db.session.commit()
    page = office_as("dsl")
    assert b"You sign in with a" in page.get("/office/account/two-step").data
    page.post("/office/account/two-step/start")
    with page.client.session_transaction() as session:
        secret = session["enrolling_secret"]
    done = page.post("/office/account/two-step/confirm", data={"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200 and second_factor.has_totp(dsl) and second_factor.has_passkey(dsl)
