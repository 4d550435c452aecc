"""Scanned paper evidence a school brings in: checked by its content (never its name), kept in
the photo store under its own key prefix with its SHA-256, and read back for people allowed to.

Only three kinds are kept:
- PDF: starts `%PDF-`, is not encrypted, holds no web page, and names nothing that runs or
  carries other files (JavaScript, launch actions, embedded files, forms that submit...),
  looked for in its objects and inside its object streams, with `#xx` name escapes undone;
- JPEG and PNG: opened by Pillow, ending where the picture ends (nothing appended), then
  re-encoded, which drops metadata and anything hidden in it.
Everything else (HTML, SVG, ZIP, a picture with a web page glued on) is refused. No Flask
request globals; callers pass the person, the time and the limits. Nothing here commits.
"""
import hashlib
import io
import logging
import re
import uuid
import warnings
import zlib
from pathlib import PurePosixPath, PureWindowsPath

import sqlalchemy as sa
from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy.orm import Session

from server.extensions import db
from server.models import EvidenceFile
from server.models.base import new_uuid
from server.services import audit
from server.services.photo_store import get_photo_store
from server.services.refusal import Refused

KEY_PREFIX = "evidence"
# The keys stored during the session's transaction, until it commits (see _forget_uncommitted).
UNCOMMITTED_KEYS = "uncommitted_evidence_keys"
EXTENSIONS = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
IMAGE_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png"}
NAME_MAX_LENGTH = 200
# PDF names that run code, act on their own, or carry other files inside the PDF.
REFUSED_PDF_NAMES = frozenset({"JavaScript", "JS", "Launch", "EmbeddedFile", "EmbeddedFiles", "RichMedia",
                               "SubmitForm", "ImportData", "GoToE", "XFA", "Encrypt"})
# Markup that makes a file a web page as well as a PDF: at least five characters each, so that
# compressed data does not match by chance.
MARKUP = re.compile(rb"<(script|html|!doctype|iframe|object|embed)\b", re.IGNORECASE)
PDF_NAME = re.compile(rb"/((?:[^\s/<>\[\]()%{}#]|#[0-9A-Fa-f]{2})+)")
PDF_STREAM = re.compile(rb"stream\r?\n(.*?)endstream", re.DOTALL)
# Encodings an object stream could hide its dictionaries behind that this check does not undo.
UNREAD_FILTERS = frozenset({"ASCIIHexDecode", "ASCII85Decode", "LZWDecode", "RunLengthDecode", "Crypt",
                            "AHx", "A85", "LZW", "RL"})
# Inflated stream bytes looked at in one PDF, at most: more is a compression bomb, refused.
PDF_INFLATE_LIMIT = 64 * 1024 * 1024
JPEG_QUALITY = 90


def refused(reason, message):
    return Refused("document_refused", message, field="file", details={"reason": reason})


def check(data, max_bytes, max_pixels):
    """(content type, bytes to keep) for an upload, or Refused document_refused (422) or
    document_too_large (413)."""
    if not data:
        raise refused("empty", "The file is empty. Choose the scanned document again.")
    if len(data) > max_bytes:
        raise Refused("document_too_large", field="file", details={"bytes": len(data), "max_bytes": max_bytes},
                      message=f"The file is larger than {max_bytes // (1024 * 1024)} MB. "
                              "Scan it at a lower resolution or in black and white, and try again.")
    if data.startswith(b"%PDF-"):
        _check_pdf(data)
        return "application/pdf", data
    return _checked_image(data, max_pixels)


def _check_pdf(data):
    if MARKUP.search(data):
        raise refused("pdf_with_markup", "This PDF also holds a web page, so it is not kept. "
                                         "Print it to a new PDF or scan the paper again.")
    # Actions and attachments are named in dictionaries: in the objects themselves, or packed in
    # object streams. Other streams (page drawing, scanned images) are binary data where a short
    # name such as /JS turns up by chance, so they are not read as names.
    names = _pdf_names(PDF_STREAM.sub(b"stream\nendstream", data))
    for body in _object_streams(data):
        names |= _pdf_names(body)
    found = sorted(names & REFUSED_PDF_NAMES)
    if "Encrypt" in found:
        raise refused("pdf_encrypted", "This PDF is password-protected, so it cannot be checked. "
                                       "Save an unprotected copy and try again.")
    if found:
        raise refused("pdf_active_content", "This PDF contains scripts, actions or attached files, so it is "
                                            "not kept. Print it to a new PDF or scan the paper again.")


def _pdf_names(data):
    """Every name in `data`, with `#xx` escapes undone (/J#53 is /JS)."""
    return {re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m[1], 16)]), match[1]).decode("latin-1")
            for match in PDF_NAME.finditer(data)}


