"""Resumable photo uploads (docs/sync-protocol.md §2): a phone sends a photo's bytes from an
offset, the server keeps every part that arrives and confirms how many bytes it holds, and the
phone continues from there after a drop, never sending a confirmed byte again. When the last
byte arrives the whole photo goes through `ingest_photo`, the same checks and re-encoding as a
photo sent in one PUT; until then nothing of it is a photo.

The parts are rows of `photo_upload_part` (server/models/visits.py). Each is written in its own
short transaction, after its bytes have arrived, so no lock is held while a slow link trickles a
body in. Nothing here commits; the view commits once per part.

Staging is bounded: a photo's parts never pass its manifest size, which is at most
MAX_UPLOAD_BYTES; one person's unfinished uploads together stay within
PHOTO_UPLOAD_ALLOWANCE_BYTES; and an upload untouched for ABANDONED_AFTER is deleted."""
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa

from server.extensions import db
from server.models import Photo, PhotoUploadPart
from server.models.base import utcnow
from server.services import completeness
from server.services.photo_ingest import ingest_photo
from server.services.photos import ALLOWED_FORMATS
from server.services.refusal import Refused
from server.services.sync import find_own_visit, hold_visit_uuid, receipt_for

# The server keeps what arrives in parts of this size, so a body cut by a drop loses at most the
# part on its way (about 1.3 s at 400 kbit/s), whatever size the phone's request was.
PART_BYTES = 64 * 1024
# An upload nobody has added to for this long is abandoned (a phone reset, a visit discarded).
# A week: a phone that lost signal mid-photo on Friday still resumes on Monday.
ABANDONED_AFTER = timedelta(days=7)


@dataclass
class UploadStatus:
    photo_id: object
    received: int     # bytes the server holds, from byte 0: the offset to continue from
    size: int         # the size in the manifest
    stored: bool      # the photo arrived whole and was stored
    receipt: object   # the visit's receipt once stored, else None


def _visit_and_photo(user, visit_uuid, photo_uuid):
    """The user's visit and a photo of its manifest (or one already stored), as ingest_photo
    finds them: someone else's visit is 404 `not_found`, an unknown one or a photo not in the
    manifest 404 `photo_not_in_manifest`."""
    visit = find_own_visit(user, visit_uuid)
    if visit is None:
        raise Refused("photo_not_in_manifest", details={"visit": "not sent yet"})
    photo = db.session.execute(
        sa.select(Photo).where(Photo.uuid == photo_uuid, Photo.visit_id == visit.id)).scalar_one_or_none()
    if photo is None or str(photo.uuid) not in completeness.declared(visit.versions[-1]) and photo.stored_at is None:
        raise Refused("photo_not_in_manifest")
    return visit, photo


def received_bytes(photo_id):
    return db.session.execute(sa.select(sa.func.coalesce(sa.func.sum(PhotoUploadPart.length), 0))
                              .where(PhotoUploadPart.photo_id == photo_id)).scalar_one()


def _status(visit, photo):
    if photo.stored_at is not None:
        return UploadStatus(photo.uuid, photo.declared_size, photo.declared_size, True, receipt_for(visit))
    return UploadStatus(photo.uuid, received_bytes(photo.id), photo.declared_size, False, None)


def upload_status(user, visit_uuid, photo_uuid):
    """What the server holds of a photo: the offset a phone continues from."""
    visit, photo = _visit_and_photo(user, visit_uuid, photo_uuid)
    return _status(visit, photo)


def check_upload(user, visit_uuid, photo_uuid, content_type, declared_sha256, offset, length, max_bytes):
    """Everything that refuses a part before a byte of its body is read. Returns the UploadStatus."""
    visit, photo = _visit_and_photo(user, visit_uuid, photo_uuid)
    if content_type not in ALLOWED_FORMATS.values():
        raise Refused("photo_format_refused", details={"content_type": content_type})
    if (declared_sha256 or "").lower() != photo.declared_sha256:
        raise Refused("photo_hash_mismatch", details={"manifest": photo.declared_sha256,
                                                       "header": declared_sha256 or None})
    if photo.declared_size > max_bytes:
        raise Refused("body_too_large", details={"max_bytes": max_bytes, "size": photo.declared_size})
    status = _status(visit, photo)
    if status.stored:
        return status
    if offset > status.received:
        raise Refused("upload_offset_mismatch", details={"received": status.received, "offset": offset})
    if offset + length > photo.declared_size:
        raise Refused("upload_beyond_size", details={"size": photo.declared_size, "offset": offset,
                                                      "length": length, "received": status.received})
    return status


