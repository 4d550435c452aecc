"""Photo upload: idempotent, verified against the manifest's SHA-256, re-encoded upright and
without metadata, refused cleanly (and nothing stored) when it is not an acceptable image."""
import io
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from PIL import Image

from server.extensions import db
from server.models import Photo, Visit
from tests import payloads


def send_visit(staff, demo, images, media_types=None):
    media_types = media_types or ["image/jpeg"] * len(images)
    entries = [payloads.manifest_entry(data, media_type=media_type) for data, media_type in zip(images, media_types)]
    visit_id = str(uuid.uuid4())
    response = staff.put(f"/api/visits/{visit_id}", json=payloads.qa_visit(demo.placements()[0].uuid, photos=entries))
    assert response.status_code == 201
    return visit_id, entries


def put_photo(staff, visit_id, entry, data, media_type="image/jpeg", sha=None):
    return staff.put(f"/api/visits/{visit_id}/photos/{entry['uuid']}", data=data,
                     headers={"Content-Type": media_type, "X-Content-SHA256": sha or payloads.sha256(data)})


def stored_files(app):
    return sorted(p for p in Path(app.config["PHOTO_DIR"]).rglob("*") if p.is_file())


def test_a_visit_whose_photos_arrive_partly_is_incomplete_until_the_rest_arrive(staff, demo):
    images = [payloads.jpeg_bytes(colour=(200, 0, 0)), payloads.jpeg_bytes(colour=(0, 200, 0))]
    visit_id, entries = send_visit(staff, demo, images)
    first = put_photo(staff, visit_id, entries[0], images[0])
    assert first.status_code == 201
    assert first.get_json()["complete"] is False
    assert first.get_json()["missing_photos"] == [entries[1]["uuid"]]
    assert staff.get(f"/api/visits/{visit_id}").get_json()["complete"] is False
    second = put_photo(staff, visit_id, entries[1], images[1])
    assert second.get_json()["complete"] is True and second.get_json()["missing_photos"] == []
    visit = db.session.execute(sa.select(Visit)).scalar_one()
    assert visit.complete and visit.completed_at is not None


def test_resending_a_stored_photo_stores_nothing_new(staff, demo, app):
    image = payloads.jpeg_bytes()
    visit_id, entries = send_visit(staff, demo, [image])
    assert put_photo(staff, visit_id, entries[0], image).status_code == 201
    files = stored_files(app)
    again = put_photo(staff, visit_id, entries[0], image)
    assert again.status_code == 200 and again.get_json()["complete"] is True
    assert stored_files(app) == files
    assert db.session.execute(sa.select(sa.func.count()).select_from(Photo)).scalar() == 1


def test_a_photo_whose_bytes_do_not_match_the_manifest_is_refused(staff, demo, app):
    image = payloads.jpeg_bytes()
    visit_id, entries = send_visit(staff, demo, [image])
    other = payloads.jpeg_bytes(colour=(1, 2, 3))
    response = put_photo(staff, visit_id, entries[0], other)
    assert response.status_code == 422 and response.get_json()["code"] == "photo_hash_mismatch"
    response = put_photo(staff, visit_id, entries[0], image, sha="0" * 64)
    assert response.status_code == 422 and response.get_json()["code"] == "photo_hash_mismatch"
    assert stored_files(app) == []
    assert db.session.execute(sa.select(Photo.stored_at)).scalar_one() is None


def _png(size=(50, 50)):
    buffer = io.BytesIO()
    Image.new("RGBA", size, (0, 0, 255, 128)).save(buffer, format="PNG")
    return buffer.getvalue()


def _gif():
    buffer = io.BytesIO()
    Image.new("P", (20, 20)).save(buffer, format="GIF")
    return buffer.getvalue()


def _bomb():
    """A tiny PNG that declares 20,000 x 20,000 pixels: a decompression bomb."""
    buffer = io.BytesIO()
    Image.new("1", (20000, 20000)).save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


