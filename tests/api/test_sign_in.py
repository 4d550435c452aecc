"""Sign-in: argon2id hashes, cookie attributes, sessions that really end, and limits on
guessing that hold across workers."""
import re
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import pytest
import requests
import sqlalchemy as sa

from server import create_app
from server.extensions import db
from server.models import UserSession
from tests.conftest import ApiClient, LiveServer, OfficeClient, free_port, isolated_request


def test_passwords_are_stored_as_argon2id(demo):
    assert demo.user("ap_leader").password_hash.startswith("$argon2id$")


def test_signing_in_sets_a_fresh_http_only_same_site_session_cookie(api, demo):
    api.get("/api/csrf")
    before = api.client.get_cookie("apv_session").value
    response = api.sign_in(demo.email("ap_leader"))
    assert response.status_code == 200
    header = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("apv_session="))
    assert "HttpOnly" in header and "SameSite=Lax" in header
    assert re.search(r"Expires=", header)
    assert api.client.get_cookie("apv_session").value != before


def test_outside_development_the_session_cookie_is_secure_and_passwords_use_argon2id(monkeypatch, tmp_path):
    monkeypatch.delenv("PASSWORD_HASHING", raising=False)
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "tests-only-Secret-key-0123456789-abcdefghijkl")
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "memory://")
    from server.config import ConfigError
    with pytest.raises(ConfigError):  # production refuses per-process rate limits
        create_app()
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/15")
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    with pytest.raises(ConfigError, match="MFA_ENCRYPTION_KEY"):  # no key derived from SECRET_KEY in production
        create_app()
    monkeypatch.setenv("MFA_ENCRYPTION_KEY", "not-a-fernet-key")
    with pytest.raises(ConfigError, match="Fernet"):
        create_app()
    monkeypatch.setenv("MFA_ENCRYPTION_KEY", "tG9Jk5L3rQp8cS1vXw7yZa2bD4eF6hH0iJmNoPqRsTu=")
    app = create_app()
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["PERMANENT_SESSION_LIFETIME"].total_seconds() <= 14 * 24 * 3600
    with app.app_context():
        from server.services.accounts import hash_password, password_matches
        production_hash = hash_password("kettle meadow lantern")
        assert production_hash.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
        assert password_matches(production_hash, "kettle meadow lantern")
    monkeypatch.setenv("PASSWORD_HASHING", "argon2id-cheap-for-tests")
    with pytest.raises(ConfigError, match="PASSWORD_HASHING"):
        create_app()


@pytest.mark.parametrize("secret", ["", "dev", "short-but-not-empty", "a" * 40, "abcabcabc" * 5])
def test_production_refuses_to_start_without_a_real_secret_key(monkeypatch, secret):
    from server.config import ConfigError
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", secret)
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/3")  # only the key is wrong
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app()


def test_a_wrong_password_is_refused_with_the_same_answer_as_an_unknown_email(api, demo):
    wrong = api.sign_in(demo.email("ap_leader"), "not-the-password")
    unknown = api.sign_in("nobody@riverside.example", "not-the-password")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.get_json()["code"] == unknown.get_json()["code"] == "bad_credentials"


def test_a_signed_out_session_is_refused_even_with_the_old_cookie(api, demo, app):
    api.sign_in(demo.email("ap_leader"))
    old_cookie = api.client.get_cookie("apv_session").value
    assert api.delete("/api/session").status_code == 204
    assert api.get("/api/me").status_code == 401
    replay = app.test_client()
    replay.set_cookie("apv_session", old_cookie)
    assert isolated_request(lambda: replay.get("/api/me")).status_code == 401
    assert db.session.execute(sa.select(UserSession.ended_at)).scalar_one() is not None


def test_a_deactivated_account_is_signed_out_at_once(api, demo):
    api.sign_in(demo.email("visiting_staff"))
    assert api.get("/api/me").status_code == 200
    demo.user("visiting_staff").active = False
    db.session.commit()
    assert api.get("/api/me").status_code == 401


def test_an_expired_session_is_refused(api, demo):
    api.sign_in(demo.email("ap_leader"))
    now = datetime.now(timezone.utc)
    db.session.execute(sa.update(UserSession).values(created_at=now - timedelta(days=10),
                                                     expires_at=now - timedelta(minutes=1)))
    db.session.commit()
    assert api.get("/api/me").status_code == 401


