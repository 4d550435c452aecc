"""Setting up a real school from an empty database: `create-school`, then `create-user`, then the
AP leader signs in and sees their school; and demo data never reaches a production database."""
import os
import subprocess
import sys

import pytest
import sqlalchemy as sa

from server import create_app
from server.extensions import db
from server.models import AuditEvent, School, Trust
from tests.conftest import PROJECT_ROOT, ApiClient, OfficeClient, scratch_database

PASSWORD = "a-long-enough-password"


def create_school(app, *args):
    return app.test_cli_runner().invoke(args=["create-school", *args])


def school_count():
    return db.session.execute(sa.select(sa.func.count()).select_from(School)).scalar()


def test_create_school_makes_the_school_and_its_trust_and_logs_it(app):
    result = create_school(app, "--urn", "137654", "--name", "Brook Lane Academy",
                           "--local-authority", "Northshire County Council", "--trust", "Brook Trust", "--new-trust",
                           "--la-email", "ap@northshire.example")
    assert result.exit_code == 0, result.output
    school = db.session.execute(sa.select(School).where(School.urn == "137654")).scalar_one()
    assert (school.name, school.local_authority, school.trust.name, school.la_notifications_email) == (
        "Brook Lane Academy", "Northshire County Council", "Brook Trust", "ap@northshire.example")
    assert db.session.execute(sa.select(AuditEvent.action).where(AuditEvent.school_id == school.id)).scalars().all() \
        == ["school.created"]


def test_creating_the_same_school_again_changes_nothing(app):
    args = ["--urn", "137654", "--name", "Brook Lane Academy", "--local-authority", "Northshire County Council"]
    assert create_school(app, *args).exit_code == 0
    again = create_school(app, *args)
    assert again.exit_code == 0, again.output
    assert "already exists, unchanged" in again.output
    assert school_count() == 1
    assert db.session.execute(sa.select(sa.func.count()).select_from(AuditEvent)).scalar() == 1


@pytest.mark.parametrize("changed", [["--name", "Brook Lane School"], ["--local-authority", "Westvale"],
                                     ["--trust", "Another Trust"]])
def test_the_same_urn_with_other_details_is_refused_and_nothing_changes(app, changed):
    base = {"--urn": "137654", "--name": "Brook Lane Academy", "--local-authority": "Northshire County Council"}
    assert create_school(app, *[part for pair in base.items() for part in pair]).exit_code == 0
    asked = {**base, changed[0]: changed[1]}
    result = create_school(app, *[part for pair in asked.items() for part in pair])
    assert result.exit_code != 0
    assert "[school_exists]" in result.output
    school = db.session.execute(sa.select(School)).scalar_one()
    assert (school.name, school.local_authority, school.trust) == ("Brook Lane Academy", "Northshire County Council",
                                                                  None)
    assert db.session.execute(sa.select(sa.func.count()).select_from(Trust)).scalar() == 0


@pytest.mark.parametrize("urn", ["13765", "1376540", "13765A", "", " 137654", "١٣٧٦٥٤"])
def test_a_urn_that_is_not_six_digits_is_refused(app, urn):
    result = create_school(app, "--urn", urn, "--name", "Brook Lane Academy", "--local-authority", "Northshire")
    assert result.exit_code != 0
    assert "[validation_failed]" in result.output and "urn" in result.output
    assert school_count() == 0


@pytest.mark.parametrize("field", ["--name", "--local-authority"])
def test_a_blank_name_or_local_authority_is_refused(app, field):
    values = {"--urn": "137654", "--name": "Brook Lane Academy", "--local-authority": "Northshire", field: "   "}
    result = create_school(app, *[part for pair in values.items() for part in pair])
    assert result.exit_code != 0 and "[validation_failed]" in result.output
    assert school_count() == 0


def test_several_schools_share_one_trust_named_in_any_case(app):
    for urn, name, trust, new in [("137654", "Brook Lane Academy", "Brook Trust", ["--new-trust"]),
                                  ("137655", "Ash Hill School", "brook trust", [])]:
        result = create_school(app, "--urn", urn, "--name", name, "--local-authority", "Northshire", "--trust", trust,
                               *new)
        assert result.exit_code == 0, result.output
    trust = db.session.execute(sa.select(Trust)).scalar_one()
    assert trust.name == "Brook Trust"
    assert [school.name for school in trust.schools] == ["Ash Hill School", "Brook Lane Academy"]


