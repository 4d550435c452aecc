"""Sync ingest: a visit and its photo manifest arrive from a phone, keyed by the UUID the phone
made. Idempotent: an identical resend returns the stored receipt; different content is a
409 unless it names the current version, in which case it becomes a new version that points
at the one it replaces. Nothing here commits; the view commits once."""
import hashlib
import json
from dataclasses import dataclass

import sqlalchemy as sa

from server.dates import school_today
from server.extensions import db
from server.models import (AuditEvent, ConcernNote, FollowUpAction, Photo, Placement, Provider,
                           SafeguardingConcern, Visit, VisitVersion)
from server.models.base import utcnow
from server.models.tracking import change_number_for_insert
from server.permissions import schools_where
from server.schemas.visits import VisitPayloadSchema
from server.services import alerts, audit, completeness
from server.services.bootstrap import carried_by, refusal_to_send
from server.services.forms import check_answers, get_form
from server.services.refusal import Refused

# Built once: building a schema deep-copies its fields, which costs more than using it.
VISIT_PAYLOAD = VisitPayloadSchema()


@dataclass
class Receipt:
    visit_id: object
    version: int
    received_at: object
    complete: bool
    missing_photos: list
    review_status: str
    review_comment: object


def content_sha256(raw_payload):
    """The same content always hashes the same, whatever the key order or spacing."""
    content = {key: value for key, value in raw_payload.items() if key != "base_version"}
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def ingest_visit(user, visit_uuid, body):
    """Store a visit sent by `user` as `body`, the JSON the phone sent. Returns (receipt, created: bool).
    The body is validated here, once: marshmallow, then the form checker on the body itself. What is
    stored (answers, manifest, content hash) is the body as sent."""
    payload = VISIT_PAYLOAD.load(body)
    _check_not_in_future(payload["visit_date"])
    digest = content_sha256(body)
    hold_visit_uuid(visit_uuid)
    visit = find_own_visit(user, visit_uuid)
    if visit is not None:
        same = next((v for v in visit.versions if v.content_sha256 == digest), None)
        if same is not None:
            return receipt_for(visit, same), False
        if payload["base_version"] != visit.current_version:
            raise Refused("visit_version_conflict", details={
                "current_version": visit.current_version, "stored": stored_version(visit)})
    placement, provider_id, school_id = _resolve_subject(user, payload, visit)
    _check_against_form(payload, body)
    now = utcnow()
    if visit is None:
        return _store_new_visit(user, visit_uuid, payload, body, digest, placement, provider_id, school_id, now), True
    if payload["kind"] != visit.kind or school_id != visit.school_id:
        raise Refused("validation_failed", details={"kind": ["A correction keeps the kind and subject of the visit."]})
    # Look everything up before adding anything, so the session flushes (and takes the change
    # counter) once, at the end.
    with db.session.no_autoflush:
        previous = visit.versions[-1]
        visit.current_version += 1
        visit.visit_date = payload["visit_date"]
        visit.review_status = "awaiting_review"  # a correction goes back for review
        version = VisitVersion(
            visit=visit, version=visit.current_version, replaces_id=previous.id,
            form_id=payload["form_id"], form_version=payload["form_version"], mode=payload["mode"],
            visit_date=payload["visit_date"], answers=body["answers"],
            photo_manifest=body.get("photos") or [], author_id=user.id,
            device_started_at=payload["started_at"], device_completed_at=payload["completed_at"],
            received_at=now, content_sha256=digest)
        db.session.add(version)
        manifest_photos = _add_photos(visit, payload["photos"])
        _add_actions(visit, payload["actions"])
        if payload["concern"] is not None:
            _add_concern(user, visit.id, visit.uuid, visit.school_id, visit.placement, payload["concern"])
        completeness.settle(visit, now, manifest_photos)
        audit.record("visit.revised", visit, version=visit.current_version)
    db.session.flush()
    return receipt_for(visit, version), True


