"""Readiness with photos in S3-compatible storage: the bucket must answer."""
from server import create_app
from server.extensions import db


def _readiness(database_uri, tmp_path, s3_settings):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_uri, "DATA_DIR": str(tmp_path),
                      **{name: value for name, value in s3_settings.items() if not name.startswith("AWS_")}})
    try:
        return app.test_client().get("/readyz")
    finally:
        with app.app_context():
            db.engine.dispose()


def test_a_reachable_bucket_is_ready(app, database_uri, tmp_path, s3_settings):
    response = _readiness(database_uri, tmp_path, s3_settings)
    assert response.status_code == 200 and response.get_json()["checks"]["photo_store"] == "ok"


def test_a_missing_bucket_is_not_ready(app, database_uri, tmp_path, s3_settings):
    response = _readiness(database_uri, tmp_path, dict(s3_settings, S3_BUCKET="no-such-bucket-here"))
    assert response.status_code == 503 and response.get_json()["checks"]["photo_store"] == "failed"
