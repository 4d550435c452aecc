"""Helpers for driving the installable app (pwa/) in Chromium: sign in as a demo person,
wait for the service worker, read what the phone holds in IndexedDB, answer a form."""
import pytest

from tests.conftest import PHONE

PASSWORD = "demo-password-2026"
VISITING_STAFF = "visiting.staff@riverside.example"


class Phone:
    """One page of the app at phone size, with the steps a person takes."""

    def __init__(self, page, base_url):
        self.page = page
        self.base_url = base_url
        self.errors = []
        page.on("pageerror", lambda error: self.errors.append(str(error)))

    def open(self, route="#/today"):
        self.page.goto(f"{self.base_url}/{route}")
        return self

    def sign_in(self, email=VISITING_STAFF, password=PASSWORD):
        page = self.page
        page.get_by_label("School email").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("heading", name="Your pupils").wait_for()
        page.locator(".placement-card").first.wait_for()
        return self

    def wait_for_service_worker(self):
        """Until the worker controls the page (its precache is then complete)."""
        self.page.wait_for_function("navigator.serviceWorker && navigator.serviceWorker.controller !== null")
        return self

    def idb(self, store, key=None):
        """Every record of an IndexedDB store (or one record), as the page stores it.
        ArrayBuffers come back as lists of byte values."""
        return self.page.evaluate(
            """async ([store, key]) => {
                const db = await new Promise((ok, no) => { const r = indexedDB.open('ap-visits'); r.onsuccess = () => ok(r.result); r.onerror = () => no(r.error); });
                const tx = db.transaction(store, 'readonly');
                const request = key === null ? tx.objectStore(store).getAll() : tx.objectStore(store).get(key);
                const rows = await new Promise((ok, no) => { request.onsuccess = () => ok(request.result); request.onerror = () => no(request.error); });
                db.close();
                const plain = (value) => {
                  if (value instanceof ArrayBuffer) return Array.from(new Uint8Array(value));
                  if (Array.isArray(value)) return value.map(plain);
                  if (value && typeof value === 'object' && !(value instanceof CryptoKey)) {
                    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
                  }
                  return value instanceof CryptoKey ? 'CryptoKey' : value;
                };
                return plain(rows);
            }""", [store, key])

    def visits(self):
        return self.idb("visits")

    def photo_bytes(self, photo_id):
        return bytes(self.idb("photos", photo_id)["bytes"])

    def answer(self, item_key, value):
        """Pick an option of a yes/no, rating or choice question."""
        self.page.locator(f"#item-{item_key} .choice", has=self.page.locator(f"input[value='{value}']")).click()

    def fill(self, item_key, text):
        self.page.locator(f"#item-{item_key} textarea, #item-{item_key} input[type=date], "
                          f"#item-{item_key} input[type=number]").first.fill(text)


@pytest.fixture
def phone(phone_context, live_server):
    page = phone_context.new_page()
    return Phone(page, live_server.url)


def new_phone_context(browser):
    return browser.new_context(**PHONE)
