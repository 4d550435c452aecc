"""axe-core over every office page each role can reach and every screen of the app, at phone
size (390×844) and desktop size (1280×900): no serious or critical WCAG 2.2 AA violation.
The office walk follows every same-site link from the home page, one page per route shape."""
import re
from urllib.parse import urldefrag, urlparse

import pytest
from playwright.sync_api import Error as PlaywrightError

from server.vocabulary import ROLES
from tests.conftest import PHONE
from tests.e2e.axe import violations
from tests.e2e.conftest import PASSWORD, VISITING_STAFF, Phone, answer_qa_visit, jpeg_bytes, start_qa_visit

pytestmark = pytest.mark.e2e

SIZES = {"phone": PHONE["viewport"], "desktop": {"width": 1280, "height": 900}}
# Links that end the session or are files, not pages.
NOT_PAGES = re.compile(r"sign-out|\.(pdf|csv|jpg|png|zip)$|/photos/|/download|/export|/file|/evidence/", re.I)
# Route shapes already audited in this run, by any role: a page's markup comes from one template,
# so each shape is audited once (the first role that reaches it) and the walk stays quick.
AUDITED = set()
SHAPE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\d+")


def audit_at_both_sizes(page, where):
    found = {}
    for size, viewport in SIZES.items():
        page.set_viewport_size(viewport)
        problems = violations(page)
        if problems:
            found[f"{where} at {size}"] = problems
    return found


def office_pages(page, base_url, limit=80):
    """Every page reachable from the office home by links, one per route shape not yet audited
    (the home page, each role's own, always)."""
    seen_shapes, queue, pages = set(), [base_url + "/office/"], []
    while queue and len(pages) < limit:
        url = queue.pop(0)
        path = urlparse(url).path + ("?" + urlparse(url).query if urlparse(url).query else "")
        shape = SHAPE.sub("#", urlparse(url).path)
        if shape in seen_shapes:
            continue
        seen_shapes.add(shape)
        try:
            response = page.goto(url)
        except PlaywrightError:  # a link to a file: the browser downloads it
            continue
        if response is None or response.status >= 400 or "text/html" not in response.headers.get("content-type", ""):
            continue
        pages.append(path)
        if shape not in AUDITED or shape == "/office/":
            AUDITED.add(shape)
            yield path
        for href in page.locator("a[href]").evaluate_all("links => links.map(a => a.href)"):
            href = urldefrag(href)[0]
            if href.startswith(base_url + "/office") and not NOT_PAGES.search(urlparse(href).path):
                queue.append(href)


@pytest.fixture
def audited(browser):
    context = browser.new_context(**{**PHONE, "is_mobile": False}, bypass_csp=True)
    yield context
    context.close()


@pytest.mark.parametrize("role", ROLES)
def test_every_office_page_has_no_serious_accessibility_violation(role, audited, live_server, demo):
    page = audited.new_page()
    page.goto(live_server.url + "/office/sign-in")
    found = audit_at_both_sizes(page, "/office/sign-in")
    page.get_by_label("Email").fill(demo.email(role))
    page.get_by_label("Password").fill(demo.password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    walked = []
    for path in office_pages(page, live_server.url):
        walked.append(path)
        found.update(audit_at_both_sizes(page, path))
    page.goto(live_server.url + "/office/accessibility")
    found.update(audit_at_both_sizes(page, "/office/accessibility"))
    assert walked, "the walk never reached the office home"
    assert found == {}, found


def test_every_app_screen_has_no_serious_accessibility_violation(audited, live_server):
    phone = Phone(audited.new_page(), live_server.url)
    page = phone.page
    found = {}

    def audit(where):
        found.update(audit_at_both_sizes(page, where))
        page.set_viewport_size(SIZES["phone"])  # the app is used at phone size between audits

    phone.open("#/signin")
    page.get_by_label("School email").wait_for()
    audit("sign in")
    page.get_by_label("School email").fill(VISITING_STAFF)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("New PIN").wait_for()
    audit("choose a PIN")
    phone.choose_pin()
    page.get_by_role("heading", name="Your pupils").wait_for()
    page.locator(".placement-card").first.wait_for()
    audit("today")
    page.locator(".placement-card", has_text="Alfie Brennan").first.click()
    page.get_by_role("link", name="Start a visit").wait_for()
    audit("placement")
    page.get_by_role("link", name="Start a visit").click()
    page.get_by_role("button", name="Start").wait_for()
    audit("start a visit")
    page.get_by_role("link", name="Today", exact=True).click()
    start_qa_visit(phone)
    answer_qa_visit(phone, photos=[jpeg_bytes()], concern="Pupil has bruises on his arm he would not explain.")
    audit("visit form")
    page.get_by_role("link", name="Review and complete").click()
    page.get_by_role("button", name="Complete visit").wait_for()
    audit("review")
    page.get_by_role("link", name="Outbox").click()
    page.get_by_role("heading", name="Outbox").wait_for()
    audit("outbox")
    phone.open("#/signout")
    page.reload()   # the key leaves memory: the PIN opens the app again
    page.get_by_label("PIN", exact=True).wait_for()
    audit("enter your PIN")
    phone.unlock()
    page.get_by_role("heading").first.wait_for()
    audit("sign out")
    assert found == {}, found
