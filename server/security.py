"""Who is signed in, and what they may see.

Sessions are rows in `user_session`; the cookie carries a random token whose SHA-256 names the
row, so signing out, expiry and deactivating a leaver end a session at once on every worker.
Who may do what is `server/permissions.py`; an object named in a URL is loaded through
`in_school_or_404()`, and a list through `permissions.schools_where()`.
The phone's API and the office page sign in through `sign_in_with_password()` and, for anyone
with a second factor or a role that needs one, `sign_in_with_second_factor()`, under one
per-address budget (`sign_in_limit`). Between the two steps nothing is granted: no session row
and no signed-in cookie, only a signed token that names the person and lasts five minutes.
"""
import hashlib
import secrets
from datetime import timedelta
from functools import wraps

import sqlalchemy as sa
from flask import abort, current_app, g, has_request_context, redirect, request, session, url_for
from flask_login import current_user, login_user, logout_user
from itsdangerous import BadData, URLSafeTimedSerializer
from sqlalchemy.orm import joinedload

from server import permissions
from server.errors import ApiError
from server.extensions import db, limiter, login_manager
from server.models import School, User, UserSession
from server.models.base import utcnow
from server.services import audit
from server.services import passkeys, second_factor
from server.services.accounts import authenticate, check_second_step, signed_in
from server.services.refusal import Refused

# How long the code step may take after the password was accepted.
PENDING_STEP_SECONDS = 300
# "My devices and sessions" shows when each was last used, to the minute.
LAST_USED_EVERY = timedelta(minutes=1)

# One budget per client address for every way of signing in: the office page is not a second
# set of guesses beside the phone's API.
sign_in_limit = limiter.shared_limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], scope="sign-in",
                                     methods=["POST"])


def who_is_asking(want_person=True):
    """(the signed-in person or None, the address) of the request being served, for the audit
    log; the person is looked up only for an entry whose caller names no actor."""
    if not has_request_context():
        return None, None
    person = current_user._get_current_object() if want_person and current_user.is_authenticated else None
    return person, request.remote_addr


audit.read_request_with(who_is_asking)


def sha256_of_token(token):
    return hashlib.sha256(token.encode()).hexdigest()


@login_manager.user_loader
def load_user_from_session_token(token):
    # The session, its person and their roles: every signed-in request needs all three.
    # One statement, on the unique index of token_sha256: a join, not a second SELECT for the roles.
    row = db.session.execute(
        sa.select(UserSession).where(UserSession.token_sha256 == sha256_of_token(token))
        .options(joinedload(UserSession.user).joinedload(User.memberships))
    ).unique().scalar_one_or_none()
    now = utcnow()
    if row is None or row.ended_at is not None or row.expires_at <= now or not row.user.active:
        return None
    if second_factor.requires_second_factor(row.user) and not second_factor.has_second_factor(row.user):
        return None  # given a role that needs a second factor, or had it reset: sign in again and add one
    if row.last_used_at is None or now - row.last_used_at >= LAST_USED_EVERY:
        g.session_last_used = (row.id, now)
    row.user.session_token = token
    return row.user


def note_session_last_use(response):
    """After the request (at most once a minute per session): when the session was last used,
    in a transaction of its own. Whatever the view left uncommitted would be discarded at
    teardown anyway, so it is discarded first and never saved by accident."""
    due = g.pop("session_last_used", None)
    if due is not None:
        session_id, now = due
        try:
            db.session.rollback()
            db.session.execute(sa.update(UserSession).where(UserSession.id == session_id).values(last_used_at=now))
            db.session.commit()
        except sa.exc.SQLAlchemyError:
            db.session.rollback()  # a busy or absent database: a later request notes it instead
    return response


@login_manager.unauthorized_handler
def refuse_anonymous():
    if request.path.startswith("/office"):
        return redirect(url_for("office.sign_in", next=request.full_path if request.method == "GET" else None))
    raise ApiError("not_signed_in")


class SecondStep:
    """The password was right and a second factor is needed: nothing is granted yet. `token`
    names this pending step (signed, short-lived, no session row); `enrol_secret` is set when
    the person must first add an authenticator app."""

    def __init__(self, user, token, enrol_secret=None):
        self.user = user
        self.token = token
        self.enrol_secret = enrol_secret


def _pending_serializer():
    return URLSafeTimedSerializer(current_app.secret_key, salt="second-sign-in-step")


def _password_fingerprint(user):
    # A changed password (or a reset) makes every pending step stale.
    return sha256_of_token(user.password_hash)[:16]


def _lockout():
    config = current_app.config
    return config["LOGIN_LOCKOUT_THRESHOLD"], config["LOGIN_LOCKOUT_MINUTES"]


