"""A person's own sign-in settings (their second factor, their signed-in sessions) and what a
senior may do about someone else's: end a session on a lost phone, or clear a second factor
whose app and recovery codes are both lost. No Flask request globals."""
import sqlalchemy as sa

from server import permissions
from server.extensions import db
from server.models import UserSession
from server.models.base import utcnow
from server.security import end_sessions
from server.services import audit, second_factor
from server.services.refusal import Refused
from server.services.staff import why_not_managed, NOT_MANAGED_MESSAGES


def open_sessions(user):
    """The person's sessions that still work, the most recently used first."""
    now = utcnow()
    return db.session.execute(
        sa.select(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None),
                                     UserSession.expires_at > now)
        .order_by(sa.func.coalesce(UserSession.last_used_at, UserSession.created_at).desc(), UserSession.id.desc())
    ).scalars().all()


def end_own_session(user, session_id):
    """End one of the person's own sessions (a phone left somewhere). False when there is none."""
    row = _open_session(user, session_id)
    if row is None:
        return False
    end_sessions(UserSession.id == row.id)
    audit.record("session.revoked", user, actor=user, session_id=row.id)
    return True


def end_someones_session(user, session_id, school, actor):
    """A senior ends someone else's session: only for people whose account they manage."""
    _check_senior(actor, user, school, "session.revoke_others")
    row = _open_session(user, session_id)
    if row is None:
        return False
    end_sessions(UserSession.id == row.id)
    audit.record("session.revoked", user, school_id=school.id, actor=actor, session_id=row.id)
    return True


def reset_second_factor(user, school, actor):
    """Clear the second factor of someone who lost both their app and their recovery codes;
    they add a new app at their next sign-in, and every session they have ends now.

    Needs a second person: a senior who holds "second_factor.reset" here, who could give every
    role the person holds (services/staff.py GIVEN_BY), who is not the person, and whose own
    second factor is on (so the reset itself was made by someone who signed in with two steps)."""
    _check_senior(actor, user, school, "second_factor.reset")
    if not second_factor.has_second_factor(actor):
        raise Refused("validation_failed",
                      "Turn on two-step sign-in for your own account before resetting anyone else's.", field="user")
    if not second_factor.has_second_factor(user):
        return False
    second_factor.clear(user)
    end_sessions(UserSession.user_id == user.id)
    audit.record("second_factor.reset", user, school_id=school.id, actor=actor)
    return True


def turn_off(user, code):
    """The person turns their own optional second factor off, with a current code."""
    if second_factor.requires_second_factor(user):
        raise Refused("validation_failed", "Your role needs two-step sign-in, so it stays on.", field="code")
    if not second_factor.check_code(user, code):
        raise Refused("validation_failed",
                      "That code is not right or has been used. Enter the newest code from your app.", field="code")
    second_factor.clear(user)
    audit.record("second_factor.removed", user, actor=user)


def renew_recovery_codes(user, code):
    """New recovery codes (the old ones stop working), with a current code."""
    if not second_factor.check_code(user, code):
        raise Refused("validation_failed",
                      "That code is not right or has been used. Enter the newest code from your app.", field="code")
    codes = second_factor.new_recovery_codes(user)
    audit.record("second_factor.recovery_codes_renewed", user, actor=user)
    return codes


def enrol(user, secret, code):
    """The person adds an authenticator app from their own settings."""
    if second_factor.has_second_factor(user):
        raise Refused("validation_failed", "Two-step sign-in is already on.", field="code")
    codes = second_factor.enrol(user, secret, code)
    if codes is None:
        raise Refused("validation_failed", "That code is not right. Enter the code the app shows now.", field="code")
    audit.record("second_factor.enrolled", user, actor=user, factor="totp")
    return codes


def _open_session(user, session_id):
    return next((row for row in open_sessions(user) if row.id == session_id), None)


def _check_senior(actor, user, school, permission):
    if user.id == actor.id or not permissions.allows(actor, school.id, permission):
        raise Refused("forbidden")
    reason = why_not_managed(actor, user)
    if reason:
        raise Refused("forbidden", message=NOT_MANAGED_MESSAGES[reason])
