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


def test_upgrade_head_names_every_check_constraint_as_the_models_do(migrating_app):
    """compare_metadata does not compare CHECK constraints, and a later revision replaces one by
    its name."""
    upgrade()
    inspector = sa.inspect(db.engine)
    built = {(table, check["name"]) for table in inspector.get_table_names()
             for check in inspector.get_check_constraints(table)}
    modelled = {(table.name, constraint.name) for table in db.metadata.sorted_tables
                for constraint in table.constraints if isinstance(constraint, sa.CheckConstraint)}
    assert built == modelled


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

