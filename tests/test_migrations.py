"""Migrations are code: `upgrade head` builds exactly the models' schema, and every revision
goes down and up again cleanly, on the database under test."""
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade

from server import create_app
from server.extensions import db
from tests.conftest import scratch_database


@pytest.fixture
def empty_database(tmp_path):
    """A second, empty database beside the one under test."""
    with scratch_database(tmp_path, "migrations") as url:
        yield url


@pytest.fixture
def migrating_app(empty_database, tmp_path):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": empty_database, "DATA_DIR": str(tmp_path)})
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def _differences():
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def _revisions(app):
    config = app.extensions["migrate"].migrate.get_config()
    return list(reversed(list(ScriptDirectory.from_config(config).walk_revisions())))


def test_upgrade_head_builds_exactly_the_models_schema(migrating_app):
    upgrade()
    assert _differences() == []


def test_every_revision_goes_down_and_up_again(migrating_app):
    upgrade()
    for revision in reversed(_revisions(migrating_app)):
        downgrade(revision=revision.down_revision or "base")
    assert sa.inspect(db.engine).get_table_names() in ([], ["alembic_version"])
    for revision in _revisions(migrating_app):
        upgrade(revision=revision.revision)
    assert _differences() == []


def test_the_audit_log_refuses_updates_and_deletes_after_migrating(migrating_app):
    upgrade()
    with db.engine.begin() as connection:
        connection.execute(sa.text(
            "INSERT INTO audit_event (at, action, object_type, object_id, details) "
            "VALUES (CURRENT_TIMESTAMP, 'test', 'thing', '1', '{}')"))
    for statement in ("UPDATE audit_event SET action = 'rewritten'", "DELETE FROM audit_event"):
        with pytest.raises(sa.exc.DatabaseError):
            with db.engine.begin() as connection:
                connection.execute(sa.text(statement))


def test_upgrading_seals_every_stored_totp_secret_and_downgrading_opens_it(migrating_app):
    from server.services import sealed_secrets
    from server.services.second_factor import DEMO_TOTP_SECRET
    upgrade(revision="7d3e9a1c5b20")  # before secrets were sealed
    with db.engine.begin() as connection:
        connection.execute(sa.text(
            "INSERT INTO user_account (uuid, email, full_name, password_hash, active, failed_logins, offline_key, "
            "totp_secret, created_at, updated_at, change_seq) VALUES ('0b4c41b2a3c64b6f9f3b1d2e3f4a5b6c', "
            "'dsl@example.org', 'A DSL', 'x', :true, 0, 'k', :secret, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 0)"),
            {"secret": DEMO_TOTP_SECRET, "true": True})
    upgrade(revision="8f4c2b7a9d13")
    stored = db.session.execute(sa.text("SELECT totp_secret FROM user_account")).scalar_one()
    assert DEMO_TOTP_SECRET not in stored and sealed_secrets.is_sealed(stored)
    assert sealed_secrets.unseal(stored) == DEMO_TOTP_SECRET
    db.session.rollback()
    downgrade(revision="7d3e9a1c5b20")
    assert db.session.execute(sa.text("SELECT totp_secret FROM user_account")).scalar_one() == DEMO_TOTP_SECRET
    db.session.rollback()
