"""Fixtures for the office review pages: a phone signed in as the demo's visiting staff member,
and audit look-ups. Office clients signed in by role are `office_as` in tests/conftest.py."""
import pytest
import sqlalchemy as sa

from server.extensions import db
from server.models import AuditEvent


@pytest.fixture
def phone(staff):
    """The visiting staff member's phone at Riverside: `staff`, by the name these tests use."""
    return staff


def audit_actions(action, object_id=None):
    query = sa.select(AuditEvent).where(AuditEvent.action == action)
    if object_id is not None:
        query = query.where(AuditEvent.object_id == str(object_id))
    return db.session.execute(query).scalars().all()
