"""Two-step sign-in on the phone: a DSL without a second factor adds an authenticator app at
sign-in (QR code and key), keeps the recovery codes shown once, and only then reaches their
pupils; nothing is granted between the password and the code."""
import pyotp
import pytest

from server.extensions import db
from server.models import User, UserSession
from server.services import second_factor
from tests.conftest import screenshot
from tests.e2e.conftest import PASSWORD, server_rows

pytestmark = pytest.mark.e2e

DSL = "dsl@riverside.example"


def test_a_dsl_adds_an_authenticator_app_on_the_phone_before_seeing_any_pupil(phone):
    user = server_rows(User, email=DSL)[0]
    second_factor.clear(user)
    db.session.commit()
    page = phone.open().page
    page.get_by_label("School email").fill(DSL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.locator("#signin-code").wait_for()

    qr = page.get_by_role("img", name="QR code to add AP visits to an authenticator app")
    assert qr.evaluate("(image) => image.decode().then(() => image.naturalWidth)") > 100
    assert page.evaluate("() => fetch('/api/me').then((r) => r.status)") == 401
    assert not server_rows(UserSession, user_id=user.id)
    screenshot(page, "sign-in-add-authenticator-app")

    page.locator("#signin-code").fill("000000")
    page.get_by_role("button", name="Continue").click()
    page.get_by_text("That code is not right").wait_for()

    secret = page.locator("code.secret").inner_text().replace(" ", "")
    page.locator("#signin-code").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Continue").click()
    codes = page.locator(".recovery-codes li")
    codes.first.wait_for()
    assert codes.count() == 10
    screenshot(page, "sign-in-recovery-codes")
    page.get_by_role("button", name="I have kept them: continue").click()
    phone.choose_pin()
    page.get_by_role("heading", name="Your pupils").wait_for()
    assert second_factor.totp_secret(server_rows(User, email=DSL)[0]) == secret
    assert phone.errors == []
