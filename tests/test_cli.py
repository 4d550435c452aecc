"""The command-line tasks: demo data with its history, and creating a real account."""
import pytest
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


def test_the_operator_resets_mfa_for_someone_with_no_second_senior_and_it_is_logged(app, demo):
    from server.models import AuditEvent, RecoveryCode, UserSession
    from server.services import second_factor
    from tests.conftest import start_session
    lead = demo.user("trust_lead")
    second_factor.new_recovery_codes(lead)
    db.session.commit()
    start_session(app.test_client(), lead)
    result = app.test_cli_runner().invoke(args=["reset-mfa", "Trust.Lead@Riverside.example", "--reason",
                                                "Lost phone; called back on the number in the staff record"])
    assert result.exit_code == 0, result.output
    assert "trust.lead@riverside.example" in result.output and "an authenticator app" in result.output and "10 unused recovery codes" in result.output
    db.session.expire_all()
    assert not second_factor.has_second_factor(lead)
    assert db.session.execute(sa.select(RecoveryCode).where(RecoveryCode.user_id == lead.id)).first() is None
    assert db.session.execute(sa.select(UserSession).where(UserSession.user_id == lead.id,
                                                           UserSession.ended_at.is_(None))).first() is None
    event = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "second_factor.reset")).scalar_one()
    assert event.actor_id is None and event.details["by"] == "operator" and event.details["operator"]
    assert event.details["reason"].startswith("Lost phone") and event.details["authenticator_app"] is True


def test_reset_mfa_refuses_an_unknown_email_and_a_missing_reason_and_changes_nothing(app, demo):
    from server.models import AuditEvent
    from server.services import second_factor
    runner = app.test_cli_runner()
    unknown = runner.invoke(args=["reset-mfa", "nobody@riverside.example", "--reason", "Asked by phone, checked"])
    assert unknown.exit_code != 0 and "No account has the email nobody@riverside.example" in unknown.output
    vague = runner.invoke(args=["reset-mfa", "dsl@riverside.example", "--reason", "lost"])
    missing = runner.invoke(args=["reset-mfa", "dsl@riverside.example"])
    assert vague.exit_code != 0 and "reason" in vague.output
    assert missing.exit_code != 0 and "--reason" in missing.output
    assert second_factor.has_second_factor(demo.user("dsl"))
    assert db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "second_factor.reset")).first() is None


def test_rotating_the_mfa_key_reseals_every_secret_and_the_old_key_can_go(app, demo):
    from cryptography.fernet import Fernet
    from server.services import second_factor
    from server.services.sealed_secrets import SealError, development_key
    dsl = demo.user("dsl")
    before = dsl.totp_secret
    old_key = app.config["MFA_ENCRYPTION_KEY"] or development_key(app.config["SECRET_KEY"])
    app.config.update(MFA_ENCRYPTION_KEY=Fernet.generate_key().decode(), MFA_ENCRYPTION_OLD_KEYS=(old_key,))
    assert second_factor.totp_secret(dsl) == second_factor.DEMO_TOTP_SECRET  # the old key still opens it
    result = app.test_cli_runner().invoke(args=["rotate-mfa-key"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert dsl.totp_secret != before
    app.config["MFA_ENCRYPTION_OLD_KEYS"] = ()
    assert second_factor.totp_secret(dsl) == second_factor.DEMO_TOTP_SECRET
    app.config["MFA_ENCRYPTION_KEY"] = Fernet.generate_key().decode()  # a wrong key opens nothing
    with pytest.raises(SealError):
        second_factor.totp_secret(dsl)
