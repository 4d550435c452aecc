"""Passwords, sign-in with lockout, and creating staff accounts. No Flask request globals."""
from datetime import timedelta

import sqlalchemy as sa
from argon2 import PasswordHasher
from flask import current_app
from argon2.exceptions import InvalidHashError, VerificationError

from server.extensions import db
from server.models import Membership, User
from server.models.base import utcnow
from server.services.refusal import Refused

# argon2id with the library's RFC 9106 "low memory" profile (64 MiB, 3 passes): above OWASP's floor.
# The test suite alone may choose a cheap profile (PASSWORD_HASHING, refused outside development
# and testing): each hash costs about half a second on a busy 2-core machine, and the suite makes
# thousands. A hash records its own parameters, so verifying needs no profile.
HASHING_PROFILES = {
    "argon2id": PasswordHasher(),
    "argon2id-cheap-for-tests": PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1),
}
_dummy_hashes = {}
MIN_PASSWORD_LENGTH = 12


def _hasher():
    return HASHING_PROFILES[current_app.config["PASSWORD_HASHING"]]


def _dummy_hash():
    """Verified against when the email is unknown, so a miss takes as long as a wrong password."""
    profile = current_app.config["PASSWORD_HASHING"]
    if profile not in _dummy_hashes:
        _dummy_hashes[profile] = HASHING_PROFILES[profile].hash("not-a-real-password")
    return _dummy_hashes[profile]


def hash_password(password):
    return _hasher().hash(password)


def password_matches(password_hash, password):
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def normalise_email(email):
    return email.strip().lower()


def authenticate(email, password, lockout_threshold, lockout_minutes):
    """The active user with this email and password, or Refused("bad_credentials").
    The caller calls `signed_in()` once every step of the sign-in has passed.

    Each attempt on an unlocked account is counted before its password is checked, in one SQL
    statement that returns the new count, so guesses racing through several workers and
    servers each get their own number: only the first `lockout_threshold` since the last
    success are ever checked, and the one that reaches it locks the account if it is wrong.
    A locked account answers exactly like a wrong password, after the same hash, so a guesser
    learns nothing from the answer or its timing."""
    user = db.session.execute(
        sa.select(User).where(User.email == normalise_email(email))).scalar_one_or_none()
    if user is None or not user.active:
        password_matches(_dummy_hash(), password)
        raise Refused("bad_credentials")
    now = utcnow()
    attempt = _count_attempt(user, now)
    matches = password_matches(user.password_hash, password)
    if attempt is None:
        raise Refused("bad_credentials")
    if not matches:
        if attempt >= lockout_threshold:
            _update_account(user, failed_logins=0, locked_until=now + timedelta(minutes=lockout_minutes))
        raise Refused("bad_credentials")
    if _hasher().check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def signed_in(user):
    """The whole sign-in passed (password, and second factor when asked): the count of failed
    attempts starts again. Not before, or each right password would buy more code guesses."""
    _update_account(user, failed_logins=0, locked_until=None, last_login_at=utcnow())


def check_second_step(user, passes, lockout_threshold, lockout_minutes):
    """Count a second-factor attempt like a password attempt; `passes(user)` checks the code.
    Raises Refused("second_factor_refused") when it is wrong or the account is locked
    (the same answer, so a guesser cannot tell)."""
    now = utcnow()
    attempt = _count_attempt(user, now)
    if attempt is None:
        raise Refused("second_factor_refused")
    if not passes(user):
        if attempt >= lockout_threshold:
            _update_account(user, failed_logins=0, locked_until=now + timedelta(minutes=lockout_minutes))
        raise Refused("second_factor_refused")


def _count_attempt(user, now):
    """The attempt's number since the last success, or None while the account is locked. On
    PostgreSQL the UPDATE holds the row until the request commits, so the next attempt on the
    same account waits for this one's outcome; SQLite takes its write lock at BEGIN."""
    return db.session.execute(
        sa.update(User)
        .where(User.id == user.id, sa.or_(User.locked_until.is_(None), User.locked_until <= now))
        .values(failed_logins=User.failed_logins + 1)
        .returning(User.failed_logins)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()


def _update_account(user, **values):
    db.session.execute(sa.update(User).where(User.id == user.id).values(**values)
                       .execution_options(synchronize_session=False))
    # The object in the session still holds the values it was loaded with.
    db.session.expire(user, list(values))


def create_user(email, full_name, password, roles_by_school=(), phone=None, password_hash=None):
    """A new account. `roles_by_school` is a list of (school, role) pairs."""
    if password_hash is None:
        if len(password) < MIN_PASSWORD_LENGTH:
            raise ValueError(f"passwords need at least {MIN_PASSWORD_LENGTH} characters")
        password_hash = hash_password(password)
    user = User(email=normalise_email(email), full_name=full_name, phone=phone, password_hash=password_hash)
    for school, role in roles_by_school:
        user.memberships.append(Membership(school=school, role=role))
    db.session.add(user)
    return user
