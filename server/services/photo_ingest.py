"""Receiving one photo of a visit: verify its bytes against the manifest's SHA-256, re-encode,
store atomically, and mark the visit complete when it was the last one missing."""
import hashlib

import sqlalchemy as sa

from server.extensions import db
from server.models import Photo
from server.models.base import utcnow
from server.services import audit, completeness
from server.services.photo_store import get_photo_store
from server.services.photos import ALLOWED_FORMATS, process_photo
from server.services.refusal import Refused
from server.services.sync import find_own_visit, hold_visit_uuid, receipt_for


def ingest_photo(user, visit_uuid, photo_uuid, content_type, declared_sha256, body, max_pixels, long_edge):
    """Returns (receipt, stored_now: bool). Raises Refused and stores nothing on any refusal."""
    hold_visit_uuid(visit_uuid)
    visit = find_own_visit(user, visit_uuid)
    if visit is None:
        raise Refused("photo_not_in_manifest", details={"visit": "not sent yet"})
    photo = db.session.execute(
        sa.select(Photo).where(Photo.uuid == photo_uuid, Photo.visit_id == visit.id).with_for_update()
    ).scalar_one_or_none()
    if photo is None or str(photo.uuid) not in completeness.declared(visit.versions[-1]) and photo.stored_at is None:
        raise Refused("photo_not_in_manifest")
    if content_type not in ALLOWED_FORMATS.values():
        raise Refused("photo_format_refused", details={"content_type": content_type})
    actual = hashlib.sha256(body).hexdigest()
    if (declared_sha256 or "").lower() != photo.declared_sha256 or actual != photo.declared_sha256:
        raise Refused("photo_hash_mismatch", details={"manifest": photo.declared_sha256, "received": actual})
    if photo.stored_at is not None:
        return receipt_for(visit), False
    processed = process_photo(body, max_pixels=max_pixels, long_edge=long_edge)
    base = f"{visit.school_id}/{visit.uuid}/{photo.uuid}"
    store = get_photo_store()
    store.put(f"{base}.jpg", processed.image)
    store.put(f"{base}.thumb.jpg", processed.thumbnail)
    photo.storage_key = f"{base}.jpg"
    photo.thumbnail_key = f"{base}.thumb.jpg"
    photo.width, photo.height = processed.width, processed.height
    photo.stored_bytes = len(processed.image)
    photo.stored_at = utcnow()
    db.session.flush()
    completeness.settle(visit, utcnow())
    audit.record("photo.stored", photo, school_id=visit.school_id, visit=str(visit.uuid))
    return receipt_for(visit), True
