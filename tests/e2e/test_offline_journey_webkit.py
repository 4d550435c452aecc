"""The offline journey in WebKit, the engine of every iPhone browser: sign in online, record a
visit with photos and a concern while the server is down, restart the browser on the same
profile, sync once the server is back: the school has the visit exactly once, with its photos
byte-identical to the phone's. WebKitGTK has no "offline" switch, so the server is stopped."""
import pytest

from tests.e2e.conftest import (PASSWORD, VISITING_STAFF, jpeg_bytes, photo_hashes_on_the_phone,
                                the_school_has_the_visit_once)
from tests.e2e.webkit import VirtualDisplay, WebKitPhone, require_webkit

pytestmark = pytest.mark.e2e


@pytest.fixture
def display():
    require_webkit()
    screen = VirtualDisplay()
    yield screen
    screen.stop()


def record_visit_offline(phone, photo_paths, concern):
    phone.click("//a[normalize-space()='Today']")
    phone.click("//*[contains(@class, 'placement-card')][contains(., 'Alfie Brennan')]")
    phone.click("//a[normalize-space()='Start a visit']")
    phone.click("//label[contains(@class, 'choice')][contains(., 'Quality-assurance visit')]")
    phone.click("//button[normalize-space()='Start']")
    phone.heading("Quality-assurance visit")
    phone.fill("(//*[@id='item-people_present']//input)[1]", "Jo Hill")
    phone.fill("(//*[@id='item-people_present']//input)[2]", "Provider tutor")
    for key in ("spoke_with_staff", "spoke_with_pupil", "work_reviewed", "lessons_observed",
                "unstructured_time_observed"):
        phone.answer(key, "yes")
    phone.answer("spoke_with_parents", "na")
    for path in photo_paths:
        phone.add_photo("work_photos", path)
    phone.write("findings", "Settled and working well in the workshop.")
    phone.write("pupil_voice", "Likes the tutor; wants more maths.")
    phone.answer("concern_raised", "yes")
    phone.fill(phone.labelled("What is the concern?"), concern)
    phone.fill(phone.labelled("What did you do straight away?"), "Told the provider DSL.")
    phone.click("//a[normalize-space()='Review and complete']")
    phone.wait_for("//*[normalize-space()='Everything needed is answered.']")
    phone.click("//button[normalize-space()='Complete visit']")
    phone.heading("Outbox")


def test_webkit_a_visit_completed_offline_reaches_the_server_once_with_its_photos(display, live_server, tmp_path):
    profile = tmp_path / "webkit-profile"
    photo_paths = []
    for index, colour in enumerate([(0, 90, 0), (0, 0, 90)]):
        path = tmp_path / f"work-{index}.jpg"
        path.write_bytes(jpeg_bytes(colour=colour))
        photo_paths.append(path)
    concern = "Pupil said an older student has been taking his lunch money."

    phone = WebKitPhone(display, profile, live_server.url)
    try:
        phone.open().sign_in(VISITING_STAFF, PASSWORD).wait_for_service_worker()
        live_server.stop()  # from here on, no server at all
        phone.driver.refresh()
        phone.unlock()
        phone.heading("Your pupils")  # still signed in, from the phone alone
        record_visit_offline(phone, photo_paths, concern)
        phone.wait_for_state("ready")
    finally:
        phone.quit()

    phone = WebKitPhone(display, profile, live_server.url)  # a cold start, server still down
    try:
        phone.open("#/outbox").unlock()
        phone.wait_for_state("ready")
        [stored] = phone.records("visits")
        phone_hashes = photo_hashes_on_the_phone(phone)
        assert len(phone_hashes) == 2

        live_server.start()
        phone.click("//button[normalize-space()='Sync now']")
        phone.wait_for_state("complete", timeout=40)
        phone.driver.save_screenshot(str(tmp_path / "webkit-outbox.png"))
    finally:
        phone.quit()

    assert the_school_has_the_visit_once(stored["id"], phone_hashes).text == concern
