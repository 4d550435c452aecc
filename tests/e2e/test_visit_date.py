"""The phone never starts a visit dated after today, for a placement or a provider check: the
server would refuse it (visit_date_in_future), and it must not clear a deadline ahead of time."""
from datetime import timedelta

import pytest

from server.dates import school_today

pytestmark = pytest.mark.e2e


def refuses_tomorrow_then_starts_today(phone, date_label, start_button):
    """Tomorrow in the date box: the start is refused and no draft is made. Today: it starts."""
    page = phone.page
    date_input = page.get_by_label(date_label)
    date_input.fill((school_today() + timedelta(days=1)).isoformat())
    page.get_by_role("button", name=start_button).click()
    assert date_input.evaluate("(el) => el.validity.rangeOverflow") is True
    assert "#/visit/" not in page.url and phone.visits() == []
    date_input.fill(school_today().isoformat())
    page.get_by_role("button", name=start_button).click()
    page.wait_for_url("**#/visit/**")
    assert [v["visit_date"] for v in phone.visits()] == [school_today().isoformat()]


def test_a_placement_visit_cannot_be_dated_after_today(phone):
    page = phone.open().page
    phone.sign_in()
    page.locator(".placement-card", has_text="Alfie Brennan").first.click()
    page.get_by_role("link", name="Start a visit").click()
    page.get_by_text("Quality-assurance visit").click()
    refuses_tomorrow_then_starts_today(phone, "Date of the visit", "Start")


def test_a_provider_check_cannot_be_dated_after_today(phone):
    page = phone.open().page
    phone.sign_in()
    page.locator(".row-link", has_text="Greenway Farm Learning").click()
    refuses_tomorrow_then_starts_today(phone, "Date of the check", "Start the provider check")
