"""Passwords, sign-in with lockout, and creating staff accounts. No Flask request globals."""
from datetime import timedelta

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from server.extensions import db
from server.models import Membership, User
from server.models.base import utcnow

# argon2id with the library's RFC 9106 "low memory" profile (64 MiB, 3 passes): above OWASP's floor.
_hasher = PasswordHasher()
# Verified against when the email is unknown, so a miss takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash("not-a-real-password")
MIN_PASSWORD_LENGTH = 12


class SignInRefused(Exception):
    def __init__(self, code):
        super().__init__(code)
        self.code = code


def hash_password(password):
    return _hasher.hash(password)


def password_matches(password_hash, password):
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def normalise_email(email):
    return email.strip().lower()


def authenticate(email, password, lockout_threshold, lockout_minutes):
    """The active user with this email and password, or SignInRefused. Failed attempts count
    towards a lockout kept in the database, so it holds across every worker and server."""
    user = db.session.execute(
        sa.select(User).where(User.email == normalise_email(email))).scalar_one_or_none()
    now = utcnow()
    if user is None or not user.active:
        password_matches(_DUMMY_HASH, password)
        raise SignInRefused("bad_credentials")
    if user.locked_until is not None and user.locked_until > now:
        raise SignInRefused("account_locked")
    if not password_matches(user.password_hash, password):
        user.failed_logins += 1
        if user.failed_logins >= lockout_threshold:
            user.locked_until = now + timedelta(minutes=lockout_minutes)
            user.failed_logins = 0
        raise SignInRefused("bad_credentials")
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    return user


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
