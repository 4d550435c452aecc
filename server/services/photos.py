"""Checking and re-encoding uploaded photos with Pillow. The server trusts nothing from a phone:
format allow-list, pixel cap before decoding (decompression bombs), orientation applied,
metadata dropped by re-encoding, and a thumbnail for the office."""
import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from server.services.refusal import Refused

ALLOWED_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
THUMBNAIL_EDGE = 320
JPEG_QUALITY = 85


@dataclass
class ProcessedPhoto:
    image: bytes
    thumbnail: bytes
    width: int
    height: int


def process_photo(data, max_pixels, long_edge):
    """Verify `data` is an allowed image within the pixel cap; return it re-encoded as JPEG with
    orientation applied and no metadata, plus a thumbnail."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in ALLOWED_FORMATS:
                raise Refused("photo_format_refused", details={"format": image.format})
            width, height = image.size
            if width * height > max_pixels:
                raise Refused("photo_too_many_pixels", details={"pixels": width * height, "max_pixels": max_pixels})
            if image.format == "JPEG":
                image.draft("RGB", draft_size(width, height, long_edge))
            image.load()
    except Refused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise Refused("photo_too_many_pixels", details={"max_pixels": max_pixels}) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise Refused("photo_not_an_image", details={"reason": type(error).__name__}) from None

    image = ImageOps.exif_transpose(image)
    if image.mode not in ("RGB", "L"):
        image = _flatten(image)
    image.thumbnail((long_edge, long_edge), Image.Resampling.LANCZOS)
    full = _jpeg(image)
    thumb = image.copy()
    thumb.thumbnail((THUMBNAIL_EDGE, THUMBNAIL_EDGE), Image.Resampling.LANCZOS)
    return ProcessedPhoto(image=full, thumbnail=_jpeg(thumb), width=image.width, height=image.height)


def draft_size(width, height, long_edge):
    """The size to ask JPEG's decoder for: the largest 1/2, 1/4 or 1/8 reduction whose long edge
    still reaches 95% of `long_edge`. A 4000x3000 camera photo then decodes at 2000x1500, a
    quarter of the memory and time, and is kept at 2000 px rather than 2048."""
    scale = 1
    while scale < 8 and max(width, height) / (scale * 2) >= 0.95 * long_edge:
        scale *= 2
    return (width // scale, height // scale)


def _flatten(image):
    """Transparent or palette images onto white: JPEG has no alpha."""
    rgba = image.convert("RGBA")
    background = Image.new("RGB", rgba.size, (255, 255, 255))
    background.paste(rgba, mask=rgba.getchannel("A"))
    return background


def _jpeg(image):
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=JPEG_QUALITY, optimize=True)  # no exif= : metadata dropped
    return buffer.getvalue()
