"""In a real browser against the real server: an AP leader sets up a provider, a pupil and a
placement through the office pages, and the visiting member of staff's phone has it at its next
pull. Screenshots of every administration page go to test-artifacts/screenshots/ to be looked at."""
import re
from datetime import date, timedelta

import pytest
import requests

from tests.conftest import screenshot

pytestmark = pytest.mark.e2e

AP_LEADER = "ap.leader@riverside.example"
PASSWORD = "demo-password-2026"
# British schools: dates in the boxes read dd/mm/yyyy, as they will on the AP leader's own computer.
UK = {"locale": "en-GB", "timezone_id": "Europe/London"}
DESKTOP_UK = {"viewport": {"width": 1366, "height": 900}, **UK}
TABLET_UK = {"viewport": {"width": 820, "height": 1180}, "device_scale_factor": 2, "has_touch": True, **UK}


def sign_in(page, base, email=AP_LEADER):
    page.goto(base + "/office/sign-in")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/office/.*"))


def phone_pull(base, email):
    session = requests.Session()
    token = session.get(base + "/api/csrf").json()["csrf_token"]
    assert session.post(base + "/api/session", headers={"X-CSRFToken": token},
                        json={"email": email, "password": PASSWORD}).status_code == 200
    return session.get(base + "/api/bootstrap").json()


def test_a_provider_pupil_and_placement_made_in_the_office_reach_the_visiting_phone(live_server, desktop_context):
    base = live_server.url
    page = desktop_context.new_page()
    sign_in(page, base)

    page.goto(base + "/office/providers/new")
    page.fill("#f-name", "Riverbank Forest School")
    page.select_option("#f-registration_status", label="Registered (other)")
    page.fill("#f-urn", "2034567")
    page.check("#f-on_la_approved_list")
    page.fill("#f-full_time_pupils", "3")
    page.fill("#f-contact_name", "Jess Moor")
    page.fill("#f-contact_phone", "01632 960777")
    page.select_option("#f-evidence-0-kind", label="Insurance")
    page.fill("#f-evidence-0-expires_on", (date.today() + timedelta(days=300)).isoformat())
    page.click("button:has-text('Save provider')")
    page.wait_for_selector("text=Riverbank Forest School saved.")

    page.goto(base + "/office/pupils/new")
    page.fill("#f-first_name", "Poppy")
    page.fill("#f-last_name", "Ashdown")
    page.fill("#f-date_of_birth", "2012-03-14")
    page.select_option("#f-year_group", label="Year 9")
    page.fill("#f-mis_id", "NEW0001")
    page.check("#f-looked_after")
    page.check("#f-fsm_eligible")
    page.click("button:has-text('Save pupil')")
    page.wait_for_selector("text=Poppy Ashdown saved.")
    page.click("a:has-text('New placement')")

    page.check("input[name=kind][value=off_site_ap]")
    page.select_option("#f-provider_id", label="Riverbank Forest School — Registered (other)")
    page.fill("#f-start_date", (date.today() + timedelta(days=7)).isoformat())
    for session_code in ("tue_am", "tue_pm", "thu_am", "thu_pm"):
        page.check(f"input[name=sessions][value={session_code}]")
    page.fill("#f-aims", "Hands-on learning outdoors; rebuild confidence.")
    page.fill("#f-safeguarding_arrangements", "Jess Moor is the provider's DSL; same-day call to our DSL.")
    page.fill("#f-cost", "85")
    page.fill("#f-cost_basis", "per day")
    page.fill("#f-qa_visit_every_weeks", "4")
    page.get_by_label("Sam Okafor").check()
    page.click("button:has-text('Save as planned')")
    page.wait_for_selector("text=Before this placement can start")
    assert page.locator(".blockers li").first.inner_text() == (
        "No pre-placement check and risk assessment for Riverbank Forest School (§7.8).")
    screenshot(page, "admin-journey-placement-planned-desktop")

    snapshot = phone_pull(base, "visiting.staff@riverside.example")
    pupils = {p["id"]: p for p in snapshot["pupils"]}
    providers = {p["id"]: p for p in snapshot["providers"]}
    mine = [p for p in snapshot["placements"] if pupils[p["pupil_id"]]["last_name"] == "Ashdown"]
    assert len(mine) == 1
    placement = mine[0]
    assert providers[placement["provider_id"]]["name"] == "Riverbank Forest School"
    assert placement["sessions"] == ["tue_am", "tue_pm", "thu_am", "thu_pm"]
    assert placement["status"] == "planned" and placement["qa_visit_every_weeks"] == 4
    assert pupils[placement["pupil_id"]]["looked_after"] is True


