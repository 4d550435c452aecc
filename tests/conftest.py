"""Shared fixtures: an app on a fresh database per test (SQLite by default, PostgreSQL when
DATABASE_URL names one), the demo data, API and office clients, and `office_as`/`api_as`, which
sign a demo account in without the password check."""
import contextlib
import contextvars
import hashlib
import json
import os
import re
import secrets
import shutil
import uuid as uuid_module
from datetime import datetime, timedelta, timezone

import pyotp
import pytest
import sqlalchemy as sa

# Cheap password hashes for the suite and the servers it starts; one test keeps argon2id's
# production profile (tests/api/test_sign_in.py). Set before any app reads its config.
os.environ.setdefault("PASSWORD_HASHING", "argon2id-cheap-for-tests")

from server import create_app  # noqa: E402
from server.config import load_config  # noqa: E402
from server.extensions import db, limiter  # noqa: E402

ON_POSTGRES = (os.environ.get("DATABASE_URL") or "").startswith(("postgres://", "postgresql"))


def database_url():
    return load_config()["SQLALCHEMY_DATABASE_URI"]


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    """A SQLite file with the schema, built once and copied for each test."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "TESTING": True})
    with app.app_context():
        db.create_all()
        db.engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_schema():
    app = create_app({"TESTING": True})
    with app.app_context():
        _drop_everything()
        db.create_all()
        db.engine.dispose()
    return database_url()


def _drop_everything():
    with db.engine.begin() as connection:
        connection.execute(sa.text("DROP SCHEMA public CASCADE"))
        connection.execute(sa.text("CREATE SCHEMA public"))


@contextlib.contextmanager
def scratch_database(tmp_path, name):
    """A second, empty database beside the one under test (a SQLite file, or a PostgreSQL
    database named after it), dropped afterwards."""
    if not ON_POSTGRES:
        yield f"sqlite:///{tmp_path / (name + '.sqlite3')}"
        return
    url = sa.engine.make_url(database_url())
    scratch = url.set(database=f"{url.database}_{name}")
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{scratch.database}" WITH (FORCE)'))
        connection.execute(sa.text(f'CREATE DATABASE "{scratch.database}"'))
    try:
        yield scratch.render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{scratch.database}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def database_uri(request, tmp_path):
    if ON_POSTGRES:
        url = request.getfixturevalue("postgres_schema")
        engine = sa.create_engine(url)
        with engine.begin() as connection:
            tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
            connection.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        engine.dispose()
        return url
    path = tmp_path / "test.sqlite3"
    shutil.copy(request.getfixturevalue("sqlite_template"), path)
    return f"sqlite:///{path}"


@pytest.fixture
def app(database_uri, tmp_path):
    app = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_uri,
        "PHOTO_DIR": str(tmp_path / "photos"),
        "DATA_DIR": str(tmp_path),
    })
    with app.app_context():
        limiter.reset()
        yield app
        db.session.remove()
        db.engine.dispose()


class EnglandClock:
    """Where `school_today()` and every date rule think it is: `set(date)` moves England to
    that day (at noon), `next_day()` past midnight."""

    def __init__(self, monkeypatch):
        self.monkeypatch = monkeypatch

    def set(self, day):
        from datetime import datetime, time
        from server import dates
        self.today = day
        moment = datetime.combine(day, time(12), tzinfo=dates.SCHOOLS_TIME_ZONE)
        self.monkeypatch.setattr(dates, "now_in_england", lambda: moment)

    def next_day(self):
        from datetime import timedelta
        self.set(self.today + timedelta(days=1))


@pytest.fixture
def england_clock(monkeypatch):
    return EnglandClock(monkeypatch)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def demo(app):
    """The demo trust: two schools, every role, provider status, pupil flag and placement kind."""
    from server.demo import seed_demo
    seed_demo()
    db.session.commit()
    return DemoData()


class DemoData:
    """Look-ups into the seeded demo data by school key and role."""

    password = "demo-password-2026"
    schools = ("riverside", "hillcrest")

    def email(self, role, school="riverside"):
        return f"{role.replace('_', '.')}@{school}.example"

    def school(self, key="riverside"):
        from server.models import School
        name = {"riverside": "Riverside Academy", "hillcrest": "Hillcrest School"}[key]
        return db.session.execute(sa.select(School).where(School.name == name)).scalar_one()

    def user(self, role, school="riverside"):
        from server.models import User
        return db.session.execute(sa.select(User).where(User.email == self.email(role, school))).scalar_one()

    def placements(self, school="riverside"):
        from server.models import Placement
        return db.session.execute(sa.select(Placement).where(Placement.school_id == self.school(school).id)
                                  .order_by(Placement.id)).scalars().all()


def isolated_request(send):
    """Run one test-client request as production does: in its own app context, with its own
    `g` and database session, not inside the test's. The test's own transaction is committed
    first (so it holds no lock and its setup is visible) and its objects are refreshed after."""
    db.session.commit()
    response = contextvars.Context().run(send)
    db.session.expire_all()
    return response


class ApiClient:
    """A Flask test client that signs in like the PWA: fetch a CSRF token, sign in, send the
    token on every write. Each request runs in its own app context (see isolated_request)."""

    def __init__(self, client):
        self.client = client
        self.csrf = None

    def sign_in(self, email, password="demo-password-2026", second_factor=True):
        """Sign in; when the server asks for a code, send the demo account's current one
        (unless `second_factor` is False: then the 202 answer comes back)."""
        self.csrf = self.get("/api/csrf").get_json()["csrf_token"]
        response = self.post("/api/session", json={"email": email, "password": password})
        if response.status_code == 202 and second_factor:
            step = response.get_json()
            # Adding an app: the test is the app, reading the secret the QR code holds.
            code = pyotp.TOTP(step["secret"]).now() if step["second_factor"] == "enrol" else demo_totp_code(email)
            response = self.post("/api/session/second-factor", json={"pending_token": step["pending_token"],
                                                                     "code": code})
        if response.status_code == 200:
            self.csrf = response.get_json()["csrf_token"]
        return response

    def open(self, method, path, **kwargs):
        headers = dict(kwargs.pop("headers", {}))
        if self.csrf and method.upper() not in ("GET", "HEAD"):
            headers.setdefault("X-CSRFToken", self.csrf)
        return isolated_request(lambda: self.client.open(path, method=method.upper(), headers=headers, **kwargs))

    def get(self, path, **kwargs):
        return self.open("GET", path, **kwargs)

    def post(self, path, **kwargs):
        return self.open("POST", path, **kwargs)

    def put(self, path, **kwargs):
        return self.open("PUT", path, **kwargs)

    def delete(self, path, **kwargs):
        return self.open("DELETE", path, **kwargs)


@pytest.fixture
def api(client):
    return ApiClient(client)


@pytest.fixture
def make_api(app):
    """A fresh, separate API client (its own cookies) per call."""
    return lambda: ApiClient(app.test_client())


def demo_totp_code(email):
    """The code this person's authenticator app shows now (the demo secret, or whatever secret
    they added), for a step they have not used yet (the server refuses a code twice), waiting
    for the next step if need be."""
    import time
    import pyotp
    from server.models import User
    from server.services.sealed_secrets import unseal
    with db.engine.connect() as connection:
        sealed, last = connection.execute(
            sa.select(User.totp_secret, User.totp_last_step).where(User.email == email)).one()
    totp = pyotp.TOTP(unseal(sealed))
    while True:
        now_step = totp.timecode(datetime.now(timezone.utc))
        step = max(now_step, (last or 0) + 1)
        if step <= now_step + 1:
            return totp.generate_otp(step)
        time.sleep(1)


def sign_in_over_http(http, base_url, email, password="demo-password-2026"):
    """Sign a `requests.Session` in to a live server as the phone does, sending the demo
    account's code when the server asks for one. Returns the last answer."""
    token = http.get(base_url + "/api/csrf", timeout=10).json()["csrf_token"]
    response = http.post(base_url + "/api/session", headers={"X-CSRFToken": token}, timeout=10,
                         json={"email": email, "password": password})
    if response.status_code == 202:
        response = http.post(base_url + "/api/session/second-factor", headers={"X-CSRFToken": token}, timeout=10,
                             json={"pending_token": response.json()["pending_token"], "code": demo_totp_code(email)})
    return response


