"""While the database cannot be reached, every request the server answers says so in the error
shape, `database_unavailable` (503, with Retry-After), so a phone backs off and tries later, and
an office page says the same in words; never a bare 500 or gunicorn's own HTML page."""
import pytest

from server import create_app
from tests.conftest import ON_POSTGRES


@pytest.fixture
def unreachable_app(tmp_path):
    # Nothing listens on port 1; a SQLite file in a folder that does not exist cannot be opened.
    uri = ("postgresql+psycopg://postgres@127.0.0.1:1/nowhere?connect_timeout=2" if ON_POSTGRES
           else f"sqlite:///{tmp_path / 'missing' / 'ap-visits.sqlite3'}")
    return create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": uri, "DATA_DIR": str(tmp_path),
                       "PHOTO_DIR": str(tmp_path / "photos")})


def _signed_in_client(app):
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = "a-session-token"
        session["_fresh"] = True
    return client


@pytest.mark.parametrize("path", ["/api/bootstrap", "/api/me", "/api/visits/3f2b8c9e-0a4e-4f7e-9d55-6f3f0c1d2e4b"])
def test_an_api_request_during_an_outage_is_a_json_503(unreachable_app, path):
    response = _signed_in_client(unreachable_app).get(path)
    assert response.status_code == 503
    assert response.get_json()["code"] == "database_unavailable"
    assert response.headers["Retry-After"]


def test_signing_in_during_an_outage_is_a_json_503(unreachable_app):
    client = unreachable_app.test_client()
    csrf = client.get("/api/csrf").get_json()["csrf_token"]
    response = client.post("/api/session", json={"email": "ap.leader@riverside.example", "password": "x" * 12},
                           headers={"X-CSRFToken": csrf})
    assert response.status_code == 503 and response.get_json()["code"] == "database_unavailable"


def test_an_office_page_during_an_outage_says_so(unreachable_app):
    response = _signed_in_client(unreachable_app).get("/office/")
    assert response.status_code == 503
    assert response.mimetype == "text/html"
