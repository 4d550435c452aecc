"""A real browser walks the office pages against the real server (gunicorn): the AP leader's
to-do, the review queue, a visit with its photos signed off, the placement and provider
records, and the DSL closing a concern. Screenshots of each page go to test-artifacts/ for a
person to look at; one is at tablet size and one at phone size."""
import uuid

import pytest
import requests
from playwright.sync_api import expect

from office_review.scenario import provider_check_answers
from tests import payloads
from tests.conftest import office_sign_in, screenshot, sign_in_over_http

pytestmark = pytest.mark.e2e
TABLET = {"viewport": {"width": 820, "height": 1180}, "device_scale_factor": 1, "has_touch": True}


class Phone:
    """The visiting staff member's phone, talking to the live server over HTTP."""

    def __init__(self, url, email):
        self.url = url
        self.session = requests.Session()
        response = sign_in_over_http(self.session, url, email)
        assert response.status_code == 200
        self.csrf = response.json()["csrf_token"]

    def put(self, path, **kwargs):
        headers = {"X-CSRFToken": self.csrf, **kwargs.pop("headers", {})}
        return self.session.put(self.url + path, headers=headers, **kwargs)

    def bootstrap(self):
        return self.session.get(self.url + "/api/bootstrap").json()

    def send(self, payload, images=()):
        visit_uuid = str(uuid.uuid4())
        assert self.put(f"/api/visits/{visit_uuid}", json=payload).status_code == 201
        for entry, data in images:
            response = self.put(f"/api/visits/{visit_uuid}/photos/{entry['uuid']}", data=data,
                                headers={"Content-Type": "image/jpeg", "X-Content-SHA256": entry["sha256"]})
            assert response.status_code == 201
        return visit_uuid


def photos_loaded(page):
    """Load the lazy thumbnails (a full-page screenshot does not scroll) and wait for every one."""
    page.locator(".gallery img").evaluate_all("images => images.forEach(image => { image.loading = 'eager'; })")
    page.wait_for_function(
        "() => [...document.querySelectorAll('.gallery img')].every(i => i.complete && i.naturalWidth > 0)")


def send_the_days_visits(live_server):
    phone = Phone(live_server.url, "visiting.staff@riverside.example")
    snapshot = phone.bootstrap()
    alfie = next(p for p in snapshot["placements"] if p["kind"] == "off_site_ap" and p["status"] == "active")
    online = next(p for p in snapshot["providers"] if p["registration_status"] == "online_only")
    images = [payloads.jpeg_bytes(800, 600, colour) for colour in ((180, 120, 60), (60, 140, 90), (90, 90, 160))]
    entries = [payloads.manifest_entry(data, caption=caption) for data, caption in
               zip(images, ("Maths workbook", "Woodwork project", "Reading log"))]
    qa = payloads.qa_visit(alfie["id"], photos=entries, concern=payloads.concern(),
                           actions=[payloads.action("Ask the provider for the half-term report", "Priya Marsh",
                                                    payloads.days_from_today(10))])
    qa_uuid = phone.send(qa, zip(entries, images))
    check = payloads.provider_check(online["id"], provider_check_answers(), actions=[
        payloads.action("Ask for the updated anti-bullying policy", due=payloads.days_from_today(10))
        | {"item_key": "policy_anti_bullying"},
        payloads.action("Agree a QA schedule", due=payloads.days_from_today(17)) | {"item_key": "risk_rating"}])
    check_uuid = phone.send(check)
    return phone, alfie, online, qa_uuid, check_uuid