def office_code_step(page, email):
    """In a browser that has just sent the office sign-in form: type the demo account's code
    when the office asks for one (every role that reads safeguarding records)."""
    page.wait_for_load_state()
    if page.url.split("?")[0].endswith("/office/sign-in/code"):
        page.fill("#code", demo_totp_code(email))
        page.click("form:has(#code) button[type=submit]")  # not "Use a passkey" above it
        page.wait_for_load_state()


def office_sign_in(page, base_url, email, password="demo-password-2026"):
    """In a browser: sign in through the office's form, and its code step when it asks for one."""
    page.goto(base_url + "/office/sign-in")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    office_code_step(page, email)


def new_uuid():
    return str(uuid_module.uuid4())


class OfficeClient:
    """A Flask test client for the office pages: signs in through the form and sends the
    session's CSRF token with every form post."""

    def __init__(self, client):
        self.client = client

    def csrf(self):
        return self.get("/api/csrf").get_json()["csrf_token"]

    def sign_in(self, email, password="demo-password-2026", second_factor=True):
        """Sign in through the form; when it asks for a code, send the demo account's current one."""
        response = self.post("/office/sign-in", data={"email": email, "password": password})
        if second_factor and response.status_code == 302 and response.location.endswith("/office/sign-in/add-app"):
            page = self.get("/office/sign-in/add-app").get_data(as_text=True)
            secret = re.search(r'<code class="secret"[^>]*>([A-Z2-7 ]+)</code>', page).group(1).replace(" ", "")
            response = self.post("/office/sign-in/code", data={"code": pyotp.TOTP(secret).now()})
        elif second_factor and response.status_code == 302 and response.location.endswith("/office/sign-in/code"):
            response = self.post("/office/sign-in/code", data={"code": demo_totp_code(email)})
        return response

    def get(self, path, **kwargs):
        return isolated_request(lambda: self.client.get(path, **kwargs))

    def post(self, path, data=None, **kwargs):
        data = dict(data or {})
        data.setdefault("csrf_token", self.csrf())
        return isolated_request(lambda: self.client.post(path, data=data, **kwargs))


