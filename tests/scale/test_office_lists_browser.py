"""A paged office list in a real browser at a large school's size: the pager is a labelled
navigation with the current page marked, Next moves on, and a screenshot at 1280×900 for a
person to look at."""
import re

import sqlalchemy as sa

from server.dev.synthetic import PASSWORD
from server.extensions import db
from server.models import Membership, User
from tests.conftest import office_sign_in, screenshot

DESKTOP_1280 = {"viewport": {"width": 1280, "height": 900}, "locale": "en-GB", "timezone_id": "Europe/London"}


def test_the_pupil_list_pages_at_a_large_school(schools, live_server, browser):
    email = db.session.execute(sa.select(User.email).join(Membership).where(
        Membership.school_id == schools["large"].id, Membership.role == "ap_leader")).scalars().first()
    context = browser.new_context(**DESKTOP_1280)
    try:
        page = context.new_page()
        office_sign_in(page, live_server.url, email, PASSWORD)
        page.wait_for_url(re.compile(r".*/office/.*"))
        page.goto(live_server.url + "/office/pupils?sort=year&page=2")
        pager = page.get_by_role("navigation", name="Pages of pupils")
        assert pager.locator('[aria-current="page"]').inner_text().strip().endswith("2")
        assert page.locator("tbody tr").count() == 50
        assert "51–100 of 300 pupils" in page.locator(".list-count").inner_text()
        screenshot(page, "office-pupils-paged-desktop")
        pager.get_by_role("link", name="Next page").click()
        page.wait_for_url(re.compile(r".*page=3.*"))
        assert "sort=year" in page.url, "the pager keeps the order"
        assert page.get_by_role("navigation", name="Pages of pupils").locator(
            '[aria-current="page"]').inner_text().strip().endswith("3")
    finally:
        context.close()