def test_repeated_wrong_passwords_lock_the_account_even_with_the_right_one(api, demo, app):
    app.config["LOGIN_RATE_LIMIT"] = "1000 per minute"
    for _ in range(app.config["LOGIN_LOCKOUT_THRESHOLD"]):
        assert api.sign_in(demo.email("dsl"), "wrong-password-guess").status_code == 401
    locked = api.sign_in(demo.email("dsl"))
    assert locked.status_code == 401 and locked.get_json()["code"] == "bad_credentials"
    assert demo.user("dsl").locked_until is not None


def _timed(send):
    started = time.perf_counter()
    response = send()
    return response, time.perf_counter() - started


def test_a_locked_account_answers_exactly_like_a_wrong_password_and_as_slowly(api, demo, app):
    """A lock must not tell a guesser that the account exists or that it is worth waiting for;
    the password hash still runs, so the answer takes as long too."""
    app.config["LOGIN_RATE_LIMIT"] = "1000 per minute"
    for _ in range(app.config["LOGIN_LOCKOUT_THRESHOLD"]):
        api.sign_in(demo.email("dsl"), "wrong-password-guess")
    locked = [_timed(lambda: api.sign_in(demo.email("dsl"))) for _ in range(3)]
    wrong = [_timed(lambda: api.sign_in(demo.email("ap_leader"), "wrong-password-guess")) for _ in range(3)]
    for (locked_response, _), (wrong_response, _) in zip(locked, wrong):
        assert locked_response.status_code == wrong_response.status_code == 401
        assert locked_response.get_data() == wrong_response.get_data()
        assert locked_response.get_json()["code"] == "bad_credentials"
    assert min(t for _, t in locked) > 0.5 * min(t for _, t in wrong)


def _parallel_attempts(base, email, password, count):
    """`count` sign-ins sent at the same moment, each from its own session."""
    sessions = [requests.Session() for _ in range(count)]
    tokens = [session.get(base + "/api/csrf").json()["csrf_token"] for session in sessions]
    start = threading.Barrier(count)

    def attempt(index):
        start.wait()
        return sessions[index].post(base + "/api/session", json={"email": email, "password": password},
                                    headers={"X-CSRFToken": tokens[index]}, timeout=60).status_code

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(attempt, range(count)))


def test_parallel_wrong_passwords_lock_the_account(app, demo, database_uri, tmp_path):
    """Counted in one SQL statement each, so guesses racing through two workers cannot overwrite
    each other's count and slip past the lockout."""
    server = LiveServer(database_uri, tmp_path, workers=2,
                        extra_env={"LOGIN_RATE_LIMIT": "1000 per minute", "GUNICORN_THREADS": "16"}).start()
    try:
        statuses = _parallel_attempts(server.url, "dsl@riverside.example", "wrong-password-guess", 32)
        assert set(statuses) == {401}
        assert _attempt(server.url, "dsl@riverside.example", "demo-password-2026") == 401
    finally:
        server.stop()
    db.session.expire_all()
    assert demo.user("dsl").locked_until is not None


def test_sign_in_attempts_from_one_address_are_rate_limited(api, demo, app):
    statuses = [api.sign_in(f"guess{i}@riverside.example", "wrong-password").status_code for i in range(12)]
    assert statuses[:10] == [401] * 10
    assert statuses[10:] == [429, 429]
    assert api.sign_in(demo.email("ap_leader")).status_code == 429


def test_the_phone_and_the_office_sign_in_share_one_budget_per_address(api, office, demo, app):
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    assert api.sign_in("guess1@riverside.example", "wrong-password").status_code == 401
    assert api.sign_in("guess2@riverside.example", "wrong-password").status_code == 401
    assert office.sign_in("guess3@riverside.example", "wrong-password").status_code == 401
    assert office.sign_in(demo.email("ap_leader")).status_code == 429
    assert api.sign_in(demo.email("ap_leader")).status_code == 429


@pytest.fixture
def app_with(database_uri, tmp_path):
    """Another app on the test's database, built with some settings changed (settings read
    when the app is made, such as the proxy middleware and the rate-limit storage)."""
    made = []

    def make(**overrides):
        made.append(create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_uri,
                                "PHOTO_DIR": str(tmp_path / "photos"), "DATA_DIR": str(tmp_path), **overrides}))
        return made[-1]
    yield make
    for other in made:
        with other.app_context():
            db.engine.dispose()


