"""Both photo stores keep the same promises: put/read/exists/delete, a reader never sees half a
photo, keys are the server's shape only, and nothing is ever made public. The S3 store runs
against moto's S3 server over real HTTP."""
import os
import threading
import time
import uuid

import pytest
import requests

from server.services.photo_store import (LocalPhotoStore, PhotoStoreConfigError, S3PhotoStore, get_photo_store,
                                         store_from_settings)


@pytest.fixture(params=["local", "s3"])
def store(request, tmp_path):
    if request.param == "local":
        return LocalPhotoStore(tmp_path / "photos")
    return request.getfixturevalue("s3_store")


def stored_keys(store):
    """Every key the store holds, looked up behind its back (the folder, or the bucket)."""
    if isinstance(store, LocalPhotoStore):
        return sorted(p.relative_to(store.root).as_posix() for p in store.root.rglob("*") if p.is_file())
    listed = store.client.list_objects_v2(Bucket=store.bucket, Prefix=store.prefix).get("Contents", ())
    return sorted(item["Key"][len(store.prefix):] for item in listed)


def test_a_stored_photo_reads_back_byte_for_byte_until_deleted(store):
    key = f"7/{uuid.uuid4()}/{uuid.uuid4()}.jpg"
    data = bytes(range(256)) * 1000
    assert not store.exists(key)
    store.put(key, data)
    assert store.exists(key)
    assert store.read(key) == data
    assert stored_keys(store) == [key]
    store.delete(key)
    assert not store.exists(key)
    store.delete(key)  # deleting twice is not an error: a retried clean-up must not fail


def test_reading_a_missing_photo_raises_file_not_found(store):
    with pytest.raises(FileNotFoundError):
        store.read("7/not-there.jpg")


def test_a_reader_never_sees_half_a_photo(store):
    key = "7/visit/photo.jpg"
    versions = (b"a" * (3 * 1024 * 1024), b"b" * (3 * 1024 * 1024))
    seen, writes_done = [], threading.Event()

    def write():
        for round_number in range(6):
            store.put(key, versions[round_number % 2])
        writes_done.set()

    def read():
        deadline = time.monotonic() + 30
        reads_after_writes = 0
        while reads_after_writes < 3 and time.monotonic() < deadline:
            reads_after_writes += writes_done.is_set()
            try:
                seen.append(store.read(key))
            except FileNotFoundError:
                seen.append(None)  # before the first write finished

    threads = [threading.Thread(target=write), threading.Thread(target=read)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert writes_done.is_set()
    whole = [data for data in seen if data is not None]
    assert whole, "the reader never saw a stored photo"
    assert all(data in versions for data in whole), "a reader saw a photo that was half written"


@pytest.mark.parametrize("key", ["../escape.jpg", "7/../../etc/passwd", "/absolute.jpg", "7//double.jpg",
                                 "7/with space.jpg", "7\\back.jpg", "", "7/", "7/%2e%2e/x.jpg"])
def test_a_key_not_of_the_servers_shape_is_refused_before_anything_is_stored(store, key):
    for operation in (lambda: store.put(key, b"data"), lambda: store.read(key),
                      lambda: store.exists(key), lambda: store.delete(key)):
        with pytest.raises(ValueError):
            operation()
    assert stored_keys(store) == []


def test_s3_photos_are_private_objects_under_the_prefix(s3_store, s3_settings):
    s3_store.put("7/visit/photo.jpg", b"jpeg bytes")
    client = s3_store.client
    names = [item["Key"] for item in client.list_objects_v2(Bucket=s3_settings["S3_BUCKET"])["Contents"]]
    assert names == ["photos/7/visit/photo.jpg"]
    grants = client.get_object_acl(Bucket=s3_settings["S3_BUCKET"], Key=names[0])["Grants"]
    assert [grant["Grantee"].get("URI") for grant in grants if grant["Grantee"].get("URI")] == []
    assert [grant["Permission"] for grant in grants] == ["FULL_CONTROL"]  # the owner, nobody else


def test_an_unsigned_request_cannot_read_an_s3_photo(s3_store, s3_settings):
    s3_store.put("7/visit/photo.jpg", b"jpeg bytes")
    url = f"{s3_settings['S3_ENDPOINT_URL']}/{s3_settings['S3_BUCKET']}/photos/7/visit/photo.jpg"
    response = requests.get(url, timeout=10)
    assert response.status_code == 403 and b"jpeg bytes" not in response.content


def test_the_app_uses_the_store_its_settings_name(app, s3_settings):
    assert isinstance(get_photo_store(), LocalPhotoStore)
    app.extensions.pop("photo_store")
    app.config.update({name: value for name, value in s3_settings.items() if not name.startswith("AWS_")})
    store = get_photo_store()
    assert isinstance(store, S3PhotoStore) and store.bucket == s3_settings["S3_BUCKET"]
    assert get_photo_store() is store  # made once per app: an S3 client is costly to build


@pytest.mark.parametrize("settings", [{"PHOTO_STORE": "s3"}, {"PHOTO_STORE": "ftp", "PHOTO_DIR": "/tmp"}])
def test_settings_that_name_no_usable_store_are_refused(settings):
    with pytest.raises(PhotoStoreConfigError):
        store_from_settings(settings)


def _left_by_a_crash(folder, age_seconds):
    """A `.incoming-*` temporary as a put killed mid-write leaves it, last written `age_seconds` ago."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f".incoming-{uuid.uuid4().hex[:8]}"
    path.write_bytes(b"\xff\xd8\xff half a photo")
    when = time.time() - age_seconds
    os.utime(path, (when, when))
    return path


def test_uploads_a_crash_left_half_written_are_removed_once_they_are_an_hour_old(tmp_path):
    store = LocalPhotoStore(tmp_path / "photos")
    key = f"7/{uuid.uuid4()}/{uuid.uuid4()}.jpg"
    store.put(key, b"a whole photo")
    old = _left_by_a_crash(tmp_path / "photos" / "7" / "x", 2 * 3600)
    young = _left_by_a_crash(tmp_path / "photos" / "7", 60)   # may be a put still under way in another worker

    assert store.remove_abandoned_uploads() == [old]
    assert not old.exists() and young.exists() and store.read(key) == b"a whole photo"


def test_starting_the_server_clears_abandoned_uploads(app, database_uri, tmp_path):
    """gunicorn's master sweeps the photo folder once, before its workers take requests."""
    from tests.conftest import LiveServer
    old = _left_by_a_crash(tmp_path / "photos" / "3", 2 * 3600)
    young = _left_by_a_crash(tmp_path / "photos" / "3", 60)
    server = LiveServer(database_uri, tmp_path).start()
    try:
        assert not old.exists() and young.exists()
    finally:
        server.stop()
