"""Is a visit complete: has every photo its version declared arrived? The one home of that rule,
for sync and photo upload (which keep `Visit.complete`), the receipt the phone reads, the review
queue and page, and the visit PDF.

A photo is missing when its UUID is in the version's manifest and its bytes are not stored. A
visit is complete when its current version has no photo missing; `completed_at` is the first
moment it was.
"""
import sqlalchemy as sa

from server.extensions import db
from server.models import Photo, Visit, VisitVersion


def declared(version):
    """The UUIDs (as text) of the photos a version declared."""
    return {str(entry.get("uuid")) for entry in (version.photo_manifest if version else None) or ()}


def missing_from(manifest_uuids, photos):
    """The UUIDs (as text, sorted) of the declared photos whose bytes are not stored."""
    return sorted(str(photo.uuid) for photo in photos if str(photo.uuid) in manifest_uuids and photo.stored_at is None)


def missing_photos(visit, version=None):
    """The UUIDs of the photos of `version` (the current one by default) still to arrive."""
    version = version or (visit.versions[-1] if visit.versions else None)
    return missing_from(declared(version), visit.photos)


def settle(visit, now, photos=None):
    """Set `visit.complete` (and `completed_at`, the first time). `photos` are the current
    manifest's own rows when the caller has just added them; otherwise they are read afresh."""
    if photos is None:
        db.session.refresh(visit, ["photos"])
        complete = not missing_photos(visit)
    else:
        complete = not missing_from({str(photo.uuid) for photo in photos}, photos)
    if complete and not visit.complete:
        visit.completed_at = now
    visit.complete = complete


def missing_counts(visit_ids):
    """{visit id: photos of its current version still to arrive}, in two queries however many
    visits. Pass only incomplete visits: a complete one has none missing."""
    if not visit_ids:
        return {}
    manifests = db.session.execute(
        sa.select(VisitVersion.visit_id, VisitVersion.photo_manifest)
        .join(Visit, sa.and_(VisitVersion.visit_id == Visit.id, VisitVersion.version == Visit.current_version))
        .where(Visit.id.in_(visit_ids))).all()
    waiting = {}
    for photo in db.session.execute(
            sa.select(Photo.visit_id, Photo.uuid, Photo.stored_at).where(
                Photo.visit_id.in_(visit_ids), Photo.stored_at.is_(None))):
        waiting.setdefault(photo.visit_id, []).append(photo)
    return {visit_id: len(missing_from({str(entry.get("uuid")) for entry in manifest or ()}, waiting.get(visit_id, ())))
            for visit_id, manifest in manifests}
