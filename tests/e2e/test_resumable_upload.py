"""A photo cut off mid-upload goes on from the byte the server confirmed: the phone never sends
a confirmed byte again, and the outbox shows how much of the photo the server holds."""
import hashlib
import io
import random
import threading

import pytest
from PIL import Image

from server.models import Photo, Visit
from tests.conftest import ARTIFACTS, PHONE, screenshot
from tests.e2e.axe import violations
from tests.e2e.conftest import Phone, answer_qa_visit, complete_visit, server_rows, start_qa_visit, wait_for_state

pytestmark = pytest.mark.e2e

UPLOAD_URL = "**/api/visits/*/photos/*/upload"
ARRIVED_BEFORE_THE_DROP = 100_000   # bytes of the cut request that reach the server
SIZES = {"390": {"width": 390, "height": 844}, "1280": {"width": 1280, "height": 900}}


@pytest.fixture
def phone(browser, live_server):
    """The phone, in a context that lets axe-core's script past the app's CSP."""
    context = browser.new_context(**PHONE, bypass_csp=True)
    yield Phone(context.new_page(), live_server.url)
    context.close()


def noisy_photo(width=2400, height=1800, seed=7):
    """Noise compresses badly: after the phone shrinks it, it is still over 1 MB (3 requests)."""
    rng = random.Random(seed)
    tile = Image.frombytes("RGB", (240, 180), bytes(rng.getrandbits(8) for _ in range(240 * 180 * 3)))
    image = tile.resize((width, height), Image.Resampling.NEAREST)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=95)
    return buffer.getvalue()


def test_a_photo_cut_off_mid_upload_resumes_from_the_confirmed_byte(phone):
    page = phone.open().sign_in().page
    requests, delivered = [], []   # every upload request the phone made; the byte ranges the server got
    held = threading.Event()
    state = {"puts": 0, "held": None}

    def link(route):
        request = route.request
        if request.method != "PUT":
            requests.append(("GET", None, None))
            route.continue_()
            return
        offset, body = int(request.headers["upload-offset"]), request.post_data_buffer or b""
        requests.append(("PUT", offset, len(body)))
        state["puts"] += 1
        if state["puts"] == 2:
            # The link drops mid-body: the first 100 KB reach the server, the phone hears nothing.
            route.fetch(post_data=body[:ARRIVED_BEFORE_THE_DROP])
            delivered.append((offset, ARRIVED_BEFORE_THE_DROP))
            route.abort()
        elif state["puts"] == 3:
            state["held"] = (route, offset, body)   # on its way while we look at the outbox
            held.set()
        else:
            delivered.append((offset, len(body)))
            route.continue_()

    page.route(UPLOAD_URL, link)
    start_qa_visit(phone)
    answer_qa_visit(phone, photos=[noisy_photo()])
    complete_visit(phone)

    page.wait_for_function("() => document.querySelector('[data-photo-state=\"sending\"] progress')")
    while not held.is_set():
        page.wait_for_timeout(50)
    route, offset, body = state["held"]
    row = page.locator("[data-photo-state='sending']")
    confirmed = int(row.get_attribute("data-confirmed"))
    assert confirmed == offset > ARRIVED_BEFORE_THE_DROP   # shown from what the server confirmed
    assert row.locator(".photo-part").inner_text().endswith("on the server")
    screenshot(page, "outbox-photo-part-sent")
    for size, viewport in SIZES.items():   # the partly sent photo, at phone and desktop size
        page.set_viewport_size(viewport)
        assert violations(page) == [], size
        page.screenshot(path=str(ARTIFACTS / "screenshots" / f"outbox-photo-part-sent-{size}.png"))
    page.set_viewport_size(SIZES["390"])
    delivered.append((offset, len(body)))
    route.continue_()

    wait_for_state(phone, "complete", timeout=60_000)
    size = phone.records("photos")[0]["size"]
    kinds = [kind for kind, _, _ in requests]
    # First request from 0; the cut one; then the phone asked what the server held and went on
    # from exactly there: every byte reached the server once, none twice.
    assert requests[0] == ("PUT", 0, 512 * 1024)
    assert kinds[:3] == ["PUT", "PUT", "GET"], requests
    assert requests[3][1] == 512 * 1024 + ARRIVED_BEFORE_THE_DROP
    position = 0
    for start, length in delivered:
        assert start == position, (delivered, requests)
        position += length
    assert position == size
    (photo,) = server_rows(Photo)
    assert photo.stored_at is not None and server_rows(Visit)[0].complete
    assert photo.declared_sha256 == hashlib.sha256(phone.photo_bytes(str(photo.uuid))).hexdigest()
    assert phone.errors == []