@pytest.mark.parametrize("args", [["seed-demo"], ["seed-demo", "--if-empty"]])
def test_a_production_deployment_never_gets_demo_data(database_uri, tmp_path, args):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_uri, "DATA_DIR": str(tmp_path),
                      "APP_ENV": "production"})
    with app.app_context():
        result = app.test_cli_runner().invoke(args=args)
        assert result.exit_code != 0
        assert "production" in result.output
        assert school_count() == 0
        db.engine.dispose()


def test_an_ap_leader_made_at_the_command_line_signs_in_and_sees_their_school(app):
    runner = app.test_cli_runner()
    assert create_school(app, "--urn", "137654", "--name", "Brook Lane Academy",
                         "--local-authority", "Northshire").exit_code == 0
    made = runner.invoke(args=["create-user", "--email", "lead@brooklane.example", "--name", "Ada Lead",
                               "--school-urn", "137654", "--role", "ap_leader"], input=f"{PASSWORD}\n{PASSWORD}\n")
    assert made.exit_code == 0, made.output
    api = ApiClient(app.test_client())
    assert api.sign_in("lead@brooklane.example", PASSWORD).status_code == 200
    assert [s["name"] for s in api.get("/api/bootstrap").get_json()["schools"]] == ["Brook Lane Academy"]
    office = OfficeClient(app.test_client())
    assert office.sign_in("lead@brooklane.example", PASSWORD).status_code == 302
    assert "Brook Lane Academy" in office.get("/office/").get_data(as_text=True)


def flask_command(database_url, data_dir, *args, stdin=None):
    """The real `flask --app server ...` a person types, in its own process and session (no
    terminal, so the password prompt reads standard input)."""
    env = dict(os.environ, DATABASE_URL=database_url, DATA_DIR=str(data_dir), APP_ENV="development")
    return subprocess.run([sys.executable, "-m", "flask", "--app", "server", *args], cwd=PROJECT_ROOT, env=env,
                          input=stdin, capture_output=True, text=True, timeout=120, start_new_session=True)


def test_the_readme_path_from_an_empty_database_to_a_signed_in_ap_leader(tmp_path):
    with scratch_database(tmp_path, "fresh_install") as url:
        steps = [
            ("db", "upgrade"),
            ("create-school", "--urn", "137654", "--name", "Brook Lane Academy",
             "--local-authority", "Northshire County Council", "--trust", "Brook Trust", "--new-trust"),
            ("create-user", "--email", "lead@brooklane.example", "--name", "Ada Lead", "--school-urn", "137654",
             "--role", "ap_leader"),
        ]
        for step in steps:
            done = flask_command(url, tmp_path, *step, stdin=f"{PASSWORD}\n{PASSWORD}\n")
            assert done.returncode == 0, done.stdout + done.stderr
        app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "DATA_DIR": str(tmp_path)})
        with app.app_context():
            api = ApiClient(app.test_client())
            assert api.sign_in("lead@brooklane.example", PASSWORD).status_code == 200
            snapshot = api.get("/api/bootstrap").get_json()
            assert [s["name"] for s in snapshot["schools"]] == ["Brook Lane Academy"]
            assert snapshot["placements"] == []
            db.session.remove()
            db.engine.dispose()


def test_a_trust_that_does_not_exist_is_refused_unless_asked_for(app):
    assert create_school(app, "--urn", "137654", "--name", "Brook Lane Academy", "--local-authority", "Northshire",
                         "--trust", "Brook Trust", "--new-trust").exit_code == 0
    misspelt = create_school(app, "--urn", "137655", "--name", "Ash Hill School", "--local-authority", "Northshire",
                             "--trust", "Brok Trust")
    assert misspelt.exit_code != 0 and "[unknown_trust]" in misspelt.output
    assert school_count() == 1
    assert db.session.execute(sa.select(sa.func.count()).select_from(Trust)).scalar() == 1
