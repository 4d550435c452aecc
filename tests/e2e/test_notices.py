"""Notices above the screens: one dismissed stays dismissed when the app is reloaded."""
import pytest

pytestmark = pytest.mark.e2e

STORAGE_NOTICE = "This browser may clear saved visits"


def test_the_storage_notice_once_dismissed_stays_dismissed_after_a_reload(phone):
    page = phone.open().sign_in().page
    notice = page.locator(".notice", has_text=STORAGE_NOTICE)
    notice.wait_for()
    notice.get_by_role("button", name="Dismiss").click()
    notice.wait_for(state="detached")

    page.reload()
    phone.unlock()
    page.locator(".placement-card").first.wait_for()
    page.get_by_role("link", name="Outbox").click()
    page.get_by_role("link", name="Today", exact=True).click()
    page.locator(".placement-card").first.wait_for()
    assert notice.count() == 0
    assert phone.idb("meta", "persist_notice_dismissed") is True
    assert phone.errors == []
