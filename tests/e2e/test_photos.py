"""Photos are made safe on the phone before they are stored: upright, small, no metadata."""
import io

import pytest
from PIL import ExifTags, Image

from tests.e2e.conftest import add_photo, jpeg_bytes, start_qa_visit

pytestmark = pytest.mark.e2e


def camera_photo_with_orientation_and_gps():
    """4000x3000 as a sensor writes it, to be shown turned 90° clockwise (EXIF Orientation 6),
    with where it was taken. The left half is red, so after turning, the top is red."""
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Make] = "PhoneMaker"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (51.0, 30.0, 12.5)
    gps[ExifTags.GPS.GPSLongitudeRef] = "W"
    gps[ExifTags.GPS.GPSLongitude] = (0.0, 7.0, 39.0)
    data = jpeg_bytes(4000, 3000, colour=(30, 30, 220), exif=exif)
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the test photo has GPS
    return data


def test_a_camera_photo_is_stored_upright_small_and_without_exif_or_gps(phone):
    page = phone.open().sign_in().page
    start_qa_visit(phone)
    phone.answer("work_reviewed", "yes")
    add_photo(phone, "work_photos", camera_photo_with_orientation_and_gps())

    [record] = phone.records("photos")
    stored = bytes(record["bytes"])
    image = Image.open(io.BytesIO(stored))
    assert image.format == "JPEG"
    assert image.size == (1536, 2048) == (record["width"], record["height"])  # turned upright, long edge 2048
    red_top = image.getpixel((768, 100))
    blue_bottom = image.getpixel((768, 1948))
    assert red_top[0] > 150 and red_top[2] < 100
    assert blue_bottom[2] > 150 and blue_bottom[0] < 100
    assert len(image.getexif()) == 0 and "exif" not in image.info
    assert b"Exif" not in stored and b"PhoneMaker" not in stored
    assert record["size"] == len(stored)
    assert page.locator("#item-work_photos .thumb img").count() == 1
