"""In a real browser against the real server: an AP leader sets up a provider, a pupil and a
placement through the office pages, and the visiting member of staff's phone has it at its next
pull. Screenshots of every administration page go to test-artifacts/screenshots/ to be looked at;
each page visited must answer 200 and show its own heading, not the error page."""
import re
from datetime import date, timedelta

import pytest
import requests

from tests.conftest import demo_totp_code, screenshot

pytestmark = pytest.mark.e2e

AP_LEADER = "ap.leader@riverside.example"
PASSWORD = "demo-password-2026"
# British schools: dates in the boxes read dd/mm/yyyy, as they will on the AP leader's own computer.
UK = {"locale": "en-GB", "timezone_id": "Europe/London"}
DESKTOP_UK = {"viewport": {"width": 1366, "height": 900}, **UK}
# The demo's planned placement: the second "Agreement" on the placements page.
PLANNED_PLACEMENT = "Off-site alternative provision at Hearthstone Online Academy"
TABLET_UK = {"viewport": {"width": 820, "height": 1180}, "device_scale_factor": 2, "has_touch": True, **UK}


def shows(page, response, heading, status=200):
    """The navigation answered `status` and rendered the page meant: its first heading starts
    with `heading`. The error page's title and heading are only its status code."""
    assert response is not None and response.status == status, (page.url, response and response.status)
    assert not re.match(r"\d{3} ", page.title()), (page.url, page.title())
    shown = page.locator("h1").first.inner_text()
    assert shown.startswith(heading), (page.url, shown)


def goto(page, url, heading):
    shows(page, page.goto(url), heading)


def click(page, selector, heading, status=200):
    """Click a link or a submit button and check the page it leads to (after any redirect)."""
    with page.expect_navigation() as navigation:
        page.click(selector)
    shows(page, navigation.value, heading, status)


def sign_in(page, base, email=AP_LEADER):
    goto(page, base + "/office/sign-in", "Sign in to the office")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    click(page, "button[type=submit]", "Enter your code")
    page.fill("#code", demo_totp_code(email))
    click(page, "button[type=submit]", "To do")


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

    goto(page, base + "/office/providers/new", "Add a provider")
    page.fill("#f-name", "Riverbank Forest School")
    page.select_option("#f-registration_status", label="Registered (other)")
    page.fill("#f-urn", "2034567")
    page.check("#f-on_la_approved_list")
    page.fill("#f-full_time_pupils", "3")
    page.fill("#f-contact_name", "Jess Moor")
    page.fill("#f-contact_phone", "01632 960777")
    page.select_option("#f-evidence-0-kind", label="Insurance")
    page.fill("#f-evidence-0-expires_on", (date.today() + timedelta(days=300)).isoformat())
    click(page, "button:has-text('Save provider')", "Riverbank Forest School")
    page.wait_for_selector("text=Riverbank Forest School saved.")

    goto(page, base + "/office/pupils/new", "Add a pupil")
    page.fill("#f-first_name", "Poppy")
    page.fill("#f-last_name", "Ashdown")
    page.fill("#f-date_of_birth", "2012-03-14")
    page.select_option("#f-year_group", label="Year 9")
    page.fill("#f-mis_id", "NEW0001")
    page.check("#f-looked_after")
    page.check("#f-fsm_eligible")
    click(page, "button:has-text('Save pupil')", "Poppy Ashdown")
    page.wait_for_selector("text=Poppy Ashdown saved.")
    click(page, "a:has-text('New placement')", "New placement")

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
    click(page, "button:has-text('Save as planned')", "Off-site alternative provision at Riverbank Forest School")
    page.wait_for_selector("text=Before this placement can start")
    blockers = page.locator(".blockers li").all_inner_texts()
    assert "No pre-placement check and risk assessment for Riverbank Forest School (§7.8)." in blockers
    # The agreement is not complete yet (§7.11), and Poppy is looked after (§7.6).
    assert any(b.startswith("The service-level agreement is not complete") for b in blockers)
    assert "Consult the Virtual School Head and record who and when (§7.6, §8.8)." in blockers
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
        goto(tablet, base + "/office/placements", "Placements")
        click(tablet, "a.button:has-text('Agreement') >> nth=1", PLANNED_PLACEMENT)
        screenshot(tablet, "admin-placement-edit-tablet")
        goto(tablet, base + "/office/settings", "School settings")
        screenshot(tablet, "admin-settings-tablet")
    finally:
        tablet_context.close()


