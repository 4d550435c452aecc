"""Follow-up actions (§8.6): what must happen next, who owns it, by when. Actions arrive with
visits; the office marks them done.

No Flask request globals; callers pass the person and the time. Nothing here commits.
"""
import sqlalchemy as sa

from server.extensions import db
from server.models import FollowUpAction
from server.services import audit
from server.services.refusal import Refused
from server.services.row_locks import locked

# Staff who keep the records may mark an action done; trust leads only read.
NOTE_MAX_LENGTH = 2000


def open_provider_actions(provider_ids):
    """Open actions about providers themselves (from provider checks), by provider id."""
    if not provider_ids:
        return {}
    rows = db.session.execute(
        sa.select(FollowUpAction).where(FollowUpAction.provider_id.in_(provider_ids),
                                        FollowUpAction.placement_id.is_(None), FollowUpAction.done_at.is_(None))
        .order_by(FollowUpAction.due_on)).scalars()
    by_provider = {}
    for action in rows:
        by_provider.setdefault(action.provider_id, []).append(action)
    return by_provider


def mark_done(action, user, note, now):
    action = locked(action)
    if action.done_at is not None:
        raise Refused("already_done", "This action is already marked done.")
    note = (note or "").strip() or None
    if note and len(note) > NOTE_MAX_LENGTH:
        raise Refused("validation_failed", f"Keep the note under {NOTE_MAX_LENGTH} characters.", field="note")
    action.done_at = now
    action.done_by_id = user.id
    action.done_note = note
    audit.record("action.done", action, actor=user, note=note)
    return action
