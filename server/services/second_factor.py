"""Two-step sign-in: time-based codes from an authenticator app (TOTP, RFC 6238), passkeys
(services/passkeys.py) and one-use recovery codes. No Flask request globals.

A person "has a second factor" when they have an authenticator app, a passkey, or both. The
app's secret is sealed at rest (services/sealed_secrets.py): read and set it only here.

A code is accepted for the step before, the step of and the step after `for_time` (clocks on
phones drift), and only for a step later than the last one accepted for that person, so a code
seen over someone's shoulder cannot be used again. Wrong codes count against the same lockout
as wrong passwords (accounts.count_attempt).
"""
import hmac
import io
import secrets
import time

import pyotp
import segno
import sqlalchemy as sa
from flask import current_app

from server import permissions
from server.extensions import db
from server.models import Passkey, PasskeyChallenge, RecoveryCode, User
from server.models.base import utcnow
from server.services import sealed_secrets
from server.services.accounts import hash_password, password_matches

ISSUER = "AP visits"
RECOVERY_CODES = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread
# The fixed secret `seed-demo` gives every demo account that needs a second factor, so anyone
# can sign in to the demo (README). Refused everywhere but development and the test suite.
DEMO_TOTP_SECRET = "NORTHFIELDDEMOTOTPSECRETONLYDEMO"


def requires_second_factor(user):
    """Whether `user` holds, in any school, a role that must sign in with a second factor."""
    return bool(permissions.schools_where(user, "sign_in.requires_second_factor"))


def has_second_factor(user):
    """An authenticator app or a passkey (the app is checked first: no query for most people)."""
    return has_totp(user) or has_passkey(user)


def has_totp(user):
    return user.totp_enrolled_at is not None


def has_passkey(user):
    return db.session.execute(sa.select(Passkey.id).where(Passkey.user_id == user.id).limit(1)).first() is not None


def totp_secret(user):
    """The person's authenticator-app secret, unsealed (None without one)."""
    return sealed_secrets.unseal(user.totp_secret)


def _set_totp_secret(user, secret):
    user.totp_secret = sealed_secrets.seal(secret)


def new_secret():
    return pyotp.random_base32()


def provisioning_uri(user, secret):
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_svg(uri):
    """The QR code of `uri` as an SVG element, dark on light: inline in a page, or (with its
    namespace) as an image on the phone."""
    out = io.BytesIO()
    segno.make(uri, error="m").save(out, kind="svg", scale=5, dark="#111", light="#fff", xmldecl=False,
                                    svgns=True, nl=False, title="QR code to add AP visits to an authenticator app")
    return out.getvalue().decode()


def _usable(secret):
    return secret != DEMO_TOTP_SECRET or current_app.config["APP_ENV"] == "development"


def matching_step(secret, code, for_time=None):
    """The 30-second step `code` belongs to, within one step either side of `for_time`, or None."""
    code = (code or "").strip().replace(" ", "")
    if not (secret and _usable(secret) and len(code) == 6 and code.isdigit()):
        return None
    totp = pyotp.TOTP(secret)
    now_step = totp.timecode(_datetime(for_time))
    for step in (now_step - 1, now_step, now_step + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _datetime(for_time):
    from datetime import datetime, timezone
    return datetime.fromtimestamp(time.time() if for_time is None else for_time, tz=timezone.utc)


def _claim_step(user, step):
    """Record `step` as used, in one statement, unless it (or a later one) already was."""
    claimed = db.session.execute(
        sa.update(User)
        .where(User.id == user.id, sa.or_(User.totp_last_step.is_(None), User.totp_last_step < step))
        .values(totp_last_step=step)
        .returning(User.id)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    db.session.expire(user, ["totp_last_step"])
    return claimed is not None


def check_code(user, code, for_time=None):
    """Whether `code` is a current, unused authenticator code or an unused recovery code of
    `user`; a code accepted here is used up."""
    if has_totp(user):
        step = matching_step(totp_secret(user), code, for_time)
        if step is not None:
            return _claim_step(user, step)
    return _use_recovery_code(user, code)


def enrol(user, secret, code, for_time=None):
    """Confirm a new secret with a code from it; returns the recovery codes (shown once), or
    None when the code does not match."""
    step = matching_step(secret, code, for_time)
    if step is None:
        return None
    _set_totp_secret(user, secret)
    user.totp_enrolled_at = utcnow()
    user.totp_last_step = step
    return new_recovery_codes(user)


def set_fixed_secret(user, secret):
    """Enrol `user` with a known secret, with no code and no recovery codes (the demo)."""
    _set_totp_secret(user, secret)
    user.totp_enrolled_at = utcnow()
    user.totp_last_step = None


def clear(user):
    """Remove every second factor of the person (app, passkeys) and their recovery codes (a
    confirmed reset, or someone turning an optional second factor off)."""
    user.totp_secret = None
    user.totp_enrolled_at = None
    user.totp_last_step = None
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.execute(sa.delete(Passkey).where(Passkey.user_id == user.id))
    db.session.execute(sa.delete(PasskeyChallenge).where(PasskeyChallenge.user_id == user.id))


def new_recovery_codes(user):
    """Replace the person's recovery codes with `RECOVERY_CODES` new ones, returned for display."""
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(12))
        codes.append(f"{raw[:4]}-{raw[4:8]}-{raw[8:]}")
        db.session.add(RecoveryCode(user_id=user.id, lookup=raw[:4], code_hash=hash_password(raw[4:])))
    return codes


def recovery_codes_left(user):
    return db.session.execute(
        sa.select(sa.func.count()).select_from(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))).scalar_one()


def _use_recovery_code(user, code):
    raw = (code or "").strip().lower().replace("-", "").replace(" ", "")
    if len(raw) != 12:
        return False
    candidates = db.session.execute(
        sa.select(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.lookup == raw[:4],
                                      RecoveryCode.used_at.is_(None))).scalars().all()
    for row in candidates:
        if password_matches(row.code_hash, raw[4:]):
            used = db.session.execute(
                sa.update(RecoveryCode).where(RecoveryCode.id == row.id, RecoveryCode.used_at.is_(None))
                .values(used_at=utcnow()).returning(RecoveryCode.id)
                .execution_options(synchronize_session=False)).scalar_one_or_none()
            return used is not None
    return False
