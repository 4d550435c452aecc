"""A real browser on the real server (gunicorn): the AP leader opens the Reports page, the
governors' report, the LA list (recording "LA informed"), a placement's printable record, and
downloads its PDF while the page stays put; a governor on a phone sees the report and nothing
pupil-level. Screenshots go to test-artifacts/screenshots/ for a person to look at."""
from datetime import date

import pytest
from playwright.sync_api import expect

from server.extensions import db
from tests.conftest import office_sign_in, screenshot
from tests.documents.conftest import add_pupils_at

pytestmark = pytest.mark.e2e


def images_loaded(page, selector):
    """Wait until every image matching `selector` has loaded (a full-page screenshot does not)."""
    page.wait_for_function(f"() => [...document.querySelectorAll('{selector}')]"
                           ".every(i => i.complete && i.naturalWidth > 0)")


def test_the_ap_leader_gets_every_document_at_a_desk(live_server, riverside_record, desktop_context, demo):
    page = desktop_context.new_page()
    office_sign_in(page, live_server.url, demo.email("ap_leader"))
    page.get_by_role("link", name="Reports").click()
    expect(page.get_by_role("heading", name="Reports and documents")).to_be_visible()
    screenshot(page, "reports-index-desktop")

    with page.expect_download() as download:
        page.get_by_role("link", name="PDF of Alfie Brennan's record").first.click()
    assert download.value.path().read_bytes()[:5] == b"%PDF-"
    assert download.value.suggested_filename.startswith("placement-record-brennan-a-")
    expect(page.get_by_role("heading", name="Reports and documents")).to_be_visible()  # the page stayed

    with page.expect_download() as download:
        page.get_by_role("link", name="Visits", exact=True).click()
    assert download.value.path().read_bytes()[:3] == b"\xef\xbb\xbf"

    page.get_by_role("link", name="Open the report").click()
    expect(page.get_by_role("heading", name="Alternative provision: governors' report")).to_be_visible()
    images_loaded(page, ".doc-chart img")
    screenshot(page, "reports-governors-desktop")

    page.goto(live_server.url + "/office/reports")
    page.get_by_role("link", name="Open the list").click()
    expect(page.get_by_role("heading", name="Local-authority notifications")).to_be_visible()
    screenshot(page, "reports-la-notifications-desktop")
    page.get_by_role("checkbox").last.check()
    page.get_by_role("button", name="Record as informed").click()
    expect(page.get_by_role("status")).to_contain_text(f"on {date.today().day} {date.today():%B %Y}")
    screenshot(page, "reports-la-informed-desktop")

    page.goto(live_server.url + f"/office/placements/{riverside_record['placement'].uuid}/record/print")
    page.locator(".gallery img").evaluate_all("images => images.forEach(image => { image.loading = 'eager'; })")
    images_loaded(page, ".gallery img")
    expect(page.get_by_role("heading", name="Visit 3: Quality-assurance visit", exact=False)).to_be_visible()
    screenshot(page, "documents-record-print-desktop")


def test_a_governor_reads_the_report_on_a_phone(live_server, riverside_record, phone_context, demo):
    add_pupils_at(demo.school(), riverside_record["placement"].provider, 5)
    db.session.commit()
    page = phone_context.new_page()
    office_sign_in(page, live_server.url, demo.email("governor"))
    page.goto(live_server.url + "/office/reports")
    expect(page.get_by_role("heading", name="Governors' report")).to_be_visible()
    expect(page.get_by_role("heading", name="Placement records")).to_have_count(0)
    expect(page.get_by_role("heading", name="Spreadsheets (CSV)")).to_have_count(0)
    screenshot(page, "reports-index-phone-governor")
    page.get_by_role("link", name="Open the report").click()
    images_loaded(page, ".doc-chart img")
    expect(page.get_by_text("Pupils in alternative provision")).to_be_visible()
    expect(page.locator(".doc-chart img")).to_have_count(3)
    screenshot(page, "reports-governors-phone")
    response = page.goto(live_server.url + f"/office/placements/{riverside_record['placement'].uuid}/record.pdf")
    assert response.status == 403
