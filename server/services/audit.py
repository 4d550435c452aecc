"""Writes to the append-only audit log. Call it in the same transaction as the change it
describes, so the log and the data never disagree."""
import sqlalchemy as sa
from flask import has_request_context, request
from flask_login import current_user

from server.extensions import db
from server.models import AuditEvent


def record(action, obj, school_id=None, actor=None, **details):
    """Log `action` ("visit.created", "concern.read", ...) on `obj` (a model with a uuid or id)."""
    object_id = getattr(obj, "uuid", None) or getattr(obj, "id", None)
    _add(action, type(obj).__tablename__, object_id,
         school_id if school_id is not None else getattr(obj, "school_id", None), actor, details)


def record_unheld(action, object_type, object_uuid, school_id=None, actor=None, **details):
    """Log `action` on a record the server never held, named by the UUID its phone made (a visit
    discarded on the phone before it was sent)."""
    _add(action, object_type, object_uuid, school_id, actor, details)


def insert_entry(action, object_type, object_id, school_id, actor, details):
    """Log `action` with one INSERT now, in the session's transaction, for a change written with
    SQLAlchemy Core (services/sync.py) rather than added to the session."""
    db.session.execute(sa.insert(AuditEvent.__table__).values(**_entry(action, object_type, object_id, school_id,
                                                                       actor, details)))


def _add(action, object_type, object_id, school_id, actor, details):
    db.session.add(AuditEvent(**_entry(action, object_type, object_id, school_id, actor, details)))


def _entry(action, object_type, object_id, school_id, actor, details):
    if actor is None and has_request_context() and current_user.is_authenticated:
        actor = current_user
    return dict(actor_id=actor.id if actor is not None else None, school_id=school_id, action=action,
                object_type=object_type, object_id=str(object_id), details=details,
                ip_address=request.remote_addr if has_request_context() else None)