def keep_part(user, visit_uuid, photo_uuid, offset, data, allowance):
    """Keep `data`, the photo's bytes from `offset`. Bytes the server already holds are skipped
    (a resend is a no-op), a gap is 409 `upload_offset_mismatch` with the offset to continue
    from. Returns (bytes held after it, bytes of it kept now)."""
    hold_visit_uuid(visit_uuid)   # one request at a time on the visit, until this part commits
    visit, photo = _visit_and_photo(user, visit_uuid, photo_uuid)
    if photo.stored_at is not None:
        return photo.declared_size, 0
    received = received_bytes(photo.id)
    if offset > received:
        raise Refused("upload_offset_mismatch", details={"received": received, "offset": offset})
    new = data[received - offset:]
    if not new:
        return received, 0
    if received + len(new) > photo.declared_size:
        raise Refused("upload_beyond_size", details={"size": photo.declared_size, "received": received})
    if received == 0:   # a new upload: clear out abandoned ones first, so staging never only grows
        remove_abandoned_parts()
        _make_room(user, photo, allowance)
    db.session.add(PhotoUploadPart(photo_id=photo.id, start=received, length=len(new), data=bytes(new),
                                   author_id=user.id, received_at=utcnow()))
    db.session.flush()
    return received + len(new), len(new)


def finish_upload(user, visit_uuid, photo_uuid, content_type, declared_sha256, max_pixels, long_edge):
    """Every byte is here: the whole photo goes through ingest_photo (hash against the manifest,
    Pillow's checks, re-encoding, storage) and its parts are deleted. Returns (receipt, stored_now).
    On a refusal the caller rolls back and calls `discard_upload`, so a photo that failed its checks
    is sent again from byte 0 rather than failing the same way for ever."""
    hold_visit_uuid(visit_uuid)
    visit, photo = _visit_and_photo(user, visit_uuid, photo_uuid)
    if photo.stored_at is not None:
        return receipt_for(visit), False
    parts = db.session.execute(sa.select(PhotoUploadPart.start, PhotoUploadPart.data)
                               .where(PhotoUploadPart.photo_id == photo.id)
                               .order_by(PhotoUploadPart.start)).all()
    body = b"".join(part.data for part in parts)
    if len(body) != photo.declared_size:
        raise Refused("upload_offset_mismatch", details={"received": len(body), "offset": photo.declared_size})
    receipt, stored = ingest_photo(user, visit_uuid, photo_uuid, content_type, declared_sha256, body,
                                   max_pixels=max_pixels, long_edge=long_edge)
    db.session.execute(sa.delete(PhotoUploadPart).where(PhotoUploadPart.photo_id == photo.id))
    return receipt, stored


def discard_upload(user, visit_uuid, photo_uuid):
    """Forget the parts held of a photo (after it failed its checks)."""
    visit = find_own_visit(user, visit_uuid)
    if visit is None:
        return 0
    photo_ids = sa.select(Photo.id).where(Photo.uuid == photo_uuid, Photo.visit_id == visit.id)
    return db.session.execute(sa.delete(PhotoUploadPart).where(PhotoUploadPart.photo_id.in_(photo_ids))).rowcount


def _make_room(user, photo, allowance):
    """A person's unfinished uploads together stay within `allowance` bytes: starting one drops
    their least recently added-to others until it fits. The phone sends one photo at a time, so
    what is dropped was abandoned (a photo shrunk and sent again, a visit discarded)."""
    held = db.session.execute(
        sa.select(PhotoUploadPart.photo_id, sa.func.sum(PhotoUploadPart.length).label("bytes"),
                  sa.func.max(PhotoUploadPart.received_at).label("latest"))
        .where(PhotoUploadPart.author_id == user.id, PhotoUploadPart.photo_id != photo.id)
        .group_by(PhotoUploadPart.photo_id).order_by(sa.text("latest"))).all()
    total = sum(row.bytes for row in held) + photo.declared_size
    for row in held:
        if total <= allowance:
            break
        db.session.execute(sa.delete(PhotoUploadPart).where(PhotoUploadPart.photo_id == row.photo_id))
        total -= row.bytes


def remove_abandoned_parts(older_than=ABANDONED_AFTER, now=None):
    """Delete the parts of uploads nobody has added to for `older_than`. Returns how many photos'
    parts went. Run each time anyone starts a new upload (a grouped scan of a table that holds only
uploads under way)."""
    cutoff = (now or utcnow()) - older_than
    stale = (sa.select(PhotoUploadPart.photo_id).group_by(PhotoUploadPart.photo_id)
             .having(sa.func.max(PhotoUploadPart.received_at) < cutoff))
    photo_ids = list(db.session.execute(stale).scalars())
    if photo_ids:
        db.session.execute(sa.delete(PhotoUploadPart).where(PhotoUploadPart.photo_id.in_(photo_ids)))
    return len(photo_ids)