def _sign_in_from(api, address):
    api.csrf = api.get("/api/csrf").get_json()["csrf_token"]
    return api.post("/api/session", json={"email": "guess@riverside.example", "password": "wrong-password"},
                    headers={"X-Forwarded-For": address}).status_code


def test_behind_a_trusted_proxy_each_forwarded_address_has_its_own_budget(app_with, demo):
    api = ApiClient(app_with(TRUSTED_PROXIES=1, LOGIN_RATE_LIMIT="2 per minute").test_client())
    assert [_sign_in_from(api, "203.0.113.7") for _ in range(3)] == [401, 401, 429]
    assert _sign_in_from(api, "198.51.100.9") == 401


def test_without_a_trusted_proxy_a_forwarded_address_cannot_buy_a_fresh_budget(app_with, demo):
    api = ApiClient(app_with(TRUSTED_PROXIES=0, LOGIN_RATE_LIMIT="2 per minute").test_client())
    assert [_sign_in_from(api, "203.0.113.7") for _ in range(2)] == [401, 401]
    assert _sign_in_from(api, "198.51.100.9") == 429


def test_with_rate_limit_storage_down_sign_in_answers_503_and_changes_nothing(app_with, demo):
    """Failing closed: without its counters the server cannot limit guessing, so it refuses
    sign-in clearly rather than allowing unlimited guesses or answering 500."""
    down = app_with(RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{free_port()}/3")
    response = ApiClient(down.test_client()).sign_in(demo.email("ap_leader"))
    assert response.status_code == 503
    assert set(response.get_json()) == {"code", "message", "details"}
    assert response.get_json()["code"] == "rate_limit_unavailable"
    page = OfficeClient(down.test_client()).sign_in(demo.email("ap_leader"))
    assert page.status_code == 503 and page.mimetype == "text/html"
    assert db.session.execute(sa.select(sa.func.count()).select_from(UserSession)).scalar_one() == 0
    assert demo.user("ap_leader").failed_logins == 0


def test_a_sign_in_without_the_csrf_token_is_refused(client, demo):
    response = client.post("/api/session", json={"email": "ap.leader@riverside.example",
                                                 "password": "demo-password-2026"})
    assert response.status_code == 403 and response.get_json()["code"] == "csrf_failed"


def _attempt(base, email, password):
    session = requests.Session()
    token = session.get(base + "/api/csrf").json()["csrf_token"]
    return session.post(base + "/api/session", json={"email": email, "password": password},
                        headers={"X-CSRFToken": token}).status_code


def test_the_account_lockout_holds_across_two_gunicorn_workers(app, demo, database_uri, tmp_path):
    server = LiveServer(database_uri, tmp_path, workers=2, extra_env={"LOGIN_RATE_LIMIT": "1000 per minute"}).start()
    try:
        for _ in range(app.config["LOGIN_LOCKOUT_THRESHOLD"]):
            assert _attempt(server.url, "dsl@riverside.example", "wrong-password-guess") == 401
        assert _attempt(server.url, "dsl@riverside.example", "demo-password-2026") == 401
    finally:
        server.stop()


def _redis_available():
    try:
        import redis
        return redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=1).ping()
    except Exception:
        return False


@pytest.mark.skipif(not _redis_available(), reason="needs Redis on 127.0.0.1:6379 (.ci/run starts it)")
def test_the_per_address_limit_holds_across_two_workers_with_redis_storage(app, demo, database_uri, tmp_path):
    import redis
    database = 3
    redis.Redis(host="127.0.0.1", port=6379, db=database).flushdb()
    server = LiveServer(database_uri, tmp_path, workers=2, extra_env={
        "RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:6379/{database}", "LOGIN_RATE_LIMIT": "5 per minute"}).start()
    try:
        statuses = [_attempt(server.url, f"guess{uuid.uuid4().hex[:6]}@riverside.example", "wrong") for _ in range(8)]
        assert statuses[:5] == [401] * 5 and set(statuses[5:]) == {429}
    finally:
        server.stop()
        redis.Redis(host="127.0.0.1", port=6379, db=database).flushdb()

