"""Helpers for driving the installable app (pwa/) in Chromium: sign in as a demo person,
wait for the service worker, read what the phone holds in IndexedDB, answer a form."""
import pytest

from tests.conftest import demo_totp_code

PASSWORD = "demo-password-2026"
VISITING_STAFF = "visiting.staff@riverside.example"
PIN = "258036"  # the PIN every test chooses for the phone after signing in


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

    def sign_in(self, email=VISITING_STAFF, password=PASSWORD, pin=PIN):
        """Sign in online, with the code step where the role has one, and choose the PIN."""
        page = self.page
        page.get_by_label("School email").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        # The code step (every role that reads safeguarding records) or choosing the PIN.
        page.wait_for_function("() => document.querySelector('#signin-code') || document.querySelector('#pin-new')")
        if page.locator("#signin-code").count():
            page.locator("#signin-code").fill(demo_totp_code(email))
            page.get_by_role("button", name="Continue").click()
        self.choose_pin(pin)
        page.get_by_role("heading", name="Your pupils").wait_for()
        page.locator(".placement-card").first.wait_for()
        return self

    def choose_pin(self, pin=PIN):
        page = self.page
        page.get_by_role("heading", name="Choose a PIN for this phone").wait_for()
        page.get_by_label("New PIN").fill(pin)
        page.get_by_label("The same PIN again").fill(pin)
        page.get_by_role("button", name="Set PIN").click()
        return self

    def unlock(self, pin=PIN):
        """Open the app with the PIN after a reload or a restart (the key left memory)."""
        page = self.page
        page.get_by_role("heading", name="Enter your PIN").wait_for()
        page.get_by_label("PIN", exact=True).fill(pin)
        page.get_by_role("button", name="Open").click()
        page.get_by_role("heading", name="Enter your PIN").wait_for(state="detached")
        return self

    def wait_for_service_worker(self):
        """Until the worker controls the page (its precache is then complete)."""
        self.page.wait_for_function("() => navigator.serviceWorker && navigator.serviceWorker.controller !== null")
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

    def records(self, store):
        """The signed-in person's visits or photos as the app reads them (opened with the key in
        the page's memory); what IndexedDB holds is only sealed rows (see `idb`)."""
        return self.page.evaluate(
            """async (store) => {
                const db = await import('/js/db.js');
                const session = await db.getMeta('session');
                if (!session) return [];
                const visits = await db.visitsOf(session.user.id);
                const rows = store === 'visits' ? visits : (await Promise.all(visits.map((v) => db.photosOf(v.id)))).flat();
                return rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) =>
                  [k, v instanceof ArrayBuffer ? Array.from(new Uint8Array(v)) : v])));
            }""", store)

    def visits(self):
        return self.records("visits")

    def photo_bytes(self, photo_id):
        [photo] = [row for row in self.records("photos") if row["id"] == photo_id]
        return bytes(photo["bytes"])

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


def jpeg_bytes(width=1200, height=900, colour=(40, 120, 200), exif=None):
    """A JPEG made on the spot, optionally carrying EXIF (orientation, GPS)."""
    import io

    from PIL import Image, ImageDraw
    image = Image.new("RGB", (width, height), colour)
    ImageDraw.Draw(image).rectangle([0, 0, width // 2, height], fill=(220, 30, 30))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80, **({"exif": exif} if exif is not None else {}))
    return buffer.getvalue()


def start_qa_visit(phone, pupil="Alfie Brennan"):
    """From Today: open the pupil's placement and start a quality-assurance visit."""
    page = phone.page
    page.get_by_role("link", name="Today", exact=True).click()
    page.locator(".placement-card", has_text=pupil).first.click()
    page.get_by_role("link", name="Start a visit").click()
    page.get_by_text("Quality-assurance visit").click()
    page.get_by_role("button", name="Start").click()
    page.get_by_role("heading", name="Quality-assurance visit").wait_for()


def add_photo(phone, item_key, data, name="photo.jpg"):
    page = phone.page
    before = page.locator(f"#item-{item_key} .thumb").count()
    page.locator(f"#item-{item_key} input[type=file]").set_input_files(
        files=[{"name": name, "mimeType": "image/jpeg", "buffer": data}])
    page.locator(f"#item-{item_key} .thumb").nth(before).wait_for()


def answer_qa_visit(phone, photos=(), concern=None):
    """Answer every required question of the QA form, with photos of the pupil's work and,
    if given, a safeguarding concern."""
    page = phone.page
    page.locator("#item-people_present input").nth(0).fill("Jo Hill")
    page.locator("#item-people_present input").nth(1).fill("Provider tutor")
    for key in ("spoke_with_staff", "spoke_with_pupil", "work_reviewed", "lessons_observed",
                "unstructured_time_observed"):
        phone.answer(key, "yes")
    phone.answer("spoke_with_parents", "na")
    for index, data in enumerate(photos):
        add_photo(phone, "work_photos", data, name=f"work-{index}.jpg")
    phone.fill("findings", "Settled and working well in the workshop.")
    phone.fill("pupil_voice", "Likes the tutor; wants more maths.")
    phone.answer("concern_raised", "yes" if concern else "no")
    if concern:
        page.get_by_label("What is the concern?").fill(concern)
        page.get_by_label("What did you do straight away?").fill("Told the provider DSL.")


def complete_visit(phone):
    page = phone.page
    page.get_by_role("link", name="Review and complete").click()
    page.get_by_text("Everything needed is answered.").wait_for()
    page.get_by_role("button", name="Complete visit").click()
    page.get_by_role("heading", name="Outbox").wait_for()


def wait_for_state(phone, state, timeout=20_000):
    """Until the outbox shows a visit in `state` (its data-state code)."""
    phone.page.locator(f".state[data-state='{state}']").first.wait_for(timeout=timeout)


def sync_now(phone):
    page = phone.page
    if not page.get_by_role("heading", name="Outbox").is_visible():
        page.get_by_role("link", name="Outbox").click()
    button = page.get_by_role("button", name="Sync now")
    button.wait_for()
    button.click()


def server_rows(model, **filters):
    """Rows the server holds now (a fresh read, not the test session's cached view)."""
    import sqlalchemy as sa

    from server.extensions import db
    db.session.rollback()
    query = sa.select(model).filter_by(**filters)
    return db.session.execute(query).scalars().all()


def photo_hashes_on_the_phone(phone):
    """{photo id: SHA-256 of its bytes} for the photos the phone holds (a Chromium or a WebKit
    phone), after checking each hash it recorded matches its bytes."""
    import hashlib
    photos = phone.records("photos")
    hashes = {photo["id"]: hashlib.sha256(bytes(photo["bytes"])).hexdigest() for photo in photos}
    assert all(hashes[photo["id"]] == photo["sha256"] for photo in photos)
    return hashes


def the_school_has_the_visit_once(visit_id, photo_hashes):
    """The server holds the complete QA visit `visit_id` once, with exactly the phone's photos,
    each stored; its one concern is returned."""
    from server.models import Photo, SafeguardingConcern, Visit
    [visit] = server_rows(Visit)
    assert str(visit.uuid) == visit_id and visit.complete and visit.kind == "qa_visit"
    photos = server_rows(Photo)
    assert {str(photo.uuid): photo.declared_sha256 for photo in photos} == photo_hashes
    assert all(photo.stored_at is not None for photo in photos)
    [concern] = server_rows(SafeguardingConcern)
    return concern
