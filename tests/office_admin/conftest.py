"""Helpers for the school-administration tests: signing in by role, and proving a refused
request changed nothing anywhere in the database."""
import hashlib
import html as html_module
import re
import secrets
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from server.extensions import db
from server.models import UserSession
from tests.conftest import ApiClient, OfficeClient


def database_state():
    """Every row of every table, so a test can show that nothing at all changed."""
    db.session.expire_all()
    state = {}
    for table in db.metadata.sorted_tables:
        rows = db.session.execute(sa.select(table)).all()
        state[table.name] = sorted(repr(tuple(row)) for row in rows)
    return state


@pytest.fixture
def unchanged():
    """`with unchanged(): ...` fails if the block changed any row (sign-in sessions aside)."""
    class Unchanged:
        def __enter__(self):
            self.before = database_state()

        def __exit__(self, *exc):
            if exc[0] is None:
                after = database_state()
                for name in self.before:
                    if name == "user_session":
                        continue
                    assert after[name] == self.before[name], f"table {name} changed"
            return False
    return Unchanged


def start_session(client, user):
    """Sign `user` in on a test client the way the sign-in form would leave it: a real
    user_session row and the cookie naming it. Skips only the (deliberately slow) password
    hash, so tables of roles × pages stay quick; the sign-in tests use the real form."""
    token = secrets.token_urlsafe(32)
    db.session.add(UserSession(token_sha256=hashlib.sha256(token.encode()).hexdigest(), user=user,
                               expires_at=datetime.now(timezone.utc) + timedelta(hours=1)))
    db.session.commit()
    with client.session_transaction() as session:
        session["_user_id"] = token
        session["_fresh"] = True


@pytest.fixture
def office_as(app, demo):
    """A fresh office client signed in as `role` of `school` (demo accounts)."""
    def sign_in(role, school="riverside"):
        client = OfficeClient(app.test_client())
        start_session(client.client, demo.user(role, school))
        return client
    return sign_in


@pytest.fixture
def api_as(app, demo):
    """A fresh API client signed in as `role` of `school`, with its CSRF token."""
    def sign_in(role, school="riverside"):
        client = ApiClient(app.test_client())
        start_session(client.client, demo.user(role, school))
        client.csrf = client.get("/api/me").get_json()["csrf_token"]
        return client
    return sign_in


def page_text(response):
    """The visible text of an HTML answer, whitespace squashed, for `in` checks."""
    html = response.get_data(as_text=True)
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", html_module.unescape(re.sub(r"<[^>]+>", " ", html))).strip()
