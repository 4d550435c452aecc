"""Staff accounts in a school: who may run school administration, adding people, their roles,
set-password links, and deactivating a leaver.

New staff set their own password through a link the AP leader hands them (in person, by text,
or through the school's own email): schools need no mail server, and nobody but the person ever
knows the password. The link is signed, lasts PASSWORD_LINK_DAYS, and carries a fingerprint of
the current password hash, so it stops working the moment any password is set.

No Flask request globals; flush, never commit.
"""
import hashlib
import secrets
from datetime import timedelta
from uuid import UUID

import sqlalchemy as sa
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from marshmallow import ValidationError

from server.errors import ApiError
from server.extensions import db
from server.models import Membership, Placement, PlacementStaff, User, UserSession
from server.models.base import utcnow
from server.security import end_sessions, school_ids_for
from server.services import audit
from server.services.accounts import hash_password, normalise_email
from server.services.school_settings import touch
from server.vocabulary import ROLES

# Who runs school administration (providers, pupils, placements, staff, settings) ...
ADMIN_ROLES = ("ap_leader", "headteacher", "admin")
# ... who may read it ...
ADMIN_READ_ROLES = ADMIN_ROLES + ("trust_lead",)
# ... and who may also read pupils, placements and providers: the DSL needs them for concerns.
PUPIL_READ_ROLES = ADMIN_READ_ROLES + ("dsl",)
# Part-time timetables are approved by these roles (§9.5), so only they may give them to others.
SENIOR_ROLES = ("ap_leader", "headteacher")
# Trust-wide reading is the trust's decision, not one school's (see `flask create-user`).
TRUST_ROLES = ("trust_lead",)
# Whose phones can visit a placement: anyone on the staff except governors (aggregates only).
VISITING_ROLES = tuple(role for role in ROLES if role != "governor")
PASSWORD_LINK_DAYS = 7
_PASSWORD_LINK_SALT = "set-password"


def members(school, actor):
    """Everyone with a role in `school`: [{user, roles, account_managed_here}], by name."""
    rows = db.session.execute(
        sa.select(User, Membership.role).join(Membership).where(Membership.school_id == school.id)
        .order_by(User.active.desc(), User.full_name, User.id)).all()
    people = {}
    for user, role in rows:
        people.setdefault(user.id, {"user": user, "roles": [],
                                    "account_managed_here": account_managed_by(actor, user)})
        people[user.id]["roles"].append(role)
    for person in people.values():
        person["roles"].sort(key=ROLES.index)
    return list(people.values())


def member_of(school, user_uuid):
    """A member of `school` by public id, or None (another school's staff are not found)."""
    return db.session.execute(
        sa.select(User).join(Membership).where(User.uuid == user_uuid, Membership.school_id == school.id).limit(1)
    ).scalar_one_or_none()


def assignments(user):
    """The placements `user` is assigned to visit."""
    return db.session.execute(sa.select(PlacementStaff).where(PlacementStaff.user_id == user.id)).scalars().all()


def account_managed_by(actor, user):
    """True when every school `user` belongs to is one `actor` administers: only then may the
    actor deactivate the account or make a link that sets its password."""
    return bool(user.school_ids) and set(user.school_ids) <= set(school_ids_for(actor, ADMIN_ROLES))


def grantable_roles(actor, school):
    """The roles `actor` may give or take away in `school`."""
    senior = bool(actor.roles_in(school.id) & set(SENIOR_ROLES))
    return tuple(role for role in ROLES
                 if role not in TRUST_ROLES and (senior or role not in SENIOR_ROLES))


def _check_grantable(actor, school, roles):
    refused = sorted(set(roles) - set(grantable_roles(actor, school)))
    if refused:
        raise ValidationError("You cannot give or take away: " + ", ".join(refused) + ".", "roles")


def create_staff(school, data, actor):
    """Add a member of staff: a new account, or roles here for an existing account of another
    school. Returns (user, created)."""
    _check_grantable(actor, school, data["roles"])
    email = normalise_email(data["email"])
    user = db.session.execute(sa.select(User).where(User.email == email)).scalar_one_or_none()
    created = user is None
    if user is None:
        # An unguessable password nobody knows: the person sets their own through a link.
        user = User(email=email, full_name=data["full_name"], phone=data["phone"],
                    password_hash=hash_password(secrets.token_urlsafe(32)))
        db.session.add(user)
    elif not user.active:
        raise ValidationError("That account has been deactivated. Reactivate it from the staff list.", "email")
    elif school.id in user.school_ids:
        raise ValidationError("This person is already on the staff list: change their roles there.", "email")
    for role in data["roles"]:
        user.memberships.append(Membership(school=school, role=role))
    touch(user)
    db.session.flush()
    audit.record("user.created" if created else "user.roles_changed", user, school_id=school.id, actor=actor,
                 changes={"roles": [[], sorted(data["roles"])]})
    return user, created


