"""Resumable photo uploads (docs/sync-protocol.md §2): a photo sent in parts from an offset; the
server keeps what arrives, confirms how much it holds, skips bytes it already has, refuses a gap
with the offset to continue from, and puts the whole photo through the same checks as a photo
sent in one PUT. Real database; the kill -9 and racing tests run real gunicorn."""
import http.client
import io
import os
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import sqlalchemy as sa
from PIL import Image

from server.extensions import db
from server.models import Photo, PhotoUploadPart
from server.models.base import utcnow
from server.services.photo_upload import PART_BYTES, remove_abandoned_parts
from tests import payloads
from tests.api.test_sync_photos import stored_files
from tests.api.test_sync_under_stress import signed_in, wait_until_server_has_read_everything_sent
from tests.conftest import LiveServer

CHUNK = 64 * 1024


def noisy_jpeg(width=480, height=360, seed=1):
    """A JPEG of a few hundred KB (noise compresses badly), so it takes several chunks."""
    rng = __import__("random").Random(seed)
    image = Image.frombytes("RGB", (width, height), bytes(rng.getrandbits(8) for _ in range(width * height * 3)))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=95)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def image():
    return noisy_jpeg()


def send_visit(client, placement_uuid, photos):
    entries = [payloads.manifest_entry(data) if isinstance(data, bytes) else data for data in photos]
    visit_id = str(uuid.uuid4())
    response = client.put(f"/api/visits/{visit_id}", json=payloads.qa_visit(placement_uuid, photos=entries))
    assert response.status_code == 201, response.get_json()
    return visit_id, entries


def put_chunk(client, visit_id, entry, offset, data, sha=None, media_type="image/jpeg"):
    return client.put(f"/api/visits/{visit_id}/photos/{entry['uuid']}/upload", data=data,
                      headers={"Content-Type": media_type, "Upload-Offset": str(offset),
                               "X-Content-SHA256": sha or entry["sha256"]})


def status_of(client, visit_id, entry):
    return client.get(f"/api/visits/{visit_id}/photos/{entry['uuid']}/upload")


def parts():
    db.session.rollback()
    return db.session.execute(sa.select(PhotoUploadPart.start, PhotoUploadPart.length)
                              .order_by(PhotoUploadPart.start)).all()


def test_a_photo_sent_in_chunks_in_order_is_stored_as_one_sent_whole_would_be(staff, placement, image, app):
    assert len(image) > 3 * CHUNK
    visit_id, (entry,) = send_visit(staff, placement.uuid, [image])
    assert status_of(staff, visit_id, entry).get_json() == {
        "photo_id": entry["uuid"], "received": 0, "size": len(image), "stored": False, "receipt": None}
    offset = 0
    while offset + CHUNK < len(image):
        answer = put_chunk(staff, visit_id, entry, offset, image[offset:offset + CHUNK])
        offset += CHUNK
        assert answer.status_code == 202
        assert answer.get_json()["received"] == offset and answer.get_json()["stored"] is False
        assert status_of(staff, visit_id, entry).get_json()["received"] == offset
    last = put_chunk(staff, visit_id, entry, offset, image[offset:])
    assert last.status_code == 201
    body = last.get_json()
    assert body["stored"] is True and body["received"] == len(image)
    assert body["receipt"]["complete"] is True and body["receipt"]["missing_photos"] == []
    assert parts() == []   # the staging is gone once the photo is stored
    photo = db.session.execute(sa.select(Photo)).scalar_one()
    assert photo.stored_at is not None and (photo.width, photo.height) == (480, 360)
    assert len(stored_files(app)) == 2   # the photo and its thumbnail, re-encoded as ever
    # The whole-photo PUT agrees that it is stored (old phones keep working beside new ones).
    again = staff.put(f"/api/visits/{visit_id}/photos/{entry['uuid']}", data=image,
                      headers={"Content-Type": "image/jpeg", "X-Content-SHA256": entry["sha256"]})
    assert again.status_code == 200 and again.get_json()["complete"] is True


