"""The change cursor with writers in flight at once (PostgreSQL: SQLite serialises writes).
Change numbers come from a sequence that never locks, so they are taken in one order and may
commit in another; a phone's cursor must still never pass over a change it has not seen."""
import threading
import time

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from server.extensions import db
from server.models import KeyContact
from server.services import bootstrap
from tests.conftest import ON_POSTGRES

pytestmark = pytest.mark.skipif(not ON_POSTGRES, reason="SQLite lets one writer in at a time")


def _contacts(demo):
    """Two of Riverside's key contacts, by id."""
    return db.session.execute(sa.select(KeyContact.id).where(
        KeyContact.school_id == demo.school("riverside").id).order_by(KeyContact.id).limit(2)).scalars().all()


def _change_phone(session, contact_id, phone):
    """Change a key contact the way a request does: through the ORM, which numbers the change."""
    contact = session.get(KeyContact, contact_id)
    contact.phone = phone
    session.flush()
    return contact.change_seq


def test_writers_number_their_changes_without_queueing_on_each_other(app, demo):
    first_id, second_id = _contacts(demo)
    db.session.commit()
    first, second = Session(db.engine), Session(db.engine)
    try:
        held = _change_phone(first, first_id, "01632 960101")  # in flight until the end of the test
        second.execute(sa.text("SET LOCAL lock_timeout = '2s'"))
        started = time.monotonic()
        taken = _change_phone(second, second_id, "01632 960102")
        second.commit()
        assert time.monotonic() - started < 1.0
        assert taken > held
    finally:
        first.rollback()
        first.close()
        second.close()


def test_a_phone_never_misses_a_change_that_commits_after_a_higher_numbered_one(app, api, demo, monkeypatch):
    api.sign_in(demo.email("visiting_staff"))
    cursor_read = threading.Event()
    read_cursor = bootstrap.change_cursor

    def change_cursor(user):
        cursor = read_cursor(user)
        cursor_read.set()
        return cursor

    monkeypatch.setattr(bootstrap, "change_cursor", change_cursor)
    slow_id, fast_id = _contacts(demo)
    db.session.commit()
    slow, fast = Session(db.engine), Session(db.engine)
    pulled = {}

    def pull():
        with app.app_context():
            pulled.update(api.get("/api/bootstrap").get_json())

    try:
        slow_seq = _change_phone(slow, slow_id, "01632 960201")
        fast.execute(sa.text("SET LOCAL lock_timeout = '2s'"))
        fast_seq = _change_phone(fast, fast_id, "01632 960202")
        fast.commit()
        assert fast_seq > slow_seq  # the lower number is still in flight
        phone = threading.Thread(target=pull)
        phone.start()
        # The phone has read its cursor while the lower-numbered change has not committed.
        assert cursor_read.wait(timeout=10)
        time.sleep(0.1)
        slow.commit()
        phone.join(timeout=10)
    finally:
        slow.rollback()
        slow.close()
        fast.close()
    assert pulled, "the pull did not answer"
    phones = {c["phone"] for school in pulled["schools"] for c in school["key_contacts"]}
    again = api.get(f"/api/bootstrap?since={pulled['cursor']}&due_as_of={pulled['due_as_of']}").get_json()
    assert "01632 960201" in phones or again["unchanged"] is False, "the phone passed over a change"
    assert "01632 960202" in phones


def test_a_quiet_database_still_answers_unchanged(app, api, demo):
    api.sign_in(demo.email("visiting_staff"))
    first = api.get("/api/bootstrap").get_json()
    again = api.get(f"/api/bootstrap?since={first['cursor']}&due_as_of={first['due_as_of']}").get_json()
    assert again["unchanged"] is True and again["cursor"] == first["cursor"]
