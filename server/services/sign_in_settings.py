"""A person's own sign-in settings (their second factor, their signed-in sessions) and what a
senior may do about someone else's: end a session on a lost phone, or clear a second factor
whose app and recovery codes are both lost. No Flask request globals."""
import sqlalchemy as sa

from server import permissions
from server.extensions import db
from server.models import UserSession
from server.models.base import utcnow
from server.security import end_sessions
from server.services import audit, passkeys, second_factor
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


def remove_own_passkey(user, passkey_id):
    """The person removes one of their passkeys; not the last second factor of a role that
    needs one."""
    keys = passkeys.passkeys_of(user)
    if (second_factor.requires_second_factor(user) and not second_factor.has_totp(user)
            and [key.id for key in keys] == [passkey_id]):
        raise Refused("validation_failed", "Your role needs two-step sign-in: add another passkey or an "
                      "authenticator app before removing your only passkey.", field="passkey")
    removed = passkeys.revoke(user, passkey_id, actor=user)
    if removed and not second_factor.has_second_factor(user):
        second_factor.clear(user)  # recovery codes go with the last factor
    return removed


def remove_someones_passkey(user, passkey_id, school, actor):
    """A senior removes someone's passkey (a lost or stolen key), on the terms of a reset:
    only for people whose roles they could give, and with their own second factor on. Every
    session of the person ends, since a session may have been opened with that key."""
    _check_senior(actor, user, school, "second_factor.reset")
    if not second_factor.has_second_factor(actor):
        raise Refused("validation_failed", "Turn on two-step sign-in for your own account before removing anyone's "
                      "passkey.", field="user")
    removed = passkeys.revoke(user, passkey_id, actor=actor, school_id=school.id)
    if removed:
        end_sessions(UserSession.user_id == user.id)
    return removed


def operator_reset(user, reason, operator):
    """The server's operator clears someone's second factor when no second senior person can
    (a trust lead, a sole headteacher): `flask reset-mfa`. Every factor, recovery code and
    session goes; logged as done by the operator, with their reason. Returns what was removed."""
    reason = " ".join((reason or "").split())
    if len(reason) < 10:
        raise Refused("validation_failed", "Give the reason in a sentence (who asked, and how you checked it was "
                      "really them).", field="reason")
    removed = {"authenticator_app": second_factor.has_totp(user), "passkeys": len(passkeys.passkeys_of(user)),
               "recovery_codes": second_factor.recovery_codes_left(user)}
    second_factor.clear(user)
    end_sessions(UserSession.user_id == user.id)
    audit.record("second_factor.reset", user, actor=None, by="operator", operator=operator, reason=reason[:500],
                 **removed)
    return removed


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
    """The person adds an authenticator app from their own settings (beside any passkeys)."""
    if second_factor.has_totp(user):
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
