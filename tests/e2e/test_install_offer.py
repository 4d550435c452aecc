"""On Android (Chromium), the app offers "Install app" when the browser can install it; the offer
goes once the app is installed or the person says "Not now", and stays gone after a reload."""
import pytest

from tests.conftest import screenshot

pytestmark = pytest.mark.e2e

# What Chromium fires when the app can be installed: its prompt() shows the browser's dialog.
OFFER = """outcome => {
    const event = new Event('beforeinstallprompt', { cancelable: true });
    event.prompt = async () => { window.installDialogShown = (window.installDialogShown || 0) + 1; };
    event.userChoice = Promise.resolve({ outcome, platform: 'web' });
    window.dispatchEvent(event);
    return event.defaultPrevented;
}"""


def test_the_browsers_install_offer_is_made_in_the_app_and_goes_once_installed(phone):
    page = phone.open().sign_in().page
    offer = page.locator("#install-offer")
    assert offer.count() == 0          # nothing to offer until the browser says it can install
    assert page.evaluate(OFFER, "accepted") is True   # the browser's own mini-infobar is held back
    offer.wait_for()
    assert "Install AP visits on this phone" in offer.inner_text()
    screenshot(page, "install-offer")

    offer.get_by_role("button", name="Install app").click()
    offer.wait_for(state="detached")
    assert page.evaluate("window.installDialogShown") == 1
    page.evaluate("window.dispatchEvent(new Event('appinstalled'))")
    page.get_by_role("link", name="Outbox").click()
    page.get_by_role("link", name="Today", exact=True).click()
    page.locator(".placement-card").first.wait_for()
    assert offer.count() == 0
    assert phone.errors == []


def test_not_now_is_remembered_across_reloads(phone):
    page = phone.open().sign_in().page
    page.evaluate(OFFER, "dismissed")
    offer = page.locator("#install-offer")
    offer.get_by_role("button", name="Not now").click()
    offer.wait_for(state="detached")

    page.reload()
    phone.unlock()
    page.locator(".placement-card").first.wait_for()
    page.evaluate(OFFER, "dismissed")   # the browser offers again on the next visit
    page.get_by_role("link", name="Outbox").click()
    page.get_by_role("link", name="Today", exact=True).click()
    page.locator(".placement-card").first.wait_for()
    assert offer.count() == 0
    assert phone.idb("meta", "install_offer_dismissed") is True
    assert page.locator(".notice", has_text="Add this app to your Home Screen").count() == 0  # not an iPhone
    assert phone.errors == []