def _store_new_visit(user, visit_uuid, payload, body, digest, placement, provider_id, school_id, now):
    """A visit the server has not seen, which is what nearly every PUT is: its rows written with
    SQLAlchemy Core in the request's transaction, without the ORM's per-object bookkeeping (the
    flush was a third of a PUT's CPU). The same rows, constraints and audit entry as a flush
    would write, and one change number for all of them. Returns the receipt: nothing of the new
    visit's photos is stored yet, so it is complete only without photos."""
    manifest, actions = payload["photos"], payload["actions"]
    # A photo or action UUID already held belongs to another visit.
    _refuse_taken(Photo, "photo", manifest)
    _refuse_taken(FollowUpAction, "action", actions)
    complete = not manifest
    visit_id, seq = db.session.execute(sa.insert(Visit.__table__).values(
        uuid=visit_uuid, school_id=school_id, kind=payload["kind"], placement_id=placement.id if placement else None,
        provider_id=provider_id, author_id=user.id, visit_date=payload["visit_date"], current_version=1,
        received_at=now, complete=complete, completed_at=now if complete else None, review_status="awaiting_review",
        created_at=now, updated_at=now, change_seq=change_number_for_insert(db.session),
    ).returning(Visit.__table__.c.id, Visit.__table__.c.change_seq)).one()
    db.session.execute(sa.insert(VisitVersion.__table__).values(
        visit_id=visit_id, version=1, replaces_id=None, form_id=payload["form_id"],
        form_version=payload["form_version"], mode=payload["mode"], visit_date=payload["visit_date"],
        answers=body["answers"], photo_manifest=body.get("photos") or [], author_id=user.id,
        device_started_at=payload["started_at"], device_completed_at=payload["completed_at"], received_at=now,
        content_sha256=digest))
    if manifest:
        db.session.execute(sa.insert(Photo.__table__), [dict(
            uuid=entry["uuid"], visit_id=visit_id, item_key=entry["item_key"], caption=entry["caption"],
            declared_sha256=entry["sha256"], declared_size=entry["size"], media_type=entry["type"],
            created_at=now, updated_at=now, change_seq=seq) for entry in manifest])
    if actions:
        db.session.execute(sa.insert(FollowUpAction.__table__), [dict(
            uuid=entry["uuid"], school_id=school_id, placement_id=placement.id if placement else None,
            provider_id=provider_id, visit_id=visit_id, description=entry["description"],
            owner_name=entry["owner_name"], due_on=entry["due_on"], created_at=now, updated_at=now,
            change_seq=seq) for entry in actions])
    audit.insert_entry("visit.created", Visit.__tablename__, visit_uuid, school_id, user, {"version": 1})
    if payload["concern"] is not None:
        _add_concern(user, visit_id, visit_uuid, school_id, placement, payload["concern"])
        db.session.flush()
    return Receipt(visit_id=visit_uuid, version=1, received_at=now, complete=complete,
                   missing_photos=sorted(str(entry["uuid"]) for entry in manifest),
                   review_status="awaiting_review", review_comment=None)


def _refuse_taken(model, name, entries):
    if not entries:
        return
    taken = db.session.execute(
        sa.select(model.uuid).where(model.uuid.in_([entry["uuid"] for entry in entries])).limit(1)).scalar()
    if taken is not None:
        raise Refused("conflict", details={name: str(taken)})


def _check_not_in_future(visit_date):
    """A visit dated ahead of England's today would count towards a deadline that has not yet
    come (a review meeting "held" next month clearing this half term's review)."""
    today = school_today()
    if visit_date > today:
        raise Refused("visit_date_in_future", details={"visit_date": visit_date.isoformat(),
                                                        "today": today.isoformat()})


def hold_visit_uuid(visit_uuid):
    """Let one request at a time work on a visit UUID, until its transaction ends. Two phones (or
    one phone retrying) racing on a new visit then queue: the second finds the first's rows and
    answers as an identical resend. SQLite needs nothing here: write requests begin with
    BEGIN IMMEDIATE, which already lets one writer in at a time."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"),
                           {"key": f"visit:{visit_uuid}"})


def find_own_visit(user, visit_uuid):
    """The user's own visit, or None if it does not exist. Someone else's visit answers 404."""
    visit = db.session.execute(sa.select(Visit).where(Visit.uuid == visit_uuid)).scalar_one_or_none()
    if visit is not None and visit.author_id != user.id:
        raise Refused("not_found")
    return visit


DISCARDED_ON_PHONE = "visit.discarded_on_phone"


def log_discarded_visits(user, visit_uuids, confirmed_at):
    """Log, once each, the visits `user` chose to discard on their phone. Most never reached the
    server (drafts), so for those the phone's word is all there is; a visit the server holds
    is logged only if `user` wrote it: nobody discards another person's visit. Returns how
    many were logged."""
    wanted = list(dict.fromkeys(visit_uuids))
    held = {visit.uuid: visit for visit in db.session.execute(
        sa.select(Visit).where(Visit.uuid.in_(wanted))).scalars()}
    already = set(db.session.execute(sa.select(AuditEvent.object_id).where(
        AuditEvent.action == DISCARDED_ON_PHONE, AuditEvent.object_type == Visit.__tablename__,
        AuditEvent.object_id.in_([str(visit_uuid) for visit_uuid in wanted]))).scalars())
    logged = 0
    for visit_uuid in wanted:
        visit = held.get(visit_uuid)
        if str(visit_uuid) in already or (visit is not None and visit.author_id != user.id):
            continue
        details = {"visit": str(visit_uuid), "confirmed_at": confirmed_at.isoformat(), "held_by_server": bool(visit)}
        if visit is None:
            audit.record_unheld(DISCARDED_ON_PHONE, Visit.__tablename__, visit_uuid, actor=user, **details)
        else:
            audit.record(DISCARDED_ON_PHONE, visit, actor=user, **details)
        logged += 1
    return logged


def _resolve_subject(user, payload, visit):
    """The placement (or, for a provider check, the provider) visited, within the user's schools:
    (placement or None, provider id or None, school id). A new visit, or a correction that moves
    to another placement, must be one its author may send (bootstrap.refusal_to_send)."""
    schools = schools_where(user, "phone.use")
    placement = provider = None
    if payload["placement_id"] is not None:
        # The placement and whether this person's phone carries it, in one statement.
        placement, carried = db.session.execute(
            sa.select(Placement, carried_by(user)).where(Placement.uuid == payload["placement_id"])
        ).first() or (None, None)
        if placement is None or placement.school_id not in schools:
            raise Refused("not_found", details={"placement_id": str(payload["placement_id"])})
        refusal = None if visit is not None and visit.placement_id == placement.id else (
            refusal_to_send(user, placement, payload["visit_date"], carried=bool(carried)))
        if refusal:
            raise Refused(refusal, details={"placement_id": str(payload["placement_id"])})
    if payload["provider_id"] is not None:
        provider = db.session.execute(
            sa.select(Provider).where(Provider.uuid == payload["provider_id"])).scalar_one_or_none()
        if provider is None or provider.school_id not in schools:
            raise Refused("not_found", details={"provider_id": str(payload["provider_id"])})
        if placement is not None and placement.provider_id != provider.id:
            raise Refused("validation_failed", details={"provider_id": ["Not the placement's provider."]})
    if placement is not None:
        return placement, placement.provider_id, placement.school_id
    return None, provider.id, provider.school_id


def _check_against_form(payload, body):
    form = get_form(payload["form_id"], payload["form_version"])
    if form is None:
        raise Refused("unknown_form", details={"form_id": payload["form_id"], "form_version": payload["form_version"]})
    # The body as sent is already the shape the form checker reads (the phone runs the same checker).
    errors = check_answers(form, body)
    if errors:
        raise Refused("form_answers_invalid", details={"errors": errors})


def _add_photos(visit, manifest):
    """The manifest's photos, new rows added; returns them all."""
    existing = _by_uuid(Photo, [entry["uuid"] for entry in manifest])
    photos = []
    for entry in manifest:
        photo = existing.get(entry["uuid"])
        if photo is None:
            photo = Photo(uuid=entry["uuid"], visit=visit, item_key=entry["item_key"], caption=entry["caption"],
                          declared_sha256=entry["sha256"], declared_size=entry["size"], media_type=entry["type"])
            db.session.add(photo)
        elif photo.visit_id != visit.id or photo.declared_sha256 != entry["sha256"]:
            raise Refused("conflict", details={"photo": str(entry["uuid"])})
        else:
            photo.caption = entry["caption"]
            photo.item_key = entry["item_key"]
        photos.append(photo)
    return photos


