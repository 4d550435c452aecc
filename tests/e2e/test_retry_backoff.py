"""When the phone retries: promptly once the connection comes back or the app comes to the front,
however long it was offline; patiently while the server itself refuses. The page's clock is
Playwright's, so the backoff timers are run forward instead of waited for."""
import json

import pytest

from server.models import Visit
from tests.e2e.conftest import answer_qa_visit, complete_visit, server_rows, start_qa_visit, wait_for_state

pytestmark = pytest.mark.e2e

VISIT_URL = "**/api/visits/*"


def signed_in_with_a_fake_clock(phone):
    page = phone.page
    page.clock.install()
    phone.open().sign_in()
    # The controller's own sync module (same URL, same instance): count the syncs that ended.
    page.evaluate("""async () => {
        const sync = await import('/js/sync.js');
        window.syncsDone = 0;
        sync.events.addEventListener('done', () => { window.syncsDone += 1; });
    }""")
    page.wait_for_function("() => !document.querySelector('.sync-pill')?.textContent.includes('Sending')")
    return page


def syncs_done(page):
    return page.evaluate("window.syncsDone")


def wait_for_syncs(page, count):
    page.wait_for_function("n => window.syncsDone >= n", arg=count)


def test_after_a_long_offline_spell_a_dropped_reply_is_retried_within_seconds(phone, phone_context):
    page = signed_in_with_a_fake_clock(phone)
    phone_context.set_offline(True)
    start_qa_visit(phone)
    answer_qa_visit(phone)
    done = syncs_done(page)
    complete_visit(phone)
    wait_for_syncs(page, done + 1)
    # Half an hour offline: every timer the app set runs, each try fails.
    for _ in range(6):
        done = syncs_done(page)
        page.clock.run_for(301_000)
        wait_for_syncs(page, done + 1)

    dropped = []

    def drop_the_first_reply(route):
        if route.request.method == "PUT" and not dropped:
            dropped.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    page.route(VISIT_URL, drop_the_first_reply)
    done = syncs_done(page)
    phone_context.set_offline(False)          # `online`: tried at once...
    wait_for_syncs(page, done + 1)
    assert dropped, "coming back online did not try to send"
    page.clock.run_for(8_000)                 # ...and after one dropped reply, again within 7.5 s
    wait_for_state(phone, "complete", timeout=10_000)
    assert len(server_rows(Visit)) == 1
    assert phone.errors == []


def test_a_refusing_server_is_given_longer_waits_and_coming_to_the_front_tries_at_once(phone):
    page = signed_in_with_a_fake_clock(phone)
    tries = []
    busy = {"on": True}

    def busy_server(route):
        if route.request.method != "PUT":
            route.continue_()
        elif busy["on"]:
            tries.append(route.request.url)
            route.fulfill(status=503, content_type="application/json", body=json.dumps(
                {"code": "unavailable", "message": "Try again later.", "details": {}}))
        else:
            route.continue_()

    page.route(VISIT_URL, busy_server)
    start_qa_visit(phone)
    answer_qa_visit(phone)
    done = syncs_done(page)
    complete_visit(phone)
    wait_for_syncs(page, done + 1)
    # Backoff 5 s then 10 s (each ×0.5–1.5): run each timer out.
    for longest in (7_600, 15_100):
        done = syncs_done(page)
        page.clock.run_for(longest)
        wait_for_syncs(page, done + 1)
    assert len(tries) == 3
    # The third refusal: the next try waits 20 s (10–30 s with jitter), not less.
    page.clock.run_for(9_500)
    page.wait_for_timeout(500)
    assert len(tries) == 3

    # Back to the front: tried at once, whatever the backoff.
    busy["on"] = False
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    wait_for_state(phone, "complete", timeout=10_000)
    assert len(server_rows(Visit)) == 1


def test_a_retry_sends_only_what_the_server_still_lacks(phone):
    """A visit on the server with a photo missing: the retry sends that photo, not the visit
    again, nor the photo the server already confirmed."""
    from tests.e2e.conftest import jpeg_bytes, sync_now
    page = phone.open().sign_in().page
    sent = []
    link = {"up": False}

    def count(route):
        request = route.request
        if request.method != "PUT":
            route.continue_()
            return
        # A photo's upload goes to /photos/<id>/upload: name it by the photo's id.
        sent.append(("photo", request.url.rsplit("/", 2)[1]) if "/photos/" in request.url
                    else ("visit", request.url.rsplit("/", 1)[1]))
        if not link["up"] and len([kind for kind, _ in sent if kind == "photo"]) >= 2:
            route.abort()     # the second photo is cut off, and every quick try at it after
        else:
            route.continue_()

    page.route("**/api/visits/**", count)
    start_qa_visit(phone)
    answer_qa_visit(phone, photos=[jpeg_bytes(colour=(10, 200, 10)), jpeg_bytes(colour=(200, 200, 10))])
    complete_visit(phone)
    while len(sent) < 3:
        page.wait_for_timeout(100)
    page.locator("[data-photo-state='sending']").wait_for(state="detached", timeout=30_000)
    wait_for_state(phone, "incomplete")
    first_photo, second_photo = sent[1][1], sent[2][1]
    assert {photo for kind, photo in sent[2:]} == {second_photo}   # the quick tries were at it alone
    tries = len(sent)
    link["up"] = True
    sync_now(phone)
    wait_for_state(phone, "complete")
    assert [kind for kind, _ in sent[tries:]] == ["photo"]
    assert sent[-1][1] == second_photo != first_photo