CSV = ("\ufeffUPN,Forename,Surname,DOB,Year,EHCP,LAC,Form\r\n\r\n"
       "MIS00000,Alfie,Brennan,10/01/2011,Year 11,Yes,N,11B\r\n"
       "N1,Zara,Okonkwo,03/04/2012,9,Y,No,9A\r\n"
       "N2,Ivy,Stone,31/02/2012,9,N,N,9A\r\n"
       "N3,Pia,Wren,01/06/2012,9,maybe,N,9A\r\n")


def test_screenshots_of_every_administration_page(live_server, browser, phone_context, tmp_path):
    base = live_server.url
    desktop_context = browser.new_context(**DESKTOP_UK)
    try:
        _desktop_and_phone_pages(base, desktop_context, phone_context, tmp_path)
    finally:
        desktop_context.close()
    tablet_context = browser.new_context(**TABLET_UK)
    try:
        tablet = tablet_context.new_page()
        sign_in(tablet, base)
        tablet.goto(base + "/office/placements")
        tablet.click("a.button:has-text('Agreement') >> nth=1")
        screenshot(tablet, "admin-placement-edit-tablet")
        tablet.goto(base + "/office/settings")
        screenshot(tablet, "admin-settings-tablet")
    finally:
        tablet_context.close()


def _desktop_and_phone_pages(base, desktop_context, phone_context, tmp_path):
    page = desktop_context.new_page()
    sign_in(page, base)
    shots = [("settings", "/office/settings"), ("staff", "/office/staff"), ("providers", "/office/providers"),
             ("provider-new", "/office/providers/new"), ("pupils", "/office/pupils"),
             ("pupil-new", "/office/pupils/new"), ("placements", "/office/placements"),
             ("placement-new", "/office/placements/new"), ("pupil-import-upload", "/office/pupils/import")]
    for name, path in shots:
        page.goto(base + path)
        screenshot(page, f"admin-{name}-desktop")

    page.goto(base + "/office/providers")
    page.click("a.button:has-text('Edit') >> nth=0")  # Bright Sparks: no check, evidence expiring
    screenshot(page, "admin-provider-edit-desktop")
    page.goto(base + "/office/pupils")
    page.click("a:has-text('Brennan, Alfie')")
    screenshot(page, "admin-pupil-edit-desktop")
    page.goto(base + "/office/placements")
    page.click("a.button:has-text('Agreement') >> nth=1")  # the planned one
    screenshot(page, "admin-placement-edit-planned-desktop")
    page.goto(base + "/office/placements")
    page.click("a.button:has-text('Agreement') >> nth=5")  # the part-time timetable, active
    screenshot(page, "admin-placement-edit-active-desktop")

    page.goto(base + "/office/providers/new")
    page.fill("#f-name", "Greenway Farm Learning")
    page.select_option("#f-registration_status", label="Ofsted-registered independent school")
    page.fill("#f-reports-0-report_date", "2025-02-30")
    page.click("button:has-text('Save provider')")
    page.wait_for_selector(".error-summary")
    screenshot(page, "admin-provider-errors-desktop")

    page.goto(base + "/office/staff")
    page.fill("#f-full_name", "Nadia Quinn")
    page.fill("#f-email", "nadia.quinn@riverside.example")
    page.click("button:has-text('Add and make their link')")
    link = page.locator("#password-link").inner_text()
    screenshot(page, "admin-staff-member-link-desktop")

    csv_file = tmp_path / "mis-export.csv"
    csv_file.write_bytes(CSV.encode("utf-8"))
    page.goto(base + "/office/pupils/import")
    page.set_input_files("#file", str(csv_file))
    page.click("button:has-text('Upload and continue')")
    page.wait_for_selector("text=Match the columns")
    screenshot(page, "admin-pupil-import-columns-desktop")
    page.click("button:has-text('Show what the import will do')")
    page.wait_for_selector("text=Check the import")
    screenshot(page, "admin-pupil-import-check-desktop")

    phone = phone_context.new_page()
    phone.goto(link)
    screenshot(phone, "admin-set-password-phone")
    phone.fill("#f-password", "kettle meadow lantern")
    phone.fill("#f-password_again", "kettle meadow lantern")
    phone.click("button:has-text('Save my password')")
    phone.wait_for_selector("text=Password saved")
    screenshot(phone, "admin-set-password-done-phone")
