"""Fixtures for the office review pages: the demo trust, a phone signed in as the demo's
visiting staff member, and office clients signed in by role."""
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


@pytest.fixture
def office_as(app, demo):
    """office_as("dsl") → an OfficeClient signed in as that Riverside role (or school=...)."""
    from tests.conftest import OfficeClient

    def sign_in(role, school="riverside"):
        client = OfficeClient(app.test_client())
        response = client.sign_in(demo.email(role, school))
        assert response.status_code == 302, response.get_data(as_text=True)
        return client
    return sign_in


def audit_actions(action, object_id=None):
    query = sa.select(AuditEvent).where(AuditEvent.action == action)
    if object_id is not None:
        query = query.where(AuditEvent.object_id == str(object_id))
    return db.session.execute(query).scalars().all()
