"""Shared fixtures: an app on a fresh database per test (SQLite by default, PostgreSQL when
DATABASE_URL names one), the demo data, and a signed-in API client helper."""
import os
import shutil
import uuid as uuid_module

import pytest
import sqlalchemy as sa

from server import create_app
from server.config import load_config
from server.extensions import db, limiter

ON_POSTGRES = (os.environ.get("DATABASE_URL") or "").startswith(("postgres://", "postgresql"))


def database_url():
    return load_config()["SQLALCHEMY_DATABASE_URI"]


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    """A SQLite file with the schema, built once and copied for each test."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "TESTING": True})
    with app.app_context():
        db.create_all()
        db.engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_schema():
    app = create_app({"TESTING": True})
    with app.app_context():
        _drop_everything()
        db.create_all()
        db.engine.dispose()
    return database_url()


def _drop_everything():
    with db.engine.begin() as connection:
        connection.execute(sa.text("DROP SCHEMA public CASCADE"))
        connection.execute(sa.text("CREATE SCHEMA public"))


@pytest.fixture
def database_uri(request, tmp_path):
    if ON_POSTGRES:
        url = request.getfixturevalue("postgres_schema")
        engine = sa.create_engine(load_config()["SQLALCHEMY_DATABASE_URI"])
        with engine.begin() as connection:
            tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
            connection.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        engine.dispose()
        return load_config()["SQLALCHEMY_DATABASE_URI"]
    path = tmp_path / "test.sqlite3"
    shutil.copy(request.getfixturevalue("sqlite_template"), path)
    return f"sqlite:///{path}"


@pytest.fixture
def app(database_uri, tmp_path):
    app = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_uri,
        "PHOTO_DIR": str(tmp_path / "photos"),
        "DATA_DIR": str(tmp_path),
    })
    with app.app_context():
        limiter.reset()
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def demo(app):
    """The demo trust: two schools, every role, provider status, pupil flag and placement kind."""
    from server.demo import seed_demo
    seed_demo()
    db.session.commit()
    return DemoData()


class DemoData:
    """Look-ups into the seeded demo data by school key and role."""

    password = "demo-password-2026"
    schools = ("riverside", "hillcrest")

    def email(self, role, school="riverside"):
        return f"{role.replace('_', '.')}@{school}.example"

    def school(self, key="riverside"):
        from server.models import School
        name = {"riverside": "Riverside Academy", "hillcrest": "Hillcrest School"}[key]
        return db.session.execute(sa.select(School).where(School.name == name)).scalar_one()

    def user(self, role, school="riverside"):
        from server.models import User
        return db.session.execute(sa.select(User).where(User.email == self.email(role, school))).scalar_one()

    def placements(self, school="riverside"):
        from server.models import Placement
        return db.session.execute(sa.select(Placement).where(Placement.school_id == self.school(school).id)
                                  .order_by(Placement.id)).scalars().all()


class ApiClient:
    """A Flask test client that signs in like the PWA: fetch a CSRF token, sign in, send the
    token on every write."""

    def __init__(self, client):
        self.client = client
        self.csrf = None

    def sign_in(self, email, password="demo-password-2026"):
        self.csrf = self.client.get("/api/csrf").get_json()["csrf_token"]
        response = self.client.post("/api/session", json={"email": email, "password": password},
                                    headers={"X-CSRFToken": self.csrf})
        if response.status_code == 200:
            self.csrf = response.get_json()["csrf_token"]
        return response

    def open(self, method, path, **kwargs):
        headers = dict(kwargs.pop("headers", {}))
        if self.csrf and method.upper() not in ("GET", "HEAD"):
            headers.setdefault("X-CSRFToken", self.csrf)
        return self.client.open(path, method=method.upper(), headers=headers, **kwargs)

    def get(self, path, **kwargs):
        return self.open("GET", path, **kwargs)

    def post(self, path, **kwargs):
        return self.open("POST", path, **kwargs)

    def put(self, path, **kwargs):
        return self.open("PUT", path, **kwargs)

    def delete(self, path, **kwargs):
        return self.open("DELETE", path, **kwargs)


@pytest.fixture
def api(client):
    return ApiClient(client)


@pytest.fixture
def make_api(app):
    """A fresh, separate API client (its own cookies) per call."""
    return lambda: ApiClient(app.test_client())


def new_uuid():
    return str(uuid_module.uuid4())
