"""Helpers for the school-administration tests: proving a refused request changed nothing
anywhere in the database, and reading a page's visible text. Signing in by role is
`office_as`/`api_as` in tests/conftest.py."""
import html as html_module
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


def page_text(response):
    """The visible text of an HTML answer, whitespace squashed, for `in` checks."""
    html = response.get_data(as_text=True)
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", html_module.unescape(re.sub(r"<[^>]+>", " ", html))).strip()