def test_a_chunk_the_server_already_holds_is_a_no_op_and_an_overlap_keeps_only_the_new_bytes(staff, placement, image):
    visit_id, (entry,) = send_visit(staff, placement.uuid, [image])
    assert put_chunk(staff, visit_id, entry, 0, image[:CHUNK]).status_code == 202
    again = put_chunk(staff, visit_id, entry, 0, image[:CHUNK])
    assert again.status_code == 200 and again.get_json()["received"] == CHUNK
    assert parts() == [(0, CHUNK)]
    # A chunk that starts inside what is held: the held bytes are skipped, the rest kept.
    overlap = put_chunk(staff, visit_id, entry, CHUNK // 2, image[CHUNK // 2:2 * CHUNK])
    assert overlap.status_code == 202 and overlap.get_json()["received"] == 2 * CHUNK
    held = parts()
    assert held[0] == (0, CHUNK) and sum(length for _, length in held) == 2 * CHUNK
    assert all(start == before + length for (before, length), (start, _) in zip(held, held[1:]))
    finished = put_chunk(staff, visit_id, entry, 2 * CHUNK, image[2 * CHUNK:])
    assert finished.status_code == 201
    # Once stored, any chunk (an acknowledgement lost) answers 200 with the receipt.
    late = put_chunk(staff, visit_id, entry, 2 * CHUNK, image[2 * CHUNK:])
    assert late.status_code == 200 and late.get_json()["stored"] is True and late.get_json()["receipt"]["complete"]


def test_a_gap_is_409_with_the_offset_to_continue_from(staff, placement, image):
    visit_id, (entry,) = send_visit(staff, placement.uuid, [image])
    gap = put_chunk(staff, visit_id, entry, CHUNK, image[CHUNK:2 * CHUNK])
    assert gap.status_code == 409
    assert gap.get_json()["code"] == "upload_offset_mismatch" and gap.get_json()["details"]["received"] == 0
    assert parts() == []
    put_chunk(staff, visit_id, entry, 0, image[:CHUNK])
    gap = put_chunk(staff, visit_id, entry, 3 * CHUNK, image[3 * CHUNK:4 * CHUNK])
    assert gap.status_code == 409 and gap.get_json()["details"]["received"] == CHUNK


def test_bytes_past_the_manifest_size_and_bad_offsets_are_refused(staff, placement, image):
    visit_id, (entry,) = send_visit(staff, placement.uuid, [image])
    beyond = put_chunk(staff, visit_id, entry, 0, image + b"extra")
    assert beyond.status_code == 422 and beyond.get_json()["code"] == "upload_beyond_size"
    for offset in ("-1", "ten", "", "1e3"):
        answer = staff.put(f"/api/visits/{visit_id}/photos/{entry['uuid']}/upload", data=image[:10],
                           headers={"Content-Type": "image/jpeg", "Upload-Offset": offset,
                                    "X-Content-SHA256": entry["sha256"]})
        assert answer.status_code == 422 and answer.get_json()["code"] == "validation_failed", offset
    wrong_type = put_chunk(staff, visit_id, entry, 0, image[:CHUNK], media_type="image/gif")
    assert wrong_type.status_code == 415
    wrong_header = put_chunk(staff, visit_id, entry, 0, image[:CHUNK], sha="0" * 64)
    assert wrong_header.status_code == 422 and wrong_header.get_json()["code"] == "photo_hash_mismatch"
    assert parts() == []


def test_bytes_that_do_not_match_the_manifest_hash_at_the_end_are_422_and_nothing_is_kept(staff, placement, image, app):
    visit_id, (entry,) = send_visit(staff, placement.uuid, [image])
    damaged = bytearray(image)
    damaged[len(image) // 2] ^= 0xFF
    damaged = bytes(damaged)
    assert put_chunk(staff, visit_id, entry, 0, damaged[:CHUNK]).status_code == 202
    last = put_chunk(staff, visit_id, entry, CHUNK, damaged[CHUNK:])
    assert last.status_code == 422 and last.get_json()["code"] == "photo_hash_mismatch"
    assert stored_files(app) == [] and parts() == []
    assert db.session.execute(sa.select(Photo.stored_at)).scalar_one() is None
    assert status_of(staff, visit_id, entry).get_json()["received"] == 0   # sent again from byte 0
    assert put_chunk(staff, visit_id, entry, 0, image).status_code == 201


def test_bytes_that_are_not_an_image_go_through_the_same_checks_and_nothing_is_kept(staff, placement, app):
    garbage = os.urandom(3 * CHUNK)
    visit_id, (entry,) = send_visit(staff, placement.uuid, [garbage])
    assert put_chunk(staff, visit_id, entry, 0, garbage[:CHUNK]).status_code == 202
    last = put_chunk(staff, visit_id, entry, CHUNK, garbage[CHUNK:])
    assert last.status_code == 422 and last.get_json()["code"] == "photo_not_an_image"
    assert stored_files(app) == [] and parts() == []


def test_a_photo_over_the_upload_limit_is_413_before_any_byte_is_kept(staff, placement, image, app):
    visit_id, (entry,) = send_visit(staff, placement.uuid, [image])
    app.config["MAX_CONTENT_LENGTH"] = len(image) - 1
    try:
        first = put_chunk(staff, visit_id, entry, 0, image[:CHUNK])
    finally:
        app.config["MAX_CONTENT_LENGTH"] = 15 * 1024 * 1024
    assert first.status_code == 413 and first.get_json()["code"] == "body_too_large"
    assert parts() == []


def test_another_schools_or_another_persons_visit_is_404(staff, api_as, demo, image):
    hillcrest = api_as("visiting_staff", school="hillcrest")
    visit_id, (entry,) = send_visit(hillcrest, demo.placements("hillcrest")[0].uuid, [image])
    assert status_of(staff, visit_id, entry).status_code == 404
    answer = put_chunk(staff, visit_id, entry, 0, image[:CHUNK])
    assert answer.status_code == 404 and answer.get_json()["code"] == "not_found"
    colleague = api_as("ap_leader")   # same school, not the author
    assert put_chunk(colleague, visit_id, entry, 0, image[:CHUNK]).status_code == 404
    assert parts() == []
    unknown = put_chunk(staff, str(uuid.uuid4()), entry, 0, image[:CHUNK])
    assert unknown.status_code == 404 and unknown.get_json()["code"] == "photo_not_in_manifest"
    own_visit, _ = send_visit(staff, demo.placements()[0].uuid, [image])
    stray = put_chunk(staff, own_visit, {"uuid": str(uuid.uuid4()), "sha256": entry["sha256"]}, 0, image[:CHUNK])
    assert stray.status_code == 404 and stray.get_json()["code"] == "photo_not_in_manifest"


def test_one_persons_unfinished_uploads_stay_within_the_allowance(staff, placement, app):
    images = [noisy_jpeg(seed=seed) for seed in (2, 3, 4)]
    visit_id, entries = send_visit(staff, placement.uuid, images)
    # Room for one other upload's chunk held beside the whole of the third photo, not two.
    app.config["PHOTO_UPLOAD_ALLOWANCE_BYTES"] = CHUNK + len(images[2]) + 10
    try:
        for data, entry in zip(images, entries):
            assert put_chunk(staff, visit_id, entry, 0, data[:CHUNK]).status_code == 202
    finally:
        app.config["PHOTO_UPLOAD_ALLOWANCE_BYTES"] = 32 * 1024 * 1024
    # Starting the third dropped the least recently added-to (the first); the others go on.
    assert status_of(staff, visit_id, entries[0]).get_json()["received"] == 0
    assert [status_of(staff, visit_id, e).get_json()["received"] for e in entries[1:]] == [CHUNK, CHUNK]


def test_abandoned_uploads_are_removed_and_live_ones_kept(staff, placement, app):
    images = [noisy_jpeg(seed=seed) for seed in (5, 6)]
    visit_id, entries = send_visit(staff, placement.uuid, images)
    for data, entry in zip(images, entries):
        put_chunk(staff, visit_id, entry, 0, data[:CHUNK])
    db.session.execute(sa.update(PhotoUploadPart).where(PhotoUploadPart.photo_id == db.session.execute(
        sa.select(Photo.id).where(Photo.uuid == uuid.UUID(entries[0]["uuid"]))).scalar_one())
        .values(received_at=utcnow() - timedelta(days=8)))
    db.session.commit()
    assert remove_abandoned_parts() == 1
    db.session.commit()
    assert status_of(staff, visit_id, entries[0]).get_json()["received"] == 0
    assert status_of(staff, visit_id, entries[1]).get_json()["received"] == CHUNK


def test_after_a_crash_between_the_last_byte_and_the_photo_an_empty_chunk_finishes_it(staff, placement, image, app,
                                                                                       monkeypatch):
    visit_id, (entry,) = send_visit(staff, placement.uuid, [image])
    import server.services.photo_upload as photo_upload

    def crash(*args, **kwargs):
        raise RuntimeError("the server died here")
    monkeypatch.setattr(photo_upload, "ingest_photo", crash)
    assert put_chunk(staff, visit_id, entry, 0, image).status_code == 500
    monkeypatch.undo()
    held = status_of(staff, visit_id, entry).get_json()
    assert held["received"] == len(image) and held["stored"] is False
    done = put_chunk(staff, visit_id, entry, len(image), b"")
    assert done.status_code == 201 and done.get_json()["receipt"]["complete"] is True


# ---- Real gunicorn: racing duplicates, a cut body, kill -9 ---------------------------------

@pytest.fixture
def live(app, demo, database_uri, tmp_path):
    server = LiveServer(database_uri, tmp_path, workers=2).start()
    yield server
    server.stop()


def _live_visit(server, demo, image):
    session = signed_in(server.url)
    entry = payloads.manifest_entry(image)
    visit_id = str(uuid.uuid4())
    url = f"{server.url}/api/visits/{visit_id}"
    assert session.put(url, json=payloads.qa_visit(demo.placements()[0].uuid, photos=[entry])).status_code == 201
    return session, f"{url}/photos/{entry['uuid']}/upload", entry


def _headers(entry, offset):
    return {"Content-Type": "image/jpeg", "X-Content-SHA256": entry["sha256"], "Upload-Offset": str(offset)}


def test_the_same_chunk_sent_many_times_at_once_is_kept_once(live, demo, image):
    session, upload, entry = _live_visit(live, demo, image)

    def send(_):
        return session.put(upload, data=image[:CHUNK], headers=_headers(entry, 0), timeout=60).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(send, range(8)))
    assert sorted(statuses) == [200] * 7 + [202], statuses
    assert parts() == [(0, CHUNK)]
    assert session.get(upload).json()["received"] == CHUNK


def _start_body(server, session, upload, entry, offset, total_length, first_bytes):
    path = upload.split(str(server.port), 1)[1]
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    connection.putrequest("PUT", path, skip_accept_encoding=True)
    for name, value in {**_headers(entry, offset), "Content-Length": str(total_length),
                        "X-CSRFToken": session.headers["X-CSRFToken"],
                        "Cookie": "; ".join(f"{c.name}={c.value}" for c in session.cookies)}.items():
        connection.putheader(name, value)
    connection.endheaders()
    connection.send(first_bytes)
    return connection


def test_a_body_cut_by_a_drop_keeps_every_byte_that_arrived(live, demo, image):
    session, upload, entry = _live_visit(live, demo, image)
    sent = PART_BYTES * 2 + 1000
    connection = _start_body(live, session, upload, entry, 0, len(image), image[:sent])
    wait_until_server_has_read_everything_sent(live.port)
    connection.sock.close()   # the link drops mid-body
    connection.close()
    deadline = __import__("time").monotonic() + 10
    while session.get(upload).json()["received"] != sent and __import__("time").monotonic() < deadline:
        __import__("time").sleep(0.05)
    assert session.get(upload).json()["received"] == sent
    rest = session.put(upload, data=image[sent:], headers=_headers(entry, sent))
    assert rest.status_code == 201 and rest.json()["receipt"]["complete"] is True


def test_a_server_killed_mid_upload_keeps_the_parts_it_confirmed_and_the_phone_resumes(app, demo, database_uri,
                                                                                        tmp_path, image):
    server = LiveServer(database_uri, tmp_path).start()
    try:
        session, upload, entry = _live_visit(server, demo, image)
        sent = PART_BYTES * 2 + 1000
        connection = _start_body(server, session, upload, entry, 0, len(image), image[:sent])
        wait_until_server_has_read_everything_sent(server.port)
        server.kill()
        with pytest.raises((ConnectionError, http.client.HTTPException)):
            connection.getresponse()
        connection.close()

        server.start()
        # The two whole parts read before the kill were committed; the part on its way was not.
        assert session.get(upload).json()["received"] == 2 * PART_BYTES
        assert parts() == [(0, PART_BYTES), (PART_BYTES, PART_BYTES)]
        rest = session.put(upload, data=image[2 * PART_BYTES:], headers=_headers(entry, 2 * PART_BYTES))
        assert rest.status_code == 201 and rest.json()["receipt"]["complete"] is True
        assert parts() == []
        db.session.rollback()
        assert db.session.execute(sa.select(Photo.stored_at)).scalar_one() is not None
    finally:
        server.stop()