def _add_actions(visit, actions):
    existing = _by_uuid(FollowUpAction, [entry["uuid"] for entry in actions])
    for entry in actions:
        action = existing.get(entry["uuid"])
        if action is None:
            db.session.add(FollowUpAction(
                uuid=entry["uuid"], school_id=visit.school_id, placement=visit.placement,
                provider_id=visit.provider_id, visit=visit,
                description=entry["description"], owner_name=entry["owner_name"], due_on=entry["due_on"]))
        elif action.visit_id != visit.id:
            raise Refused("conflict", details={"action": str(entry["uuid"])})


def _add_concern(user, visit_id, visit_uuid, school_id, placement, entry):
    concern = db.session.execute(
        sa.select(SafeguardingConcern).where(SafeguardingConcern.uuid == entry["uuid"])).scalar_one_or_none()
    if concern is None:
        concern = SafeguardingConcern(
            uuid=entry["uuid"], school_id=school_id, visit_id=visit_id, placement=placement,
            pupil_id=placement.pupil_id if placement else None, raised_by_id=user.id,
            raised_at_device=entry["raised_at"], received_at=utcnow(), text=entry["text"],
            immediate_action=entry["immediate_action"])
        db.session.add(concern)
        audit.record("concern.raised", concern, visit=str(visit_uuid))
        alerts.concern_raised(concern, user)
    elif concern.visit_id != visit_id:
        raise Refused("conflict", details={"concern": str(entry["uuid"])})
    elif entry["text"] != concern.text and not any(n.kind == "correction" and n.text == entry["text"]
                                                   for n in concern.notes):
        # The concern's text is never edited: a changed text arrives as a correction.
        db.session.add(ConcernNote(concern=concern, author_id=user.id, kind="correction", text=entry["text"]))
        audit.record("concern.corrected", concern, visit=str(visit_uuid))


def _by_uuid(model, uuids):
    if not uuids:
        return {}
    rows = db.session.execute(sa.select(model).where(model.uuid.in_(uuids))).scalars()
    return {row.uuid: row for row in rows}


def receipt_for(visit, version=None):
    version = version or visit.versions[-1]
    return Receipt(visit_id=visit.uuid, version=version.version, received_at=version.received_at,
                   complete=visit.complete, missing_photos=completeness.missing_photos(visit),
                   review_status=visit.review_status, review_comment=visit.review_comment)


def stored_version(visit):
    version = visit.versions[-1]
    return {"version": version.version, "form_id": version.form_id, "form_version": version.form_version,
            "mode": version.mode, "visit_date": version.visit_date.isoformat(), "answers": version.answers,
            "photos": version.photo_manifest, "content_sha256": version.content_sha256,
            "received_at": version.received_at.isoformat()}
