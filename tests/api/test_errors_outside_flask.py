"""Whatever fails, the phone is answered in the error shape it reads, never gunicorn's HTML
page: an exception that escapes the app, a request gunicorn itself cannot read, and a database
host that does not answer at all. Real gunicorn with the production config file."""
import socket
import time

import pytest
import requests
from flask import Flask, session
from flask_wtf.csrf import generate_csrf

from tests.conftest import LiveServer

SECRET_KEY = "errors-outside-flask-test-key-0123456789abcdef"
VISIT_URL = "/api/visits/3f2b8c9e-0a4e-4f7e-9d55-6f3f0c1d2e4b"


def app_failing_outside_flask():
    """The real app behind a WSGI layer that fails before Flask sees the request, as a fault in
    middleware or in gunicorn's hand-over would."""
    from server import create_app
    app = create_app()

    def wsgi(environ, start_response):
        if environ["PATH_INFO"] == "/api/fails-outside-flask":
            raise RuntimeError("failed outside the app")
        return app(environ, start_response)
    return wsgi


@pytest.fixture
def blackhole():
    """A port that accepts connections and never says a word: a database host that hangs."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    yield listener.getsockname()[1]
    listener.close()


def signed_in_headers():
    """A session cookie naming a session token, and its CSRF token, signed with the server's key:
    the request must reach the database to learn the token means nothing."""
    app = Flask(__name__)
    app.secret_key = SECRET_KEY
    with app.test_request_context():
        token = generate_csrf()
        data = dict(session, _user_id="a-session-token", _fresh=True)
        cookie = app.session_interface.get_signing_serializer(app).dumps(data)
    return {"Cookie": f"apv_session={cookie}", "X-CSRFToken": token}


def test_a_failure_outside_the_app_is_a_json_500(tmp_path):
    server = LiveServer("sqlite:///" + str(tmp_path / "db.sqlite3"), tmp_path, extra_env={"SECRET_KEY": SECRET_KEY},
                        app_spec="tests.api.test_errors_outside_flask:app_failing_outside_flask()").start()
    try:
        response = requests.put(server.url + "/api/fails-outside-flask", json={}, timeout=30)
    finally:
        server.stop()
    assert response.status_code == 500
    assert response.headers["Content-Type"] == "application/json"
    assert response.json()["code"] == "internal_error"


def test_a_request_line_gunicorn_cannot_read_is_answered_in_the_error_shape(tmp_path):
    server = LiveServer("sqlite:///" + str(tmp_path / "db.sqlite3"), tmp_path,
                        extra_env={"SECRET_KEY": SECRET_KEY}).start()
    try:
        with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
            sock.sendall(b"GET /api/me?" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
            answer = b""
            while chunk := sock.recv(65536):
                answer += chunk
    finally:
        server.stop()
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 414")
    assert b"Content-Type: application/json" in head
    assert b'"code": "malformed_request"' in body


def test_a_database_host_that_never_answers_is_a_json_503_within_seconds(tmp_path, blackhole):
    server = LiveServer(f"postgresql://postgres@127.0.0.1:{blackhole}/nowhere", tmp_path,
                        extra_env={"SECRET_KEY": SECRET_KEY, "DATABASE_CONNECT_TIMEOUT": "2"}).start()
    try:
        started = time.monotonic()
        response = requests.put(server.url + VISIT_URL, json={}, headers=signed_in_headers(), timeout=20)
        waited = time.monotonic() - started
    finally:
        server.stop()
    assert response.status_code == 503
    assert response.json()["code"] == "database_unavailable"
    assert response.headers["Retry-After"]
    assert waited < 15
