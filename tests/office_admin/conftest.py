"""Helpers for the school-administration tests: signing in by role, and proving a refused
request changed nothing anywhere in the database."""
import re

import pytest
import sqlalchemy as sa

from server.extensions import db


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


@pytest.fixture
def office_as(office, demo):
    """An office client signed in as `role` of `school` (demo accounts)."""
    def sign_in(role, school="riverside"):
        response = office.sign_in(demo.email(role, school))
        assert response.status_code == 302, response.data[:300]
        return office
    return sign_in


@pytest.fixture
def api_as(make_api, demo):
    def sign_in(role, school="riverside"):
        client = make_api()
        assert client.sign_in(demo.email(role, school)).status_code == 200
        return client
    return sign_in


def page_text(response):
    """The visible text of an HTML answer, whitespace squashed, for `in` checks."""
    html = response.get_data(as_text=True)
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()