def _desktop_and_phone_pages(base, desktop_context, phone_context, tmp_path):
    page = desktop_context.new_page()
    sign_in(page, base)
    shots = [("settings", "/office/settings", "School settings"), ("staff", "/office/staff", "Staff"),
             ("providers", "/office/providers", "Providers"),
             ("provider-new", "/office/providers/new", "Add a provider"), ("pupils", "/office/pupils", "Pupils"),
             ("pupil-new", "/office/pupils/new", "Add a pupil"), ("placements", "/office/placements", "Placements"),
             ("placement-new", "/office/placements/new", "New placement"),
             ("pupil-import-upload", "/office/pupils/import", "Import pupils from your MIS")]
    for name, path, heading in shots:
        goto(page, base + path, heading)
        screenshot(page, f"admin-{name}-desktop")

    goto(page, base + "/office/providers", "Providers")
    # Bright Sparks: no check, evidence expiring
    click(page, "a.button:has-text('Edit') >> nth=0", "Bright Sparks Mechanics")
    screenshot(page, "admin-provider-edit-desktop")
    goto(page, base + "/office/pupils", "Pupils")
    click(page, "a:has-text('Brennan, Alfie')", "Alfie Brennan")
    screenshot(page, "admin-pupil-edit-desktop")
    goto(page, base + "/office/placements", "Placements")
    click(page, "a.button:has-text('Agreement') >> nth=1", PLANNED_PLACEMENT)
    screenshot(page, "admin-placement-edit-planned-desktop")
    goto(page, base + "/office/placements", "Placements")
    click(page, "a.button:has-text('Agreement') >> nth=5", "Part-time timetable")
    screenshot(page, "admin-placement-edit-active-desktop")

    goto(page, base + "/office/providers/new", "Add a provider")
    page.fill("#f-name", "Greenway Farm Learning")
    page.select_option("#f-registration_status", label="Ofsted-registered independent school")
    page.fill("#f-reports-0-report_date", "2025-02-30")
    click(page, "button:has-text('Save provider')", "Add a provider", status=422)
    page.wait_for_selector(".error-summary")
    screenshot(page, "admin-provider-errors-desktop")

    goto(page, base + "/office/staff", "Staff")
    page.fill("#f-full_name", "Nadia Quinn")
    page.fill("#f-email", "nadia.quinn@riverside.example")
    click(page, "button:has-text('Add and make their link')", "Nadia Quinn")
    link = page.locator("#password-link").inner_text()
    screenshot(page, "admin-staff-member-link-desktop")

    csv_file = tmp_path / "mis-export.csv"
    csv_file.write_bytes(CSV.encode("utf-8"))
    goto(page, base + "/office/pupils/import", "Import pupils from your MIS")
    page.set_input_files("#file", str(csv_file))
    click(page, "button:has-text('Upload and continue')", "Match the columns")
    screenshot(page, "admin-pupil-import-columns-desktop")
    click(page, "button:has-text('Show what the import will do')", "Check the import")
    screenshot(page, "admin-pupil-import-check-desktop")

    phone = phone_context.new_page()
    goto(phone, link, "Choose your password")
    screenshot(phone, "admin-set-password-phone")
    phone.fill("#f-password", "kettle meadow lantern")
    phone.fill("#f-password_again", "kettle meadow lantern")
    click(phone, "button:has-text('Save my password')", "Password saved")
    screenshot(phone, "admin-set-password-done-phone")
