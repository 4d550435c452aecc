"""Pupil data on the phone is encrypted at rest: the browser's own files (IndexedDB's LevelDB and
blob files, the "Web Data" autofill database) never hold a pupil's name or anything typed about
them, signed in or signed out. The PIN opens the app offline; five wrong PINs destroy the
wrapped key, and an online sign-in gets it back, so the unsent visit still reaches the school
exactly once. The server ending the session destroys the key on the phone."""
import json
from pathlib import Path

import pytest

from server.extensions import db
from server.models import User, UserSession, Visit
from server.security import end_sessions
from tests.conftest import CHROMIUM_ARGS, PHONE, SYSTEM_CHROMIUM, screenshot
from tests.e2e.conftest import (PIN, VISITING_STAFF, Phone, add_photo, answer_qa_visit, complete_visit, jpeg_bytes,
                                server_rows, start_qa_visit, sync_now, wait_for_state)

pytestmark = pytest.mark.e2e

PUPIL = "Brennan"                 # Alfie Brennan, a demo pupil: in the snapshot the phone keeps
TYPED = "Quillonmarsh"            # typed into the draft's findings and a photo caption
SECRETS = (PUPIL, TYPED)


def encodings(text):
    """How a string can sit in the browser's files: V8 writes one-byte strings as Latin-1 and
    others as UTF-16, SQLite as UTF-8."""
    return {text.encode("latin-1"), text.encode("utf-16-le")}


def hits(directory, text):
    """{file: count} of every file under `directory` holding `text` in any encoding."""
    found = {}
    for path in Path(directory).rglob("*"):
        if not path.is_file():
            continue
        data = path.read_bytes()
        count = sum(data.count(form) for form in encodings(text))
        if count:
            found[str(path.relative_to(directory))] = count
    return found


def browser_stores(profile):
    """The browser's storage of pupil data that this app controls: IndexedDB and form autofill."""
    default = Path(profile) / "Default"
    stores = {}
    for text in SECRETS:
        for name, count in hits(default / "IndexedDB", text).items():
            stores[f"IndexedDB/{name}:{text}"] = count
        web_data = default / "Web Data"
        if web_data.exists():
            count = sum(web_data.read_bytes().count(form) for form in encodings(text))
            if count:
                stores[f"Web Data:{text}"] = count
    return stores


def launch(playwright_instance, profile):
    return playwright_instance.chromium.launch_persistent_context(
        str(profile), executable_path=SYSTEM_CHROMIUM, args=CHROMIUM_ARGS, headless=True, **PHONE)


def sign_out(phone):
    page = phone.page
    page.get_by_role("link", name="Sign out").click()
    page.get_by_role("button", name="sign out").first.click()
    page.get_by_role("heading", name="Signed out").wait_for()


def test_the_browsers_files_never_hold_a_pupils_name_or_what_was_typed(playwright_instance, live_server, tmp_path):
    profile = tmp_path / "profile"
    context = launch(playwright_instance, profile)
    try:
        phone = Phone(context.pages[0] if context.pages else context.new_page(), live_server.url)
        page = phone.open().sign_in().page
        page.route("**/api/visits/**", lambda route: route.abort())  # the draft stays on the phone
        start_qa_visit(phone)  # Alfie Brennan
        phone.answer("work_reviewed", "yes")
        add_photo(phone, "work_photos", jpeg_bytes())
        page.get_by_label("Caption").fill(f"{TYPED}'s model bridge")
        phone.fill("findings", f"{TYPED} was settled and working well.")
        page.get_by_text("Saved on this phone at").wait_for()
        page.wait_for_timeout(1500)   # the caption's own autosave, then IndexedDB's log write
        [draft] = phone.visits()      # the app itself reads it back
        assert TYPED in draft["answers"]["findings"]["value"]
        assert TYPED in phone.records("photos")[0]["caption"]
        assert PUPIL in json.dumps(page.evaluate("() => import('/js/db.js').then((db) => db.getSnapshot())"))

        assert browser_stores(profile) == {}, "signed in: IndexedDB and autofill hold only ciphertext"
        assert (profile / "Default" / "IndexedDB").exists()

        page.get_by_role("link", name="Today", exact=True).click()
        sign_out(phone)
        page.wait_for_timeout(1000)
        assert browser_stores(profile) == {}, "signed out: still only ciphertext"
        assert phone.idb("keys") == [] and phone.idb("snapshot") == []
    finally:
        context.close()
    # With the browser closed every file is complete; the wrapped key was destroyed at sign-out.
    # Nowhere in the profile (history, session files, caches) either.
    assert browser_stores(profile) == {}
    assert [hits(profile, text) for text in SECRETS] == [{}, {}]


