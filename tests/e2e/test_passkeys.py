"""Passkeys in Chromium with a virtual authenticator (CDP WebAuthn domain): a DSL adds one on
the office's Passkeys page, then signs in to the office with it instead of a code; on the
phone, the second step's "Use passkey" button signs in with one. The server runs on
`localhost`, not 127.0.0.1: a passkey belongs to a domain, never to an IP address."""
import pytest
import sqlalchemy as sa

from server.extensions import db
from server.models import AuditEvent, Passkey, User
from tests.conftest import office_code_step, screenshot
from tests.e2e.axe import violations
from tests.e2e.conftest import PASSWORD, server_rows

pytestmark = pytest.mark.e2e

DSL = "dsl@riverside.example"


def virtual_authenticator(page):
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    added = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "internal", "hasResidentKey": True, "hasUserVerification": True,
        "isUserVerified": True, "automaticPresenceSimulation": True}})
    return cdp, added["authenticatorId"]


def office_sign_in(page, base, code=True):
    page.goto(f"{base}/office/sign-in")
    page.get_by_label("Email").fill(DSL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    if code:
        office_code_step(page, DSL)


def add_passkey(page, base, name):
    page.goto(f"{base}/office/account/passkeys")
    page.get_by_label("Name").fill(name)
    page.get_by_role("button", name="Add a passkey").click()
    page.get_by_text(f"Passkey “{name}” added").wait_for()


@pytest.fixture
def base(live_server):
    return live_server.url.replace("127.0.0.1", "localhost")


def test_a_dsl_adds_a_passkey_and_signs_in_to_the_office_with_it(browser, base):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB", bypass_csp=True)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    cdp, authenticator_id = virtual_authenticator(page)
    office_sign_in(page, base)
    add_passkey(page, base, "Office laptop")
    assert page.get_by_role("cell", name="Office laptop", exact=True).count() == 1
    assert violations(page) == []
    screenshot(page, "office-passkeys-desktop")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "office-passkeys-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    dsl = server_rows(User, email=DSL)[0]
    assert [key.name for key in server_rows(Passkey, user_id=dsl.id)] == ["Office laptop"]

    page.get_by_role("button", name="Sign out").click()
    office_sign_in(page, base, code=False)
    page.get_by_role("button", name="Use a passkey").wait_for()
    assert violations(page) == []
    screenshot(page, "office-sign-in-passkey")
    page.get_by_role("button", name="Use a passkey").click()
    page.wait_for_url(f"{base}/office/")
    assert page.get_by_role("link", name="Account").count() == 1
    key = server_rows(Passkey, user_id=dsl.id)[0]
    assert key.last_used_at is not None and key.sign_count >= 1
    started = db.session.execute(sa.select(AuditEvent.details).where(
        AuditEvent.action == "session.started", AuditEvent.object_id == str(dsl.uuid)).order_by(AuditEvent.id.desc())
    ).scalars().first()
    assert started["second_factor"] == "passkey"
    credentials = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})["credentials"]
    assert credentials[0]["signCount"] == key.sign_count  # the server holds the authenticator's counter
    assert errors == []
    context.close()


def test_the_phone_signs_in_with_a_passkey_from_the_second_step(phone, base):
    page = phone.page
    virtual_authenticator(page)
    office_sign_in(page, base)
    add_passkey(page, base, "My phone")
    page.get_by_role("button", name="Sign out").click()
    page.goto(f"{base}/#/today")
    page.get_by_label("School email").fill(DSL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="Use passkey").wait_for()
    screenshot(page, "phone-sign-in-use-passkey")
    page.get_by_role("button", name="Use passkey").click()
    phone.choose_pin()  # the PIN that seals the pupils' details on this phone comes next
    page.get_by_role("heading", name="Your pupils").wait_for()
    dsl = server_rows(User, email=DSL)[0]
    assert server_rows(Passkey, user_id=dsl.id)[0].last_used_at is not None
    assert phone.errors == []
