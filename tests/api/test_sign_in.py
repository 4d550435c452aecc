"""Sign-in: argon2id hashes, cookie attributes, sessions that really end, and limits on
guessing that hold across workers."""
import re
import uuid
from datetime import datetime, timedelta, timezone

import pytest
import requests
import sqlalchemy as sa

from server import create_app
from server.extensions import db
from server.models import UserSession
from tests.conftest import LiveServer, isolated_request


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


def test_outside_development_the_session_cookie_is_secure(monkeypatch, tmp_path):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 48)
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "memory://")
    from server.config import ConfigError
    with pytest.raises(ConfigError):  # production refuses per-process rate limits
        create_app()
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/15")
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    app = create_app()
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["PERMANENT_SESSION_LIFETIME"].total_seconds() <= 14 * 24 * 3600


@pytest.mark.parametrize("secret", ["", "dev", "short-but-not-empty"])
def test_production_refuses_to_start_without_a_real_secret_key(monkeypatch, secret):
    from server.config import ConfigError
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", secret)
    with pytest.raises(ConfigError):
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
    assert locked.status_code == 429 and locked.get_json()["code"] == "account_locked"
    assert demo.user("dsl").locked_until is not None


def test_sign_in_attempts_from_one_address_are_rate_limited(api, demo, app):
    statuses = [api.sign_in(f"guess{i}@riverside.example", "wrong-password").status_code for i in range(12)]
    assert statuses[:10] == [401] * 10
    assert statuses[10:] == [429, 429]
    assert api.sign_in(demo.email("ap_leader")).status_code == 429


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
        assert _attempt(server.url, "dsl@riverside.example", "demo-password-2026") == 429
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
    database = 15
    redis.Redis(host="127.0.0.1", port=6379, db=database).flushdb()
    server = LiveServer(database_uri, tmp_path, workers=2, extra_env={
        "RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:6379/{database}", "LOGIN_RATE_LIMIT": "5 per minute"}).start()
    try:
        statuses = [_attempt(server.url, f"guess{uuid.uuid4().hex[:6]}@riverside.example", "wrong") for _ in range(8)]
        assert statuses[:5] == [401] * 5 and set(statuses[5:]) == {429}
    finally:
        server.stop()
        redis.Redis(host="127.0.0.1", port=6379, db=database).flushdb()

