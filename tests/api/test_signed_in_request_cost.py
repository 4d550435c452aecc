"""What every signed-in request costs the database: one statement for the session, its person
and their roles; and a pooled connection that was dropped while idle never reaches a request."""
import pytest
import sqlalchemy as sa

from server import database
from server.extensions import db
from tests.conftest import ON_POSTGRES, reads, statements_sent


def test_the_session_person_and_roles_load_in_one_statement(api, demo):
    api.sign_in(demo.email("ap_leader"))
    with statements_sent() as statements:
        response = api.get("/api/me")
    selects = reads(statements)
    assert response.status_code == 200
    assert len([s for s in selects if "user_session" in s]) == 1
    assert not [s for s in selects if "membership" in s and "user_session" not in s]


@pytest.mark.skipif(not ON_POSTGRES, reason="SQLite has no connection to drop")
def test_a_connection_dropped_while_idle_is_replaced_before_a_request_uses_it(api, demo, monkeypatch):
    api.sign_in(demo.email("ap_leader"))
    assert api.get("/api/me").status_code == 200
    db.session.remove()
    monkeypatch.setattr(database, "IDLE_PING_SECONDS", 0)
    other = sa.create_engine(db.engine.url)
    with other.begin() as connection:
        dropped = connection.execute(sa.text(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()")).scalar()
    other.dispose()
    assert dropped >= 1
    assert api.get("/api/me").status_code == 200


def test_an_unchanged_bootstrap_reads_its_change_cursor_in_one_statement(api, demo):
    api.sign_in(demo.email("visiting_staff"))
    cursor = api.get("/api/bootstrap").get_json()
    with statements_sent() as statements:
        response = api.get(f"/api/bootstrap?since={cursor['cursor']}&due_as_of={cursor['due_as_of']}")
    selects = reads(statements)
    assert response.status_code == 200 and response.get_json()["unchanged"] is True
    assert len([s for s in selects if "max(" in s and "change_seq" in s]) == 1
