"""The outbox tells the truth during a partial sync: per visit and per photo what the server
has, live while photos are on their way, and "Last reached the server" moved on by every answer."""
import pytest

from server.models import Photo, Visit
from tests.conftest import screenshot
from tests.e2e.conftest import (answer_qa_visit, complete_visit, jpeg_bytes, server_rows, start_qa_visit,
                                sync_now, wait_for_state)

pytestmark = pytest.mark.e2e

PHOTO_URL = "**/api/visits/*/photos/**"


def photo_states(page):
    return page.locator("[data-photo-state]").evaluate_all("rows => rows.map(r => r.dataset.photoState)")


def stored_photos():
    return sum(photo.stored_at is not None for photo in server_rows(Photo))


def test_the_outbox_shows_each_photo_as_the_server_has_it_during_a_partial_sync(phone):
    page = phone.open().sign_in().page
    page.wait_for_function("() => !document.querySelector('.sync-pill')?.textContent.includes('Sending')")
    held, link = [], {"photos": 0, "state": "slow"}

    def first_goes_second_hangs_then_cut(route):
        link["photos"] += 1
        if link["state"] == "down":
            route.abort()            # every try fails
        elif link["state"] == "slow" and link["photos"] > 1:
            held.append(route)       # on its way, no answer yet
        else:
            route.continue_()

    page.route(PHOTO_URL, first_goes_second_hangs_then_cut)
    start_qa_visit(phone)
    answer_qa_visit(phone, photos=[jpeg_bytes(colour=(10, 200, 10)), jpeg_bytes(colour=(200, 200, 10)),
                                   jpeg_bytes(colour=(200, 10, 200))])
    before_sending = page.evaluate("new Date().toISOString()")
    complete_visit(phone)

    # Mid-sync: the visit and its first photo are on the server, the second is on its way.
    page.locator("[data-photo-state='sending']").first.wait_for()    # the first photo, live
    page.locator("[data-photo-state='server'] + [data-photo-state='sending']").wait_for()
    assert photo_states(page) == ["server", "sending", "queued"]
    wait_for_state(phone, "incomplete")
    assert len(server_rows(Visit)) == 1 and stored_photos() == 1
    assert page.get_by_role("status").filter(has_text="Still to send: 2 photos").count() == 1
    # The server's answers to the visit and its first photo moved "Last reached the server" on.
    assert phone.idb("meta", "last_sync") > before_sending
    assert page.get_by_text("Last reached the server").is_visible()
    screenshot(page, "outbox-partial-sync")

    # The link drops: the phone still shows exactly what the server has.
    link["state"] = "down"
    held.pop().abort()
    page.locator("[data-photo-state='sending']").wait_for(state="detached")
    assert photo_states(page) == ["server", "queued", "queued"]
    page.locator(".visit-card .state", has_text="On server (incomplete, 2 photos missing)").wait_for()
    assert stored_photos() == 1 and not server_rows(Visit)[0].complete
    assert page.get_by_role("status").filter(has_text="Still to send: 2 photos").count() == 1

    link["state"] = "up"
    sync_now(phone)
    wait_for_state(phone, "complete")
    page.get_by_text("Everything finished is on the school’s server.").wait_for()
    assert stored_photos() == 3 and server_rows(Visit)[0].complete
    assert page.locator("[data-photo-state]").count() == 0
    assert phone.errors == []


def test_before_any_try_the_outbox_says_what_waits_not_a_sync_that_never_ran(phone):
    page = phone.open().sign_in().page
    page.route("**/api/visits/**", lambda route: route.abort())
    start_qa_visit(phone)
    answer_qa_visit(phone, photos=[jpeg_bytes()])
    complete_visit(phone)
    wait_for_state(phone, "ready")
    status = page.get_by_role("status").filter(has_text="Still to send")
    status.wait_for()
    assert "Still to send: 1 visit and 1 photo" in status.inner_text()
    assert "0 of" not in page.locator(".sync-card").inner_text()
    assert photo_states(page) == ["queued"]