@pytest.fixture
def office(app):
    return OfficeClient(app.test_client())


def start_session(client, user):
    """Sign `user` in on a test client the way the sign-in form would leave it: a real
    user_session row and the cookie naming it. Skips only the (deliberately slow) password
    check, so tables of roles × pages stay quick; the sign-in tests use the real form."""
    from server.models import UserSession
    token = secrets.token_urlsafe(32)
    db.session.add(UserSession(token_sha256=hashlib.sha256(token.encode()).hexdigest(), user=user,
                               expires_at=datetime.now(timezone.utc) + timedelta(hours=1)))
    db.session.commit()
    with client.session_transaction() as session:
        session["_user_id"] = token
        session["_fresh"] = True


def answer_by_role_and_school(role, allowed, is_object, school, owner="riverside"):
    """The status a page or document about `owner`'s records answers `role` of `school`: 403 to a
    role without the permission, 404 for another school's object (exactly like a missing one),
    else 200."""
    if role not in allowed:
        return 403
    if is_object and school != owner:
        return 404
    return 200


def sent_to_sign_in(response):
    """Whether an office answer sends a signed-out visitor to the sign-in page."""
    return response.status_code == 302 and "/office/sign-in" in response.headers["Location"]


@contextlib.contextmanager
def statements_sent():
    """The SQL statements the app sends while the block runs, in a list filled as they go."""
    sent = []

    def record(connection, cursor, statement, *rest):
        sent.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)


def reads(statements):
    """The SELECT statements among `statements`: what a page reads. Writes are left out, since a
    page that shows six concerns writes six audit rows by design."""
    return [statement for statement in statements if statement.lstrip().upper().startswith("SELECT")]


def bad_json_bodies(body, unknown_fields, wrong_values):
    """(name, raw request body) pairs a JSON write route must refuse, built from a valid `body`:
    not JSON, not an object, a field it does not know, and each field with each value
    `wrong_values(field, value)` names."""
    yield "malformed JSON", b'{"name": '
    yield "a JSON list", b"[]"
    yield "JSON null", b"null"
    for field in unknown_fields:
        yield f"unknown field {field}", json.dumps(dict(body, **{field: 1})).encode()
    for field, value in body.items():
        for wrong in wrong_values(field, value):
            yield f"{field}={wrong!r}", json.dumps(dict(body, **{field: wrong})).encode()