def test_the_pin_opens_the_app_offline_and_five_wrong_pins_leave_only_an_online_sign_in(phone, live_server):
    page = phone.open().sign_in().wait_for_service_worker().page

    # The school receives the visit, but its receipt never reaches the phone.
    received = []

    def lost_receipt(route):
        received.append(route.fetch().status)
        route.abort()
    page.route("**/api/visits/**", lost_receipt)
    start_qa_visit(phone)
    answer_qa_visit(phone, concern="Said an older cousin collects him.")
    complete_visit(phone)
    for _ in range(600):   # until the server has answered the visit's PUT (the phone never hears it)
        if received:
            break
        page.wait_for_timeout(50)
    assert received[0] == 201
    wait_for_state(phone, "ready")
    assert len(server_rows(Visit)) == 1
    page.unroute("**/api/visits/**")

    page.context.set_offline(True)
    page.reload()
    page.get_by_role("heading", name="Enter your PIN").wait_for()
    assert page.locator("#nav a").count() == 0, "nothing about pupils before the PIN"
    screenshot(page, "pin-unlock")
    page.get_by_label("PIN", exact=True).fill("111999")
    page.get_by_role("button", name="Open").click()
    page.get_by_text("That PIN is not right. 4 tries left").wait_for()
    phone.unlock()   # offline, from the phone alone
    page.get_by_role("link", name="Outbox").click()
    wait_for_state(phone, "ready")

    page.reload()
    for left in (4, 3, 2, 1):
        page.get_by_label("PIN", exact=True).fill(f"90817{left}")
        page.get_by_role("button", name="Open").click()
        page.get_by_text(f"{left} {'try' if left == 1 else 'tries'} left").wait_for()
    page.get_by_label("PIN", exact=True).fill("908170")
    page.get_by_role("button", name="Open").click()
    page.get_by_text("Too many wrong PINs.").wait_for()
    screenshot(page, "pin-locked-out")
    assert phone.idb("keys") == [], "the wrapped key is destroyed"
    [sealed] = phone.idb("visits")
    assert set(sealed) == {"id", "owner", "sealed"}, "the unsent visit stays, sealed"
    page.reload()
    page.get_by_label("School email").wait_for()   # no PIN screen any more
    assert page.get_by_label("School email").input_value() == VISITING_STAFF

    page.context.set_offline(False)
    phone.sign_in()   # the server hands the key back; a new PIN is chosen
    sync_now(phone)
    wait_for_state(phone, "complete")
    [visit] = server_rows(Visit)
    assert visit.complete
    assert phone.idb("keys")[0]["failures"] == 0


def test_the_server_ending_the_session_destroys_the_key_on_the_phone(phone, live_server):
    page = phone.open().sign_in().page
    start_qa_visit(phone)
    phone.answer("spoke_with_staff", "yes")
    page.get_by_text("Saved on this phone at").wait_for()
    assert len(phone.idb("keys")) == 1

    [user] = server_rows(User, email=VISITING_STAFF)
    end_sessions(UserSession.user_id == user.id)   # a senior revokes the device
    db.session.commit()
    page.reload()   # the app's next contact with the server
    page.get_by_text("Your session on this phone has ended").wait_for()
    assert phone.idb("keys") == []
    [sealed] = phone.idb("visits")
    assert "sealed" in sealed

    phone.sign_in()
    [draft] = phone.visits()
    assert draft["answers"]["spoke_with_staff"]["value"] == "yes"
    assert phone.errors == []


def test_pin_boxes_keep_nothing_in_autofill_and_refuse_an_easy_pin(phone):
    page = phone.open().page
    page.get_by_label("School email").fill(VISITING_STAFF)
    page.get_by_label("Password").fill("demo-password-2026")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Choose a PIN for this phone").wait_for()
    screenshot(page, "pin-choose")
    boxes = page.eval_on_selector_all("input", "els => els.map(e => [e.id, e.type, e.getAttribute('autocomplete')])")
    assert boxes == [["pin-new", "password", "off"], ["pin-repeat", "password", "off"]]
    for easy, why in (("1234", "at least 6 digits"), ("123456", "too easy to guess"), ("000000", "too easy to guess")):
        page.get_by_label("New PIN").fill(easy)
        page.get_by_label("The same PIN again").fill(easy)
        page.get_by_role("button", name="Set PIN").click()
        page.locator("#pin-error", has_text=why).wait_for()
        assert phone.idb("keys") == []
    phone.choose_pin(PIN)
    page.get_by_role("heading", name="Your pupils").wait_for()
