"""Who is signed in, and what they may see.

Sessions are rows in `user_session`; the cookie carries a random token whose SHA-256 names the
row, so signing out, expiry and deactivating a leaver end a session at once on every worker.
Who may do what is `server/permissions.py`; an object named in a URL is loaded through
`in_school_or_404()`, and a list through `permissions.schools_where()`.
The phone's API and the office page sign in through `sign_in_with_password()`, under one
per-address budget (`sign_in_limit`).
"""
import hashlib
import secrets
from datetime import timedelta
from functools import wraps

import sqlalchemy as sa
from flask import abort, current_app, g, redirect, request, session, url_for
from flask_login import current_user, login_user, logout_user
from sqlalchemy.orm import joinedload

from server import permissions
from server.errors import ApiError
from server.extensions import db, limiter, login_manager
from server.models import School, User, UserSession
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
    # One query for the session, its person and their roles: every signed-in request needs all three.
    row = db.session.execute(
        sa.select(UserSession).where(UserSession.token_sha256 == _sha256(token))
        .options(joinedload(UserSession.user).selectinload(User.memberships))
    ).scalar_one_or_none()
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


def require_permission(permission):
    """The signed-in user must hold `permission` in at least one school; which school a request
    is about is checked where its object is loaded (`in_school_or_404`)."""
    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                raise ApiError("not_signed_in")
            if not permissions.schools_where(current_user, permission):
                raise ApiError("forbidden")
            return view(*args, **kwargs)
        wrapper.permission = permission
        return wrapper
    return decorator


def in_school_or_404(model, uuid, permission, *options):
    """The `model` row with public id `uuid`, for a signed-in user who holds `permission` in its
    school. A row that does not exist and a row of a school the user is not on the staff of
    both answer 404, so ids reveal nothing; on an office page only rows of the school the page
    is about are found. A member of the school whose roles there do not allow `permission`
    gets 403. `options` are loader options for the query (what the caller will read)."""
    row = db.session.execute(sa.select(model).where(model.uuid == uuid).options(*options)).scalar_one_or_none()
    school_id = None if row is None else row.id if isinstance(row, School) else row.school_id
    scope = [g.school.id] if "school" in g else current_user.school_ids
    if school_id is None or school_id not in scope:
        abort(404)
    if not permissions.allows(current_user, school_id, permission):
        abort(403)
    return row