@pytest.mark.parametrize("name, data, declared_type, status, code", [
    ("not an image", b"%PDF-1.4 definitely not a photo" * 10, "image/jpeg", 422, "photo_not_an_image"),
    ("a GIF", _gif(), "image/gif", 415, "photo_format_refused"),
    ("a decompression bomb", _bomb(), "image/png", 422, "photo_too_many_pixels"),
    ("a truncated JPEG", payloads.jpeg_bytes()[:400], "image/jpeg", 422, "photo_not_an_image"),
])
def test_unacceptable_images_are_refused_and_nothing_is_stored(staff, demo, app, name, data, declared_type, status,
                                                               code):
    manifest_type = declared_type if declared_type != "image/gif" else "image/jpeg"
    visit_id, entries = send_visit(staff, demo, [data], [manifest_type])
    response = put_photo(staff, visit_id, entries[0], data, media_type=declared_type)
    assert response.status_code == status, name
    assert response.get_json()["code"] == code
    assert stored_files(app) == []
    assert db.session.execute(sa.select(Photo.stored_at)).scalar_one() is None


def test_an_oversized_body_is_refused(staff, demo, app):
    app.config["MAX_CONTENT_LENGTH"] = 10_000
    image = payloads.jpeg_bytes(2000, 2000)
    visit_id, entries = send_visit(staff, demo, [image])
    response = put_photo(staff, visit_id, entries[0], image)
    assert response.status_code == 413 and response.get_json()["code"] == "body_too_large"
    assert stored_files(app) == []


def test_a_photo_not_in_the_manifest_or_of_an_unsent_visit_is_not_found(staff, demo):
    image = payloads.jpeg_bytes()
    entry = payloads.manifest_entry(image)
    response = put_photo(staff, str(uuid.uuid4()), entry, image)
    assert response.status_code == 404 and response.get_json()["code"] == "photo_not_in_manifest"
    visit_id, _ = send_visit(staff, demo, [image])
    response = put_photo(staff, visit_id, entry, image)
    assert response.status_code == 404


def test_a_png_with_transparency_is_kept_as_an_upright_jpeg(staff, demo, app):
    image = _png()
    visit_id, entries = send_visit(staff, demo, [image], ["image/png"])
    assert put_photo(staff, visit_id, entries[0], image, media_type="image/png").status_code == 201
    photo = db.session.execute(sa.select(Photo)).scalar_one()
    kept = Image.open(Path(app.config["PHOTO_DIR"]) / photo.storage_key)
    assert kept.format == "JPEG" and kept.size == (50, 50)


def _camera_photo():
    """A 4000x3000 JPEG as a phone camera writes it: rotated by EXIF orientation 6, with GPS."""
    image = Image.new("RGB", (4000, 3000), (90, 140, 60))
    image.paste((250, 250, 250), (0, 0, 400, 300))  # a marker in the top-left of the sensor
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to display
    exif[0x010F] = "PhoneMaker"
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (52.0, 12.0, 30.0), 3: "W", 4: (1.0, 30.0, 0.0)})
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif, quality=90)
    return buffer.getvalue()


def test_the_server_keeps_photos_upright_small_and_without_gps_whatever_it_is_sent(staff, demo, app):
    image = _camera_photo()
    visit_id, entries = send_visit(staff, demo, [image])
    assert put_photo(staff, visit_id, entries[0], image).status_code == 201
    photo = db.session.execute(sa.select(Photo)).scalar_one()
    kept = Image.open(Path(app.config["PHOTO_DIR"]) / photo.storage_key)
    assert kept.size == (1500, 2000)  # portrait once orientation is applied; decoded at half scale
    assert (photo.width, photo.height) == kept.size
    exif = kept.getexif()
    assert 0x8825 not in exif and 0x0112 not in exif and len(exif) == 0
    assert kept.getpixel((kept.width - 10, 10))[0] > 240  # the marker is now top-right
    thumb = Image.open(Path(app.config["PHOTO_DIR"]) / photo.thumbnail_key)
    assert max(thumb.size) == 320


@pytest.mark.parametrize("size, expected", [((4000, 3000), (2000, 1500)), ((4032, 3024), (2016, 1512)),
                                            ((2048, 1536), (2048, 1536)), ((8000, 6000), (2000, 1500)),
                                            ((3000, 4000), (1500, 2000)), ((1200, 900), (1200, 900))])
def test_camera_photos_decode_at_the_smallest_scale_that_keeps_the_long_edge(size, expected):
    from server.services.photos import draft_size
    assert draft_size(*size, long_edge=2048) == expected
