"""Fixtures for the office review pages: a phone signed in as the demo's visiting staff member,
and audit look-ups. Office clients signed in by role are `office_as` in tests/conftest.py."""
import pytest
import sqlalchemy as sa

from server.extensions import db
from server.models import AuditEvent


@pytest.fixture
def phone(make_api, demo):
    """The visiting staff member's phone at Riverside, signed in through the API."""
    api = make_api()
    assert api.sign_in(demo.email("visiting_staff")).status_code == 200
    return api


def audit_actions(action, object_id=None):
    query = sa.select(AuditEvent).where(AuditEvent.action == action)
    if object_id is not None:
        query = query.where(AuditEvent.object_id == str(object_id))
    return db.session.execute(query).scalars().all()