def sign_in_with_password(email, password, **audit_details):
    """Check the email and password. Returns the signed-in user, or a SecondStep when the
    account has (or must add) a second factor; raises Refused after committing the
    failed attempt's count (the error handler rolls back)."""
    try:
        user = authenticate(email, password, *_lockout())
    except Refused:
        db.session.commit()
        raise
    if second_factor.has_second_factor(user) or second_factor.requires_second_factor(user):
        secret = None if second_factor.has_second_factor(user) else second_factor.new_secret()
        # "n": each pending step is its own, even two in the same second (a passkey's challenge
        # is bound to exactly one).
        token = _pending_serializer().dumps({"u": user.id, "p": _password_fingerprint(user), "s": secret,
                                             "n": secrets.token_urlsafe(12)})
        db.session.commit()  # the attempt's count (reset only once the second step passes)
        return SecondStep(user, token, secret)
    _finish_sign_in(user, audit_details)
    return user


def sign_in_with_second_factor(token, code, **audit_details):
    """Finish a SecondStep with a code from the authenticator app (or a recovery code); when
    the step enrols, the code confirms the new secret. Returns (user, new recovery codes)."""
    user, secret = _pending_step(token)
    recovery_codes = []

    def passes(person):
        if secret is None:
            return second_factor.check_code(person, code)
        codes = second_factor.enrol(person, secret, code)
        recovery_codes.extend(codes or ())
        return codes is not None

    try:
        check_second_step(user, passes, *_lockout())
    except Refused:
        db.session.commit()
        raise
    if secret is not None:
        audit.record("second_factor.enrolled", user, actor=user, factor="totp")
    _finish_sign_in(user, dict(audit_details, second_factor="totp"))
    return user, recovery_codes


def sign_in_with_passkey(token, credential, rp, **audit_details):
    """Finish a SecondStep with a passkey instead of a code: `credential` answers a challenge
    from `passkey_sign_in_options()` for this same pending step. Returns the user."""
    user, secret = _pending_step(token)
    if secret is not None:
        raise Refused("second_factor_refused")  # adding an app: nothing to sign with yet
    try:
        check_second_step(user, lambda person: passkeys.check_sign_in(person, token, credential, rp), *_lockout())
    except Refused:
        db.session.commit()  # the attempt's count, the used challenge, a refused counter's log entry
        raise
    _finish_sign_in(user, dict(audit_details, second_factor="passkey"))
    return user


def passkey_sign_in_options(token, rp):
    """The options for signing in with a passkey at the pending step `token` (committed: the
    challenge must outlive this request), or None when the person has no passkey."""
    user, secret = _pending_step(token)
    options = None if secret is not None else passkeys.sign_in_options(user, token, rp)
    db.session.commit()
    return options


def current_relying_party():
    """The site as passkeys see it, for this request (services/passkeys.relying_party)."""
    return passkeys.relying_party(current_app.config, request.host_url)


def passkey_offered(step_or_token):
    """Whether the pending step's person has a passkey to sign in with."""
    user = step_or_token.user if isinstance(step_or_token, SecondStep) else _pending_step(step_or_token)[0]
    return second_factor.has_passkey(user)


def pending_step_user(token):
    """The person a pending step belongs to (for showing the enrolment page), or Refused."""
    return _pending_step(token)


def _pending_step(token):
    try:
        claims = _pending_serializer().loads(token or "", max_age=PENDING_STEP_SECONDS)
    except BadData:
        raise Refused("second_factor_expired") from None
    user = db.session.get(User, claims.get("u")) if isinstance(claims, dict) else None
    if user is None or not user.active or claims.get("p") != _password_fingerprint(user):
        raise Refused("second_factor_expired")
    secret = claims.get("s")
    if secret is not None and second_factor.has_second_factor(user):
        raise Refused("second_factor_expired")  # enrolled meanwhile: this step is stale
    return user, secret


def _finish_sign_in(user, audit_details):
    signed_in(user)
    start_session(user)
    audit.record("session.started", user, **audit_details)
    db.session.commit()


def start_session(user):
    token = secrets.token_urlsafe(32)
    lifetime = timedelta(hours=current_app.config["SESSION_LIFETIME_HOURS"])
    db.session.add(UserSession(
        token_sha256=sha256_of_token(token), user=user, expires_at=utcnow() + lifetime,
        user_agent=(request.user_agent.string or "")[:300]))
    user.session_token = token
    session.clear()  # a fresh session on sign-in: no fixation, a fresh CSRF token
    g.pop("csrf_token", None)  # Flask-WTF caches the old token for this request
    session.permanent = True
    login_user(user)


def end_current_session():
    token = current_user.session_token if current_user.is_authenticated else None
    if token:
        end_sessions(UserSession.token_sha256 == sha256_of_token(token))
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
