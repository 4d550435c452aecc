"""The DSL's queue of safeguarding concerns (§4.4). A concern is in the queue from the moment
the visit that raised it lands (the ingest creates the row; the queue is a query) until the
DSL records what was done. The concern's text is never edited: notes, corrections and the
DSL's actions are new entries.

No Flask request globals; callers pass the person and the time. Nothing here commits.
"""
import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from server.extensions import db
from server.models import AuditEvent, ConcernNote, Placement, SafeguardingConcern, User, Visit
from server.services import audit
from server.services.refusal import Refused
from server.services.row_locks import locked

NOTE_KINDS = {"note": "Note", "dsl_action": "Action taken by the DSL", "correction": "Correction"}
# Entries the record writes itself when the concern changes state; nobody types them as notes.
STATE_KINDS = {"closed": "Closed with this outcome", "reopened": "Reopened"}
ENTRY_KINDS = {**NOTE_KINDS, **STATE_KINDS}
TEXT_MAX_LENGTH = 4000
RECENTLY_CLOSED = 20


# What the queue and a concern's page read of a concern, loaded with it
# (security.in_school_or_404 takes these).
CONCERN_LOAD = (selectinload(SafeguardingConcern.pupil), selectinload(SafeguardingConcern.raised_by),
                selectinload(SafeguardingConcern.notes),
                selectinload(SafeguardingConcern.visit).selectinload(Visit.provider),
                selectinload(SafeguardingConcern.placement).selectinload(Placement.provider))


def _with_context(query):
    return query.options(*CONCERN_LOAD)


def queue_query(school_id, closed=False):
    """The school's open (or closed) concerns with what the queue shows of each, unordered: the
    caller pages them, open ones oldest first (OPEN_ORDER), closed ones latest closed first."""
    return _with_context(sa.select(SafeguardingConcern).where(
        SafeguardingConcern.school_id == school_id,
        SafeguardingConcern.closed_at.is_not(None) if closed else SafeguardingConcern.closed_at.is_(None)))


OPEN_ORDER = (SafeguardingConcern.received_at, SafeguardingConcern.id)
CLOSED_ORDER = (SafeguardingConcern.closed_at.desc(), SafeguardingConcern.id.desc())


def recently_closed(school_id, limit=RECENTLY_CLOSED):
    return db.session.execute(queue_query(school_id, closed=True).order_by(*CLOSED_ORDER).limit(limit)).scalars().all()


def open_count(school_id):
    return db.session.execute(
        sa.select(sa.func.count()).select_from(SafeguardingConcern)
        .where(SafeguardingConcern.school_id == school_id, SafeguardingConcern.closed_at.is_(None))).scalar()


def people_by_id(ids):
    ids = sorted({i for i in ids if i is not None})
    if not ids:
        return {}
    return {user.id: user for user in db.session.execute(sa.select(User).where(User.id.in_(ids))).scalars()}


def escalations(concern):
    """When the concern was escalated for want of the DSL opening it, and who was told."""
    return db.session.execute(sa.select(AuditEvent).where(
        AuditEvent.action == "concern.escalated", AuditEvent.object_type == SafeguardingConcern.__tablename__,
        AuditEvent.object_id == str(concern.uuid)).order_by(AuditEvent.at)).scalars().all()


def record_read(concerns, reader, where):
    """Every read of a concern is in the audit log, with the page it was read on."""
    for concern in concerns:
        audit.record("concern.read", concern, actor=reader, page=where)


def add_note(concern, author, kind, text, now):
    if kind not in NOTE_KINDS:
        raise Refused("validation_failed", "Choose what kind of entry this is.", field="kind")
    text = _clean(text, "Write the note.")
    note = ConcernNote(concern_id=concern.id, author_id=author.id, kind=kind, text=text, created_at=now)
    db.session.add(note)
    db.session.flush()
    audit.record("concern.note_added", concern, actor=author, kind=kind, note=str(note.uuid))
    return note


def close(concern, dsl, outcome, now):
    """Record what was done and take the concern out of the queue."""
    concern = locked(concern)
    if concern.closed_at is not None:
        raise Refused("already_done", "This concern is already closed.")
    concern.outcome = _clean(outcome, "Write what was done: the outcome is the record of the DSL's decision.",
                             field="outcome")
    concern.closed_at = now
    concern.closed_by_id = dsl.id
    audit.record("concern.closed", concern, actor=dsl)
    return concern


def reopen(concern, dsl, reason, now):
    """Put a closed concern back in the queue, with the reason. Nothing is edited: the outcome it
    was closed with stays in its record as an entry of its own, and the reopening is another."""
    concern = locked(concern)
    if concern.closed_at is None:
        raise Refused("already_done", "This concern is open already.")
    reason = _clean(reason, "Say why the concern is reopened: it is part of the record.", field="reason")
    db.session.add(ConcernNote(concern_id=concern.id, author_id=concern.closed_by_id, kind="closed",
                               text=concern.outcome, created_at=concern.closed_at))
    db.session.add(ConcernNote(concern_id=concern.id, author_id=dsl.id, kind="reopened", text=reason, created_at=now))
    concern.closed_at = concern.closed_by_id = concern.outcome = None
    audit.record("concern.reopened", concern, actor=dsl, reason=reason)
    return concern


def _clean(text, missing_message, field="text"):
    text = (text or "").strip()
    if not text:
        raise Refused("validation_failed", missing_message, field=field)
    if len(text) > TEXT_MAX_LENGTH:
        raise Refused("validation_failed", f"Keep it under {TEXT_MAX_LENGTH} characters.", field=field)
    return text
