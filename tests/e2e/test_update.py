"""A new release of the app (any changed file of the shell) waits while a form is open, is
offered as "Update ready", and applying it saves the draft first and loses nothing."""
import shutil

import pytest

from server.config import PROJECT_ROOT

from tests.conftest import screenshot
from tests.e2e.conftest import start_qa_visit

pytestmark = pytest.mark.e2e

WORKER_VERSION = """() => new Promise((resolve) => {
    navigator.serviceWorker.addEventListener('message', (e) => resolve(e.data.version), { once: true });
    navigator.serviceWorker.controller.postMessage({ type: 'version' });
})"""


def test_an_update_waits_under_an_open_form_and_keeps_its_answers(phone, live_server, tmp_path):
    deployed = tmp_path / "pwa"
    shutil.copytree(PROJECT_ROOT / "pwa", deployed)
    live_server.stop()
    live_server.env["PWA_DIR"] = str(deployed)
    live_server.start()
    page = phone.open().sign_in().wait_for_service_worker().page
    first = page.evaluate(WORKER_VERSION)
    start_qa_visit(phone)
    phone.answer("spoke_with_staff", "no")
    page.get_by_label("Note (needed for this answer)").fill("Staff were all teaching.")
    page.get_by_text("Saved on this phone at").wait_for()

    live_server.stop()  # an unchanged deployment offers nothing
    live_server.start()
    page.reload()
    phone.unlock()
    page.get_by_role("heading", name="Quality-assurance visit").wait_for()
    page.evaluate("() => navigator.serviceWorker.getRegistration().then((r) => r.update())")
    assert page.evaluate("() => navigator.serviceWorker.getRegistration().then((r) => !r.installing && !r.waiting)")
    assert page.locator("#update-banner").count() == 0

    live_server.stop()  # a new deployment: one file of the shell changed
    stylesheet = deployed / "css" / "app.css"
    stylesheet.write_text(stylesheet.read_text() + "\n/* the next release */\n")
    live_server.start()
    page.reload()
    phone.unlock()
    page.locator("#update-banner").wait_for()
    assert page.get_by_role("heading", name="Quality-assurance visit").is_visible()
    assert page.evaluate(WORKER_VERSION) == first  # the old version still runs the open form
    assert page.locator("#item-spoke_with_staff input[value=no]").is_checked()
    assert page.get_by_label("Note (needed for this answer)").input_value() == "Staff were all teaching."
    screenshot(page, "update-ready")

    phone.fill("findings", "Typed just before updating")  # not yet autosaved when the update is applied
    page.get_by_role("button", name="Update now").click()
    phone.unlock()  # the reload took the key out of memory
    page.wait_for_function("() => document.querySelector('#update-banner') === null && document.querySelector('#item-findings')")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    assert page.evaluate(WORKER_VERSION) not in (first, "__SHELL_VERSION__")
    assert page.locator("#item-spoke_with_staff input[value=no]").is_checked()
    assert page.locator("#item-findings textarea").input_value() == "Typed just before updating"
    [draft] = phone.visits()
    assert draft["answers"]["findings"]["value"] == "Typed just before updating"
    assert draft["answers"]["spoke_with_staff"] == {"value": "no", "note": "Staff were all teaching."}