def set_roles(user, school, roles, actor):
    """Give and take away roles in `school`; an empty list takes the person off its staff."""
    before = sorted(user.roles_in(school.id))
    wanted = set(roles)
    _check_grantable(actor, school, wanted.symmetric_difference(before))
    if user.id == actor.id and not wanted & set(ADMIN_ROLES):
        raise ValidationError("You cannot take away your own last role that runs the school's AP.", "roles")
    for membership in [m for m in user.memberships if m.school_id == school.id and m.role not in wanted]:
        user.memberships.remove(membership)
    for role in sorted(wanted - set(before)):
        user.memberships.append(Membership(school=school, role=role))
    if wanted == set(before):
        return {}
    # Removing a membership stamps nothing: touching the account moves the person's pull cursor.
    touch(user)
    if not wanted & set(VISITING_ROLES):
        _remove_assignments(user, school_id=school.id)
    changes = {"roles": [before, sorted(wanted)]}
    audit.record("user.roles_changed", user, school_id=school.id, actor=actor, changes=changes)
    return changes


def deactivate(user, school, actor):
    """A leaver: the account stops working at once, every session ends, and their visits stay
    theirs and stay in the record."""
    _check_manages(actor, user)
    if user.id == actor.id:
        raise ValidationError("You cannot deactivate your own account.", "user")
    if not user.active:
        return {}
    user.active = False
    user.deactivated_at = utcnow()
    end_sessions(UserSession.user_id == user.id)
    _remove_assignments(user)
    changes = {"active": [True, False]}
    audit.record("user.deactivated", user, school_id=school.id, actor=actor, changes=changes)
    return changes


def reactivate(user, school, actor):
    _check_manages(actor, user)
    if user.active:
        return {}
    user.active = True
    user.deactivated_at = None
    changes = {"active": [False, True]}
    audit.record("user.reactivated", user, school_id=school.id, actor=actor, changes=changes)
    return changes


def _check_manages(actor, user):
    if not account_managed_by(actor, user):
        raise ApiError("forbidden", message="This person also works for a school you do not run.")


def _remove_assignments(user, school_id=None):
    query = sa.select(PlacementStaff).where(PlacementStaff.user_id == user.id)
    if school_id is not None:
        query = query.join(Placement).where(Placement.school_id == school_id)
    for assignment in db.session.execute(query).scalars().all():
        touch(assignment.placement)
        db.session.delete(assignment)


# --- Set-password links ---------------------------------------------------------------------

def _serializer(secret_key):
    return URLSafeTimedSerializer(secret_key, salt=_PASSWORD_LINK_SALT)


def _fingerprint(user):
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:20]


def make_password_token(user, school, actor, secret_key):
    """A token for the set-password link, and when it expires."""
    _check_manages(actor, user)
    if not user.active:
        raise ValidationError("Reactivate the account first.", "user")
    token = _serializer(secret_key).dumps([str(user.uuid), _fingerprint(user)])
    audit.record("user.password_link_made", user, school_id=school.id, actor=actor)
    return token, utcnow() + timedelta(days=PASSWORD_LINK_DAYS)


def user_for_password_token(token, secret_key):
    """The active account a link is for, or None when it is forged, expired or already used."""
    try:
        user_uuid, fingerprint = _serializer(secret_key).loads(token, max_age=PASSWORD_LINK_DAYS * 86400)
    except (BadSignature, SignatureExpired, ValueError, TypeError):
        return None
    user = db.session.execute(sa.select(User).where(User.uuid == _as_uuid(user_uuid))).scalar_one_or_none()
    if user is None or not user.active or fingerprint != _fingerprint(user):
        return None
    return user


def _as_uuid(text):
    try:
        return UUID(str(text))
    except ValueError:
        return None


def set_password(user, password):
    """The person's own new password; every session they had ends."""
    user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.locked_until = None
    end_sessions(UserSession.user_id == user.id)
    audit.record("user.password_set", user, actor=user)
