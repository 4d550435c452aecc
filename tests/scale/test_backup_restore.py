"""`flask backup` and `flask restore`: a backup restored into an empty instance holds every
record and every photo byte for byte, across photo stores; a damaged backup, or a database
that is not empty, is refused and nothing changes."""
import json
import os
import stat
import tarfile
import uuid

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from server import create_app
from server.dev.synthetic import Size, synthesize
from server.extensions import db
from server.models import AuditEvent
from server.services.backup import SKIPPED_TABLES
from server.services.photo_store import get_photo_store
from tests import payloads
from tests.conftest import scratch_database


@pytest.fixture
def empty_database(tmp_path):
    """A second, empty database beside the one under test."""
    with scratch_database(tmp_path, "restore") as url:
        yield url


def _use_store(app, kind, request, tmp_path, name):
    """Point `app` at a local folder or at a fresh S3 bucket."""
    app.extensions.pop("photo_store", None)
    if kind == "local":
        app.config.update(PHOTO_STORE="local", PHOTO_DIR=str(tmp_path / f"{name}-photos"))
    else:
        settings = request.getfixturevalue("s3_settings") if name == "source" else _another_bucket(request)
        app.config.update({key: value for key, value in settings.items() if not key.startswith("AWS_")})


def _another_bucket(request):
    from server.services.photo_store import make_s3_client
    from tests.scale.conftest import S3_REGION
    endpoint = request.getfixturevalue("s3_endpoint")
    bucket = f"ap-restore-{uuid.uuid4().hex[:12]}"
    make_s3_client(endpoint_url=endpoint, region=S3_REGION).create_bucket(
        Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": S3_REGION})
    return {"PHOTO_STORE": "s3", "S3_BUCKET": bucket, "S3_ENDPOINT_URL": endpoint, "S3_REGION": S3_REGION,
            "S3_PREFIX": "restored"}


def _fill(api, demo):
    """The demo trust, a visit synced through the API with a real photo, and synthetic schools."""
    api.sign_in(demo.email("visiting_staff"))
    image = payloads.jpeg_bytes(1200, 900, colour=(180, 60, 30))
    entry = payloads.manifest_entry(image)
    visit_id = str(uuid.uuid4())
    visit = payloads.qa_visit(demo.placements()[0].uuid, photos=[entry], concern=payloads.concern())
    assert api.put(f"/api/visits/{visit_id}", json=visit).status_code == 201
    assert api.put(f"/api/visits/{visit_id}/photos/{entry['uuid']}", data=image, headers={
        "Content-Type": "image/jpeg", "X-Content-SHA256": entry["sha256"]}).status_code == 201
    synthesize(Size(schools=2, placements_per_school=3, visits_per_placement=6, photos=True),
               photo_store=get_photo_store())
    from server.models import Provider
    from server.models.base import utcnow
    from server.services import evidence_files
    provider = db.session.execute(sa.select(Provider).where(Provider.school_id == demo.school().id)).scalars().first()
    evidence_files.store(provider, payloads.jpeg_bytes(800, 600, colour=(20, 90, 160)), "insurance.jpg",
                         demo.user("ap_leader"), utcnow(), {"max_bytes": 10 * 2**20, "max_pixels": 40_000_000})
    db.session.commit()


def _counts():
    return {table.name: db.session.execute(sa.select(sa.func.count()).select_from(table)).scalar()
            for table in db.metadata.sorted_tables}


def _photo_hashes():
    """Every file the database names in the photo store: photos, thumbnails and evidence scans."""
    from server.models import EvidenceFile, Photo
    store = get_photo_store()
    keys = [key for photo in db.session.execute(sa.select(Photo)).scalars()
            for key in (photo.storage_key, photo.thumbnail_key) if key]
    keys += db.session.execute(sa.select(EvidenceFile.storage_key)).scalars().all()
    assert any(key.startswith("evidence/") for key in keys)
    return {key: payloads.sha256(store.read(key)) for key in keys}


@pytest.mark.parametrize("source_store, target_store, name", [
    ("local", "local", "backup"),
    ("s3", "s3", "backup.tar.gz"),
    ("local", "s3", "backup.tar"),
])
def test_a_backup_restores_into_an_empty_instance_with_every_record_and_photo(
        app, demo, api, empty_database, tmp_path, request, source_store, target_store, name):
    _use_store(app, source_store, request, tmp_path, "source")
    _fill(api, demo)
    before, hashes = _counts(), _photo_hashes()
    assert len(hashes) > 10

    result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / name)])
    assert result.exit_code == 0, result.output

    target = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": empty_database, "DATA_DIR": str(tmp_path)})
    _use_store(target, target_store, request, tmp_path, "target")
    with target.app_context():
        upgrade()
        result = target.test_cli_runner().invoke(args=["restore", str(tmp_path / name)])
        assert result.exit_code == 0, result.output
        after = _counts()
        for table, rows in before.items():
            expected = 0 if table in SKIPPED_TABLES else rows + (table == "audit_event")  # + "backup.restored"
            assert after[table] == expected, table
        assert _photo_hashes() == hashes
        # The restored instance takes new records after the restored ones.
        from server.models import AuditEvent
        restored = db.session.execute(sa.select(AuditEvent).order_by(AuditEvent.id.desc())).scalars().first()
        assert restored.action == "backup.restored"
        db.session.remove()
        db.engine.dispose()


