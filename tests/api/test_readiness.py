"""Liveness and readiness: `/healthz` answers while the process is up, whatever else is down;
`/readyz` names each dependency the server is configured with and answers 503 when one fails."""
import pytest

from server import create_app
from server.extensions import db
from tests.conftest import free_port


@pytest.fixture
def app_with(database_uri, tmp_path):
    """An app on the test's database with some settings changed; its own client."""
    made = []

    def make(**overrides):
        made.append(create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_uri,
                                "PHOTO_DIR": str(tmp_path / "photos"), "DATA_DIR": str(tmp_path), **overrides}))
        return made[-1].test_client()
    yield make
    for other in made:
        with other.app_context():
            db.engine.dispose()


def closed_redis():
    return f"redis://127.0.0.1:{free_port()}/3"


def test_a_server_with_every_dependency_answering_is_ready(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "checks": {
        "database": "ok", "rate_limit_storage": "ok", "photo_store": "ok"}}


def test_readiness_pings_redis_when_limits_are_kept_there(app_with):
    redis = pytest.importorskip("redis")
    try:
        redis.Redis(host="127.0.0.1", port=6379, db=3, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip("needs Redis on 127.0.0.1:6379")
    response = app_with(RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/3").get("/readyz")
    assert response.status_code == 200 and response.get_json()["checks"]["rate_limit_storage"] == "ok"


def test_with_redis_down_the_server_is_not_ready_but_still_alive(app_with):
    client = app_with(RATELIMIT_STORAGE_URI=closed_redis())
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "failed", "checks": {
        "database": "ok", "rate_limit_storage": "failed", "photo_store": "ok"}}
    assert client.get("/healthz").status_code == 200


def test_with_the_database_down_the_server_is_not_ready_but_still_alive(app_with):
    client = app_with(SQLALCHEMY_DATABASE_URI=f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/gone")
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"] == {"database": "failed", "rate_limit_storage": "ok", "photo_store": "ok"}
    assert client.get("/healthz").status_code == 200


def test_with_the_photo_folder_unusable_the_server_is_not_ready(app_with, tmp_path):
    in_the_way = tmp_path / "a-file"
    in_the_way.write_text("not a folder")
    response = app_with(PHOTO_DIR=str(in_the_way / "photos")).get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"] == {"database": "ok", "rate_limit_storage": "ok", "photo_store": "failed"}


def test_liveness_asks_no_session_and_sets_no_cookie(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}
    assert "Set-Cookie" not in response.headers


def _alert(demo, number, status, due):
    from server.models import Alert
    db.session.add(Alert(school_id=demo.school().id, kind="concern_raised", recipient_id=demo.user("dsl").id,
                         subject_id=f"health-{number}", subject="A concern", body="A concern was raised.",
                         status=status, next_attempt_at=due))
    db.session.commit()


def test_alert_health_says_when_no_worker_is_sending_a_concern_alert(client, demo):
    from datetime import timedelta

    from server.models.base import utcnow
    assert client.get("/healthz/alerts").get_json() == {"status": "ok", "late": 0, "failed": 0}
    _alert(demo, 1, "pending", utcnow() - timedelta(minutes=2))    # due a moment ago: the worker is on it
    _alert(demo, 2, "sent", utcnow() - timedelta(hours=3))
    assert client.get("/healthz/alerts").status_code == 200
    _alert(demo, 3, "pending", utcnow() - timedelta(minutes=25))   # nobody has sent it
    response = client.get("/healthz/alerts")
    assert (response.status_code, response.get_json()) == (503, {"status": "late", "late": 1, "failed": 0})
    _alert(demo, 4, "failed", utcnow() - timedelta(hours=1))
    assert client.get("/healthz/alerts").get_json() == {"status": "late", "late": 1, "failed": 1}