def test_the_office_pages_walked_in_a_browser(live_server, browser, desktop_context, phone_context):
    phone, alfie, online, qa_uuid, check_uuid = send_the_days_visits(live_server)
    page = desktop_context.new_page()
    office_sign_in(page, live_server.url, "ap.leader@riverside.example")

    # The to-do: counts at the top, grouped items linking to records.
    expect(page.get_by_role("heading", name="To do")).to_be_visible()
    expect(page.locator(".todo-counts").get_by_text("visits to review")).to_be_visible()
    screenshot(page, "office-home-desktop")

    # The review queue, then the QA visit with its answers, photos, action and concern.
    page.get_by_role("link", name="Review queue").first.click()
    expect(page.get_by_role("heading", name="Review queue")).to_be_visible()
    screenshot(page, "office-review-queue-desktop")
    page.locator(f'a[href="/office/review/{qa_uuid}"]').click()
    expect(page.get_by_text("Settled, engaged in the workshop.")).to_be_visible()
    expect(page.get_by_role("heading", name="Safeguarding concern")).to_be_visible()
    thumbnails = page.locator(".answers .gallery img")
    assert thumbnails.count() == 3
    photos_loaded(page)
    screenshot(page, "office-review-visit-desktop")
    page.get_by_label("Comment (optional)").fill("Clear and thorough, thank you.")
    page.get_by_role("button", name="Sign off").click()
    expect(page.get_by_text("Signed off.")).to_be_visible()

    # The provider check becomes the risk assessment when signed off.
    page.locator(f'a[href="/office/review/{check_uuid}"]').click()
    screenshot(page, "office-review-provider-check-desktop")
    page.get_by_role("button", name="Sign off").click()
    expect(page.get_by_text("Risk assessment recorded: medium risk")).to_be_visible()
    page.goto(live_server.url + f"/office/providers/{online['id']}/record")
    expect(page.get_by_text("Medium risk").first).to_be_visible()
    screenshot(page, "office-provider-record-desktop")

    # The placement record: owed items, chronology, gallery.
    page.goto(live_server.url + f"/office/placements/{alfie['id']}/record")
    expect(page.get_by_role("heading", name="Chronology")).to_be_visible()
    expect(page.locator(".chronology").get_by_text("Quality-assurance visit signed off")).to_be_visible()
    photos_loaded(page)
    screenshot(page, "office-placement-record-desktop")
    page.locator(".action-list li", has_text="half-term report").get_by_role("button", name="Mark done").click()
    expect(page.get_by_text("Action marked done.")).to_be_visible()

    # The phone sees the decision in its next pull.
    mine = next(v for v in phone.bootstrap()["my_visits"] if v["id"] == qa_uuid)
    assert (mine["review_status"], mine["review_comment"]) == ("signed_off", "Clear and thorough, thank you.")

    # The DSL's queue and a concern closed with its outcome.
    page.get_by_role("button", name="Sign out").click()
    office_sign_in(page, live_server.url, "dsl@riverside.example")
    page.get_by_role("link", name="Concerns").first.click()
    expect(page.get_by_text("No action recorded yet")).to_be_visible()
    screenshot(page, "office-dsl-queue-desktop")
    page.locator(".concern-queue a").first.click()
    page.get_by_label("Entry").fill("Spoke to the provider's DSL; the bus stop is being watched.")
    page.get_by_role("button", name="Add entry").click()
    expect(page.get_by_text("Added to the concern's record.")).to_be_visible()
    screenshot(page, "office-concern-desktop")
    page.get_by_role("button", name="Close with this outcome").click()
    expect(page.get_by_text("Nothing was saved.")).to_be_visible()  # no outcome written yet
    page.get_by_label("Outcome: what was done, and who was told").fill("Parents told; plan with the provider.")
    page.get_by_role("button", name="Close with this outcome").click()
    expect(page.get_by_text("No open concerns.")).to_be_visible()

    # The DSL away from the desk: the closed concern on a phone.
    small = phone_context.new_page()
    office_sign_in(small, live_server.url, "dsl@riverside.example")
    small.get_by_role("link", name="Concerns").first.click()
    small.locator(".rollup-table a").first.click()
    expect(small.get_by_role("heading", name="Outcome")).to_be_visible()
    screenshot(small, "office-concern-phone")

    # A tablet on the desk: the placement record at 820×1180.
    tablet = browser.new_context(**TABLET)
    try:
        tablet_page = tablet.new_page()
        office_sign_in(tablet_page, live_server.url, "ap.leader@riverside.example")
        screenshot(tablet_page, "office-home-tablet")
        tablet_page.goto(live_server.url + f"/office/placements/{alfie['id']}/record")
        photos_loaded(tablet_page)
        screenshot(tablet_page, "office-placement-record-tablet")
    finally:
        tablet.close()


@pytest.mark.parametrize("path", ["/office/staff", "/office/pupils", "/office/placements", "/office/providers"])
def test_a_list_page_never_scrolls_sideways_on_a_phone(live_server, phone_context, path):
    """A wide table scrolls inside its box; the page itself stays the phone's width."""
    page = phone_context.new_page()
    office_sign_in(page, live_server.url, "ap.leader@riverside.example")
    page.goto(live_server.url + path)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= page.viewport_size["width"]