def test_restoring_into_a_database_that_has_data_is_refused(app, demo, tmp_path):
    assert app.test_cli_runner().invoke(args=["backup", str(tmp_path / "backup")]).exit_code == 0
    before = _counts()
    result = app.test_cli_runner().invoke(args=["restore", str(tmp_path / "backup")])
    assert result.exit_code != 0 and "not empty" in result.output
    db.session.expire_all()
    assert _counts() == before


def test_a_damaged_backup_is_refused_and_nothing_is_restored(app, demo, empty_database, tmp_path):
    assert app.test_cli_runner().invoke(args=["backup", str(tmp_path / "backup")]).exit_code == 0
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    damaged = tmp_path / "backup" / "tables" / manifest["tables"]["pupil"]["file"]
    damaged.write_text(damaged.read_text().replace("Brennan", "Brenan"))

    target = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": empty_database,
                         "DATA_DIR": str(tmp_path), "PHOTO_DIR": str(tmp_path / "target-photos")})
    with target.app_context():
        upgrade()
        result = target.test_cli_runner().invoke(args=["restore", str(tmp_path / "backup")])
        assert result.exit_code != 0 and "damaged" in result.output
        assert set(_counts().values()) == {0}
        db.session.remove()
        db.engine.dispose()


def test_a_backup_never_overwrites_an_earlier_one(app, demo, tmp_path):
    (tmp_path / "backup.tar.gz").write_bytes(b"an earlier backup")
    result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "backup.tar.gz")])
    assert result.exit_code != 0 and "already exists" in result.output
    assert (tmp_path / "backup.tar.gz").read_bytes() == b"an earlier backup"


def _sync_a_visit_with_a_photo(api, demo):
    """One visit with one photo, synced through the API; returns the photo's row."""
    from server.models import Photo
    api.sign_in(demo.email("visiting_staff"))
    image = payloads.jpeg_bytes(640, 480)
    entry = payloads.manifest_entry(image)
    visit_id = str(uuid.uuid4())
    assert api.put(f"/api/visits/{visit_id}", json=payloads.qa_visit(
        demo.placements()[0].uuid, photos=[entry])).status_code == 201
    assert api.put(f"/api/visits/{visit_id}/photos/{entry['uuid']}", data=image, headers={
        "Content-Type": "image/jpeg", "X-Content-SHA256": entry["sha256"]}).status_code == 201
    return db.session.execute(sa.select(Photo)).scalar_one()


def test_a_missing_photo_file_is_named_and_everything_else_is_backed_up(app, demo, api, empty_database, tmp_path):
    photo = _sync_a_visit_with_a_photo(api, demo)
    (tmp_path / "photos" / photo.storage_key).unlink()

    result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "backup.tar.gz")])
    # The archive is written, but the operator (and cron) must hear that it is not whole.
    assert result.exit_code != 0
    assert "1 photo file missing" in result.output and photo.storage_key in result.output
    with tarfile.open(tmp_path / "backup.tar.gz") as tar:
        manifest = json.load(tar.extractfile("./manifest.json"))
        assert f"./photos/{photo.thumbnail_key}" in tar.getnames()
    assert manifest["missing_photos"] == [photo.storage_key]
    assert list(manifest["photos"]) == [photo.thumbnail_key]
    assert db.session.execute(sa.select(AuditEvent.action).order_by(AuditEvent.id.desc())).scalar() == "backup.created"

    target = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": empty_database,
                         "DATA_DIR": str(tmp_path), "PHOTO_DIR": str(tmp_path / "target-photos")})
    with target.app_context():
        upgrade()
        result = target.test_cli_runner().invoke(args=["restore", str(tmp_path / "backup.tar.gz")])
        assert result.exit_code == 0, result.output
        assert "1 photo file was missing" in result.output and photo.storage_key in result.output
        db.session.remove()
        db.engine.dispose()


@pytest.mark.parametrize("name", ["backup.tar.gz", "backup.tar", "backup"])
def test_a_backup_is_readable_by_its_owner_only(app, demo, tmp_path, name):
    previous = os.umask(0o022)   # the usual umask, under which new files are world-readable
    try:
        assert app.test_cli_runner().invoke(args=["backup", str(tmp_path / name)]).exit_code == 0
    finally:
        os.umask(previous)
    target = tmp_path / name
    assert stat.S_IMODE(target.stat().st_mode) == (0o700 if target.is_dir() else 0o600)
    for path in target.rglob("*") if target.is_dir() else ():
        assert stat.S_IMODE(path.stat().st_mode) == (0o700 if path.is_dir() else 0o600), path


@pytest.mark.parametrize("name", ["backup.tar.gz", "backup.tar"])
def test_a_truncated_archive_is_refused_with_a_clear_reason(app, demo, empty_database, tmp_path, name):
    assert app.test_cli_runner().invoke(args=["backup", str(tmp_path / name)]).exit_code == 0
    archive = tmp_path / name
    archive.write_bytes(archive.read_bytes()[:archive.stat().st_size // 2])

    target = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": empty_database,
                         "DATA_DIR": str(tmp_path), "PHOTO_DIR": str(tmp_path / "target-photos")})
    with target.app_context():
        upgrade()
        result = target.test_cli_runner().invoke(args=["restore", str(archive)])
        assert result.exit_code != 0
        assert "truncated or damaged" in result.output and "Aborted" not in result.output
        assert set(_counts().values()) == {0}
        assert not (tmp_path / "target-photos").exists()
        db.session.remove()
        db.engine.dispose()
