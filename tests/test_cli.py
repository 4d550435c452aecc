"""The command-line tasks: demo data with its history, and creating a real account."""
import sqlalchemy as sa

from server.extensions import db
from server.models import Membership, SafeguardingConcern, School, User, Visit
from server.services.accounts import password_matches


def test_seed_demo_builds_two_schools_with_every_role_and_a_working_history(app):
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert db.session.execute(sa.select(sa.func.count()).select_from(School)).scalar() == 2
    roles = set(db.session.execute(sa.select(Membership.school_id, Membership.role)).all())
    assert len(roles) == 16
    assert db.session.execute(sa.select(sa.func.count()).select_from(Visit)).scalar() > 10
    assert db.session.execute(sa.select(sa.func.count()).select_from(SafeguardingConcern)).scalar() == 2
    again = app.test_cli_runner().invoke(args=["seed-demo", "--if-empty"])
    assert again.exit_code == 0 and "not added" in again.output
    assert db.session.execute(sa.select(sa.func.count()).select_from(School)).scalar() == 2


def test_create_user_makes_an_account_with_roles_in_one_school(app, demo):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-user", "--email", "New.Person@Riverside.example", "--name", "New Person",
                                 "--school-urn", "990001", "--role", "dsl", "--role", "visiting_staff",
                                 "--password", "a-long-enough-password"])
    assert result.exit_code == 0, result.output
    user = db.session.execute(sa.select(User).where(User.email == "new.person@riverside.example")).scalar_one()
    assert {m.role for m in user.memberships} == {"dsl", "visiting_staff"}
    assert password_matches(user.password_hash, "a-long-enough-password")


def test_create_user_refuses_a_short_password_a_duplicate_and_an_unknown_school(app, demo):
    runner = app.test_cli_runner()
    base = ["create-user", "--name", "X", "--role", "dsl"]
    short = runner.invoke(args=base + ["--email", "x@riverside.example", "--school-urn", "990001", "--password", "short"])
    duplicate = runner.invoke(args=base + ["--email", "dsl@riverside.example", "--school-urn", "990001",
                                           "--password", "a-long-enough-password"])
    unknown = runner.invoke(args=base + ["--email", "y@riverside.example", "--school-urn", "000000",
                                         "--password", "a-long-enough-password"])
    assert short.exit_code != 0 and duplicate.exit_code != 0 and unknown.exit_code != 0
    assert db.session.execute(sa.select(sa.func.count()).select_from(User)).scalar() == 16
