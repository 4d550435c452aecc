"""Who is signed in, and what they may see.

Sessions are rows in `user_session`; the cookie carries a random token whose SHA-256 names the
row, so signing out, expiry and deactivating a leaver end a session at once on every worker.
Every query for school data goes through `school_ids_for()` or `get_scoped_or_404()`.
The phone's API and the office page sign in through `sign_in_with_password()`, under one
per-address budget (`sign_in_limit`).
"""
import hashlib
import secrets
from datetime import timedelta
from functools import wraps

import sqlalchemy as sa
from flask import current_app, g, redirect, request, session, url_for
from flask_login import current_user, login_user, logout_user
from sqlalchemy.orm import joinedload

from server.errors import ApiError
from server.extensions import db, limiter, login_manager
from server.models import Membership, User, UserSession
from server.models.base import utcnow
from server.services import audit
from server.services.accounts import SignInRefused, authenticate

# One budget per client address for every way of signing in: the office page is not a second
# set of guesses beside the phone's API.
sign_in_limit = limiter.shared_limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], scope="sign-in",
                                     methods=["POST"])


def _sha256(token):
    return hashlib.sha256(token.encode()).hexdigest()


@login_manager.user_loader
def load_user_from_session_token(token):
    # The session, its person and their roles: every signed-in request needs all three.
    # One statement, on the unique index of token_sha256: a join, not a second SELECT for the roles.
    row = db.session.execute(
        sa.select(UserSession).where(UserSession.token_sha256 == _sha256(token))
        .options(joinedload(UserSession.user).joinedload(User.memberships))
    ).unique().scalar_one_or_none()
    if row is None or row.ended_at is not None or row.expires_at <= utcnow() or not row.user.active:
        return None
    row.user.session_token = token
    return row.user


@login_manager.unauthorized_handler
def refuse_anonymous():
    if request.path.startswith("/office"):
        return redirect(url_for("office.sign_in", next=request.full_path if request.method == "GET" else None))
    raise ApiError("not_signed_in")


def sign_in_with_password(email, password, **audit_details):
    """Start a session for the active account with this email and password, or raise
    SignInRefused after committing the failed attempt's count (the error handler rolls back)."""
    config = current_app.config
    try:
        user = authenticate(email, password, config["LOGIN_LOCKOUT_THRESHOLD"], config["LOGIN_LOCKOUT_MINUTES"])
    except SignInRefused:
        db.session.commit()
        raise
    start_session(user)
    audit.record("session.started", user, **audit_details)
    db.session.commit()
    return user


def start_session(user):
    token = secrets.token_urlsafe(32)
    lifetime = timedelta(hours=current_app.config["SESSION_LIFETIME_HOURS"])
    db.session.add(UserSession(
        token_sha256=_sha256(token), user=user, expires_at=utcnow() + lifetime,
        user_agent=(request.user_agent.string or "")[:300]))
    user.session_token = token
    session.clear()  # a fresh session on sign-in: no fixation, a fresh CSRF token
    g.pop("csrf_token", None)  # Flask-WTF caches the old token for this request
    session.permanent = True
    login_user(user)


def end_current_session():
    token = current_user.session_token if current_user.is_authenticated else None
    if token:
        end_sessions(UserSession.token_sha256 == _sha256(token))
    logout_user()
    session.clear()


def end_sessions(*conditions):
    db.session.execute(
        sa.update(UserSession).where(UserSession.ended_at.is_(None), *conditions).values(ended_at=utcnow()))


def school_ids_for(user, roles=None):
    """The schools where `user` holds any of `roles` (any role when None)."""
    return sorted({m.school_id for m in user.memberships if roles is None or m.role in roles})


def has_role(user, school_id, roles):
    return any(m.school_id == school_id and m.role in roles for m in user.memberships)


def require_roles(*roles):
    """The signed-in user must hold one of `roles` in at least one school."""
    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                raise ApiError("not_signed_in")
            if not school_ids_for(current_user, roles):
                raise ApiError("forbidden")
            return view(*args, **kwargs)
        wrapper.required_roles = roles
        return wrapper
    return decorator


def get_scoped_or_404(model, uuid, roles):
    """Load an object of a school where the user holds one of `roles`. Another school's object
    answers 404, exactly like one that does not exist, so ids reveal nothing."""
    obj = db.session.execute(sa.select(model).where(model.uuid == uuid)).scalar_one_or_none()
    if obj is None or obj.school_id not in school_ids_for(current_user, roles):
        raise ApiError("not_found")
    return obj


def members_with_role(school_id, role):
    return db.session.execute(
        sa.select(User).join(Membership).where(Membership.school_id == school_id, Membership.role == role,
                                               User.active.is_(True)).order_by(User.id)
    ).scalars().all()
