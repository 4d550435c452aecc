"""A shared phone: signing out locks the author's unsent visits so nobody else can read them,
another person signing in sees only that some are waiting, and the author signing in again
gets them back and they sync."""
import json
import time

import pytest

from server.models import AuditEvent, User, UserSession, Visit
from tests.conftest import screenshot
from tests.e2e.conftest import (answer_qa_visit, complete_visit, jpeg_bytes, server_rows, start_qa_visit,
                                wait_for_state)

pytestmark = pytest.mark.e2e

AP_LEADER = "ap.leader@riverside.example"


def everything_readable(phone):
    """All IndexedDB content as text, except the encrypted store."""
    return json.dumps([phone.idb(store) for store in ("meta", "snapshot", "keys", "visits", "photos")])


def sign_out(phone):
    page = phone.page
    page.get_by_role("link", name="Sign out").click()
    page.get_by_role("button", name="sign out").first.click()
    page.get_by_role("heading", name="Signed out").wait_for()


def test_signing_out_locks_unsent_visits_until_their_author_signs_in_again(phone):
    page = phone.open().sign_in().page
    page.route("**/api/visits/**", lambda route: route.abort())  # no signal for visits today
    start_qa_visit(phone)
    answer_qa_visit(phone, photos=[jpeg_bytes()], concern="Bruise on the pupil's arm, explained as a fall.")
    complete_visit(phone)
    wait_for_state(phone, "ready")
    start_qa_visit(phone, pupil="Maya Chowdhury")  # and a draft
    phone.answer("spoke_with_staff", "yes")
    page.get_by_text("Saved on this phone at").wait_for()
    assert "Bruise" in json.dumps(phone.visits())  # the app reads it with the key in memory
    assert "Bruise" not in everything_readable(phone)  # IndexedDB holds it sealed, signed in too

    sign_out(phone)
    page.get_by_text("2 unsent visits are locked on this phone.").wait_for()
    screenshot(page, "signed-out-locked")
    readable = everything_readable(phone)
    for secret in ("Bruise", "Alfie", "Maya", "Chowdhury", "Brennan"):
        assert secret not in readable
    assert phone.idb("visits") == [] and phone.idb("photos") == [] and phone.idb("keys") == []
    locked = phone.idb("locked")
    assert {row["kind"] for row in locked} == {"visits", "photos"} and len(locked) == 3
    assert "Bruise" not in json.dumps(locked)

    page.get_by_role("link", name="Sign in").click()
    page.get_by_text("2 locked visits are waiting on this phone.").wait_for()
    screenshot(page, "sign-in-with-locked-visits")
    phone.sign_in(AP_LEADER)  # someone else picks up the phone
    page.get_by_text("2 visits from another account are waiting on this phone.").wait_for()
    page.get_by_role("link", name="Outbox").click()
    page.get_by_text("No visits on this phone yet.").wait_for()
    assert phone.visits() == []
    sign_out(phone)

    page.unroute("**/api/visits/**")
    page.get_by_role("link", name="Sign in").click()
    phone.sign_in()  # the author is back: the server hands back the key
    page.get_by_role("link", name="Outbox").click()
    wait_for_state(phone, "complete")
    assert {v["state"] for v in phone.visits()} == {"complete", "draft"}
    assert phone.idb("locked") == []
    [visit] = server_rows(Visit)
    assert visit.complete


def test_discarding_unsent_visits_needs_a_confirmation_and_is_recorded(phone):
    page = phone.open().sign_in().page
    start_qa_visit(phone)
    phone.answer("spoke_with_staff", "yes")
    page.get_by_text("Saved on this phone at").wait_for()
    [draft] = phone.visits()

    page.get_by_role("link", name="Sign out").click()
    page.get_by_text("Discard them instead").click()
    discard = page.get_by_role("button", name="Discard 1 unsent visit and sign out")
    assert discard.is_disabled()
    page.get_by_label("Yes, delete").check()
    discard.click()
    page.get_by_role("heading", name="Signed out").wait_for()

    assert phone.idb("locked") == [] and phone.visits() == []
    recorded = [e for e in server_rows(AuditEvent, action="visit.discarded_on_phone")]
    assert [e.details["visit"] for e in recorded] == [draft["id"]]


def open_sessions_of(email):
    [user] = server_rows(User, email=email)
    return [row for row in server_rows(UserSession, user_id=user.id) if row.ended_at is None]


def test_a_sign_out_without_signal_ends_the_server_session_once_signal_returns(phone):
    page = phone.open().sign_in().page
    phone.wait_for_service_worker()
    page.context.set_offline(True)
    sign_out(phone)
    assert len(open_sessions_of("visiting.staff@riverside.example")) == 1, "offline, the server could not be told"

    # Signal is back, but the sign-out's own request still fails.
    page.route("**/api/session", lambda route: route.abort() if route.request.method == "DELETE" else route.continue_())
    page.context.set_offline(False)
    page.get_by_role("link", name="Sign in").click()
    page.get_by_label("School email").fill(AP_LEADER)
    page.get_by_label("Password").fill("demo-password-2026")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("No connection to the school").wait_for()
    assert open_sessions_of(AP_LEADER) == [], "nobody else signs in while the last session is still open"

    page.unroute("**/api/session")  # no reload, no tap: the app ends the session by itself
    deadline = time.monotonic() + 30
    while open_sessions_of("visiting.staff@riverside.example") and time.monotonic() < deadline:
        time.sleep(0.5)
    assert open_sessions_of("visiting.staff@riverside.example") == []
    phone.sign_in(AP_LEADER)


def test_nothing_typed_about_a_pupil_is_kept_by_the_browsers_autofill(phone):
    page = phone.open().sign_in().page
    start_qa_visit(phone)
    answer_qa_visit(phone, photos=[jpeg_bytes()], concern="Said an older cousin collects him.")
    boxes = page.eval_on_selector_all(
        "input:not([type=radio]):not([type=checkbox]):not([type=file]), textarea",
        "els => els.map(e => [e.id || e.name || e.type, e.getAttribute('autocomplete')])")
    assert len(boxes) >= 6
    assert [box for box in boxes if box[1] != "off"] == []