@pytest.fixture
def staff(api, demo):
    """The visiting member of staff's phone, signed in through the API."""
    api.sign_in(demo.email("visiting_staff"))
    return api


@pytest.fixture
def placement(demo):
    """The first Riverside placement, the one the visiting member of staff visits."""
    return demo.placements("riverside")[0]


@pytest.fixture
def office_as(app, demo):
    """office_as("dsl") → a fresh OfficeClient signed in as that role of Riverside (or school=...)."""
    def sign_in(role, school="riverside"):
        client = OfficeClient(app.test_client())
        start_session(client.client, demo.user(role, school))
        return client
    return sign_in


@pytest.fixture
def api_as(app, demo):
    """api_as("dsl") → a fresh ApiClient signed in as that role of Riverside (or school=...),
    with its CSRF token."""
    def sign_in(role, school="riverside"):
        client = ApiClient(app.test_client())
        start_session(client.client, demo.user(role, school))
        client.csrf = client.get("/api/me").get_json()["csrf_token"]
        return client
    return sign_in


# ---- A real server and a real browser, for end-to-end tests -------------------------------

import signal  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import requests  # noqa: E402

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = PROJECT_ROOT / "test-artifacts"
SYSTEM_CHROMIUM = next((p for p in ("/usr/bin/chromium", "/usr/bin/chromium-browser") if Path(p).exists()), None)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    """gunicorn serving the real app on a free port, against the test's database. `stop()`
    takes it away (the phone is offline), `start()` brings it back on the same port."""

    def __init__(self, database_uri, data_dir, port=None, workers=1, extra_env=None, app_spec="server:create_app()"):
        self.port = port or free_port()
        self.app_spec = app_spec
        self.url = f"http://127.0.0.1:{self.port}"
        self.workers = workers
        self.env = dict(os.environ, DATABASE_URL=database_uri, DATA_DIR=str(data_dir),
                        PHOTO_DIR=str(Path(data_dir) / "photos"), APP_ENV="development",
                        PORT=str(self.port), HOST="127.0.0.1", WEB_CONCURRENCY=str(workers),
                        **(extra_env or {}))
        self.process = None

    def start(self):
        log = open(Path(self.env["DATA_DIR"]) / f"gunicorn-{self.port}.log", "ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", "server/gunicorn_conf.py", self.app_spec],
            cwd=PROJECT_ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}; see {log.name}")
            try:
                if requests.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return self
            except requests.RequestException:
                time.sleep(0.1)
        raise RuntimeError("gunicorn did not answer /healthz within 30 s")

    def stop(self, sig=signal.SIGTERM):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, sig)
            self.process.wait(timeout=30)
        self.process = None

    def kill(self):
        self.stop(signal.SIGKILL)


@pytest.fixture
def live_server(app, demo, database_uri, tmp_path):
    """The real app under gunicorn with the demo data, sharing the test's database."""
    server = LiveServer(database_uri, tmp_path).start()
    yield server
    server.stop()


BROWSER_FIXTURES = {"playwright_instance", "browser", "phone_context", "desktop_context"}


def pytest_collection_modifyitems(items):
    """A test that drives a browser is an e2e test whether or not it says so, so `make test-fast`
    (`-m "not e2e and not fuzz"`) never starts Chromium."""
    for item in items:
        if BROWSER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def playwright_instance():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        yield playwright


# Flags that keep headless Chromium quiet on a machine with no network but loopback.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync", "--lang=en-GB"]


@pytest.fixture(scope="session")
def browser(playwright_instance):
    browser = playwright_instance.chromium.launch(executable_path=SYSTEM_CHROMIUM, headless=True,
                                                  args=CHROMIUM_ARGS)
    yield browser
    browser.close()


PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True,
         "has_touch": True, "locale": "en-GB", "timezone_id": "Europe/London"}
DESKTOP = {"viewport": {"width": 1366, "height": 900}, "locale": "en-GB", "timezone_id": "Europe/London"}


@pytest.fixture
def phone_context(browser):
    context = browser.new_context(**PHONE)
    yield context
    context.close()


@pytest.fixture
def desktop_context(browser):
    context = browser.new_context(**DESKTOP)
    yield context
    context.close()


def screenshot(page, name):
    """Save a screenshot under test-artifacts/screenshots/ for a person to look at."""
    path = ARTIFACTS / "screenshots" / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    return path
