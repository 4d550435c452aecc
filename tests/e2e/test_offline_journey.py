"""The whole journey with no server: sign in once online, then record a visit with photos and
a concern while the server is down, survive a reload and a browser restart, and sync once the
server is back: the school has the visit exactly once, photos byte-identical to the phone's."""
import pytest

from tests.conftest import CHROMIUM_ARGS, PHONE, SYSTEM_CHROMIUM, screenshot
from tests.e2e.conftest import (Phone, answer_qa_visit, complete_visit, jpeg_bytes, photo_hashes_on_the_phone,
                                start_qa_visit, sync_now, the_school_has_the_visit_once, wait_for_state)

pytestmark = pytest.mark.e2e


def launch(playwright_instance, profile):
    options = {key: value for key, value in PHONE.items()}
    return playwright_instance.chromium.launch_persistent_context(
        str(profile), executable_path=SYSTEM_CHROMIUM, args=CHROMIUM_ARGS, headless=True, **options)


def test_a_visit_completed_offline_reaches_the_server_once_with_its_photos(playwright_instance, live_server, tmp_path):
    profile = tmp_path / "profile"
    context = launch(playwright_instance, profile)
    try:
        phone = Phone(context.pages[0] if context.pages else context.new_page(), live_server.url)
        phone.open().sign_in().wait_for_service_worker()

        live_server.stop()  # from here on, no server at all
        phone.page.reload()
        phone.unlock()  # the PIN opens the phone's records with no server at all
        phone.page.get_by_role("heading", name="Your pupils").wait_for()  # still signed in, from the phone alone
        start_qa_visit(phone)
        answer_qa_visit(phone, photos=[jpeg_bytes(colour=(0, 90, 0)), jpeg_bytes(colour=(0, 0, 90))],
                        concern="Pupil said an older student has been taking his lunch money.")
        complete_visit(phone)
        wait_for_state(phone, "ready")
        phone.page.reload()
        phone.unlock()
        wait_for_state(phone, "ready")
        assert phone.errors == []
    finally:
        context.close()

    context = launch(playwright_instance, profile)  # a cold start, server still down
    try:
        phone = Phone(context.pages[0] if context.pages else context.new_page(), live_server.url)
        phone.open("#/outbox").unlock()
        wait_for_state(phone, "ready")
        [stored] = phone.visits()
        phone_hashes = photo_hashes_on_the_phone(phone)
        assert len(phone_hashes) == 2

        live_server.start()
        sync_now(phone)
        wait_for_state(phone, "complete")
        screenshot(phone.page, "outbox-after-offline-journey")
    finally:
        context.close()

    concern = the_school_has_the_visit_once(stored["id"], phone_hashes)
    assert concern.text.startswith("Pupil said an older student")
