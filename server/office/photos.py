"""Visit photos for signed-in office staff who may read the school's records. Streamed through
the app from the photo store, never from a public folder, and never cached by a browser or proxy.
Opening a photo at full size is in the audit log; thumbnails are part of the pages that show them."""
import sqlalchemy as sa
from flask import Response, abort, g

from server.extensions import db
from server.models import Photo, Visit
from server.office import office
from server.office.access import office_page
from server.services import audit
from server.services.photo_store import get_photo_store

SIZES = {"full": "storage_key", "thumb": "thumbnail_key"}


@office.get("/photos/<uuid:photo_id>/<size>")
@office_page("placement.read_record")
def photo(photo_id, size):
    if size not in SIZES:
        abort(404)
    row = db.session.execute(
        sa.select(Photo).join(Visit, Photo.visit_id == Visit.id)
        .where(Photo.uuid == photo_id, Visit.school_id == g.school.id, Photo.stored_at.is_not(None))
    ).scalar_one_or_none()
    key = getattr(row, SIZES[size]) if row is not None else None
    if key is None:
        abort(404)
    try:
        data = get_photo_store().read(key)
    except FileNotFoundError:
        abort(404)
    if size == "full":
        audit.record("photo.read", row, school_id=g.school.id, visit=str(row.visit.uuid))
        db.session.commit()
    # The store keeps every photo re-encoded as JPEG (services/photos.py).
    return Response(data, mimetype="image/jpeg", headers={
        "X-Content-Type-Options": "nosniff",
        "Content-Disposition": "inline",
    })
