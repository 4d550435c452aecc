"""Writes to the append-only audit log. Call it in the same transaction as the change it
describes, so the log and the data never disagree.

Callers pass the person acting (`actor=`) when they know it. Otherwise the entry names whoever
the request being served is signed in as, with its address: the web layer tells this module how
to ask (`read_request_with`, set by server/security.py), so no service reads request globals."""
import sqlalchemy as sa

from server.extensions import db
from server.models import AuditEvent


def _outside_a_request(want_person):
    return None, None


# (want_person) -> (the signed-in person or None, the request's address or None)
_request_source = _outside_a_request


def read_request_with(source):
    """Use `source(want_person)` for the person and address of the request being served."""
    global _request_source
    _request_source = source


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
    person, address = _request_source(actor is None)
    actor = actor if actor is not None else person
    return dict(actor_id=actor.id if actor is not None else None, school_id=school_id, action=action,
                object_type=object_type, object_id=str(object_id), details=details, ip_address=address)