def _object_streams(data):
    """The inflated bodies of the PDF's object streams, within the limit. One that cannot be
    inflated cannot be checked, so the PDF is refused."""
    budget = PDF_INFLATE_LIMIT
    for match in PDF_STREAM.finditer(data):
        head = data[max(data.rfind(b"obj", 0, match.start()), 0):match.start()]
        head_names = _pdf_names(head)
        if "ObjStm" not in head_names:
            continue
        try:
            if head_names & UNREAD_FILTERS:
                raise zlib.error("an encoding this check does not undo")
            body = zlib.decompressobj().decompress(match[1], budget + 1) if "FlateDecode" in head_names else match[1]
        except zlib.error:
            raise refused("pdf_unreadable", "Part of this PDF cannot be read, so it cannot be checked. "
                                            "Print it to a new PDF or scan the paper again.") from None
        budget -= len(body)
        if budget < 0:
            raise refused("pdf_too_complex", "This PDF expands to too much data to check. "
                                             "Print it to a new PDF or scan the paper again.")
        yield body


def _checked_image(data, max_pixels):
    not_kept = refused("not_pdf_or_image", "Only PDF, JPEG and PNG files are kept as evidence, and this file "
                                           "is none of those, whatever its name says.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in IMAGE_TYPES:
                raise not_kept
            width, height = image.size
            if width * height > max_pixels:
                raise refused("too_many_pixels", "The picture has too many pixels. Scan it at a lower resolution.")
            image.load()
    except Refused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise refused("too_many_pixels", "The picture has too many pixels. Scan it at a lower resolution.") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise not_kept from None
    if not _ends_with_the_picture(image.format, data):
        raise refused("image_with_extra_data", "Something else is hidden after the picture in this file, so it "
                                               "is not kept. Save it again from the scanner or photo app.")
    return IMAGE_TYPES[image.format], _reencoded(image, image.format)


def _ends_with_the_picture(image_format, data):
    """Nothing follows the image's own end marker (the PNG IEND chunk, the JPEG EOI)."""
    if image_format == "PNG":
        end = data.rfind(b"IEND")
        return end != -1 and len(data) == end + 8  # chunk type, then its 4-byte CRC
    return data.rstrip(b"\x00\r\n ").endswith(b"\xff\xd9")


def _reencoded(image, image_format):
    """The picture alone, upright, in its own format: no EXIF, GPS, comments or text chunks."""
    image = ImageOps.exif_transpose(image)
    buffer = io.BytesIO()
    if image_format == "PNG":
        image.save(buffer, format="PNG", optimize=True)
    else:
        if image.mode not in ("RGB", "L", "CMYK"):
            image = image.convert("RGB")
        image.save(buffer, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return buffer.getvalue()


def safe_name(filename):
    """The uploaded file's own name without any folder, control characters or excess length."""
    name = PureWindowsPath(PurePosixPath(filename or "").name).name
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    return name[:NAME_MAX_LENGTH] or None


def store(provider, data, filename, actor, now, limits):
    """Check an upload and keep it for `provider`: the stored EvidenceFile, flushed and audited.
    `limits` is {"max_bytes": ..., "max_pixels": ...}."""
    content_type, kept = check(data, limits["max_bytes"], limits["max_pixels"])
    file = EvidenceFile(school_id=provider.school_id, provider_id=provider.id, content_type=content_type,
                        byte_size=len(kept), sha256=hashlib.sha256(kept).hexdigest(),
                        original_name=safe_name(filename), uploaded_by_id=actor.id, uploaded_at=now,
                        uuid=new_uuid())
    file.storage_key = f"{KEY_PREFIX}/{provider.school.uuid}/{file.uuid}"
    get_photo_store().put(file.storage_key, kept)
    db.session.info.setdefault(UNCOMMITTED_KEYS, []).append(file.storage_key)
    db.session.add(file)
    db.session.flush()
    audit.record("evidence.uploaded", file, actor=actor, provider=str(provider.uuid),
                 content_type=content_type, sha256=file.sha256, bytes=file.byte_size)
    return file


@sa.event.listens_for(Session, "after_commit")
def _kept(session):
    session.info.pop(UNCOMMITTED_KEYS, None)


@sa.event.listens_for(Session, "after_transaction_end")
def _forget_uncommitted(session, transaction):
    """A file stored in a transaction that ends without committing (a later row of the same form
    refused, say) has no row naming it: delete it rather than keep an orphan scan."""
    if transaction.parent is not None:
        return
    for key in session.info.pop(UNCOMMITTED_KEYS, ()):
        try:
            get_photo_store().delete(key)
        except Exception:  # the request's answer stands; the orphan is only wasted space
            logging.getLogger(__name__).exception("could not delete uncommitted evidence file %s", key)


def provider_file(provider, file_uuid):
    """`provider`'s own evidence file with that public id (a UUID or its text), or None."""
    try:
        file_uuid = file_uuid if isinstance(file_uuid, uuid.UUID) else uuid.UUID(str(file_uuid))
    except ValueError:
        return None
    if provider.id is None:
        return None
    return db.session.execute(
        sa.select(EvidenceFile).where(EvidenceFile.uuid == file_uuid, EvidenceFile.provider_id == provider.id)
    ).scalar_one_or_none()


def read(file):
    """The kept bytes; FileNotFoundError when the store has lost them."""
    return get_photo_store().read(file.storage_key)


def download_name(file):
    """A name to save the download under: the uploaded name's letters, and the extension of
    what the file really is."""
    stem = (file.original_name or "").rsplit(".", 1)[0]
    stem = re.sub(r"[^A-Za-z0-9 _-]+", "", stem).strip()[:100] or "evidence"
    return f"{stem}.{EXTENSIONS[file.content_type]}"
