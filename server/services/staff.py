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

from server.extensions import db
from server.models import Membership, Placement, PlacementStaff, User, UserSession
from server.models.base import utcnow
from server.permissions import roles_with, schools_where
from server.security import end_sessions
from server.services import audit, staff_invitations
from server.services.accounts import hash_password, normalise_email
from server.services.refusal import Refused
from server.services.school_settings import apply_changes, touch
from server.vocabulary import ROLES

# Who may give (and so take away, and manage the accounts of) each role in a school: the other
# half of server/permissions.py, which says what each role may do once given. A role that
# reads safeguarding records or approves part-time timetables (§9.5) is given only by the senior
# leaders; the headteacher alone makes a headteacher. Trust-wide reading is the trust's decision,
# not one school's (`flask create-user`), so no school role gives `trust_lead`. An account that
# holds a role the actor may not give cannot be reset, deactivated or re-roled by that actor:
# otherwise a set-password link would hand them that role.
GIVEN_BY = {
    "headteacher": ("headteacher",),
    "ap_leader": ("headteacher", "ap_leader"),
    "dsl": ("headteacher", "ap_leader"),
    "trust_lead": (),
    "attendance_officer": roles_with("school.administer"),
    "visiting_staff": roles_with("school.administer"),
    "governor": roles_with("school.administer"),
    "admin": roles_with("school.administer"),
}
PASSWORD_LINK_DAYS = 7
_PASSWORD_LINK_SALT = "set-password"


def members(school, actor):
    """Everyone with a role in `school`: [{user, roles, account_managed_here}], by name."""
    rows = db.session.execute(
        sa.select(User, Membership.role).join(Membership).where(Membership.school_id == school.id)
        .order_by(User.active.desc(), User.full_name, User.id)).all()
    people = {}
    for user, role in rows:
        people.setdefault(user.id, {"user": user, "roles": [], "not_managed_because": why_not_managed(actor, user),
                                    "roles_changeable": roles_changeable_by(actor, user, school)})
        people[user.id]["roles"].append(role)
    for person in people.values():
        person["roles"].sort(key=ROLES.index)
        person["account_managed_here"] = person["not_managed_because"] is None
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
    """True when `actor` runs every school `user` belongs to and may give every role they hold
    there: only then may the actor deactivate the account or make a link that sets its password."""
    return not why_not_managed(actor, user)


def why_not_managed(actor, user):
    """None when `actor` may manage `user`'s account, else the reason, for the page."""
    if not user.school_ids or not set(user.school_ids) <= set(schools_where(actor, "school.administer")):
        return "another_school"
    if any(user.roles_in(school_id) - set(_grantable_in(actor, school_id)) for school_id in user.school_ids):
        return "senior_role"
    return None


def grantable_roles(actor, school):
    """The roles `actor` may give or take away in `school`."""
    return _grantable_in(actor, school.id)


def _grantable_in(actor, school_id):
    held = actor.roles_in(school_id)
    return tuple(role for role in ROLES if held & set(GIVEN_BY[role]))


def roles_changeable_by(actor, user, school):
    """`actor` may change `user`'s roles here only when they may give every role `user` holds here."""
    return user.roles_in(school.id) <= set(grantable_roles(actor, school))


def _check_grantable(actor, school, roles):
    refused = sorted(set(roles) - set(grantable_roles(actor, school)))
    if refused:
        raise Refused("validation_failed", "You cannot give or take away: " + ", ".join(refused) + ".", field="roles")


def add_staff(school, data, actor):
    """Add a member of staff. Returns (how, record):
    ("created", user) for a new account, which sets its password through a link;
    ("joined", user) for an account whose every school the actor already runs;
    ("invited", invitation) for an account another school runs: nothing of it changes, and
    nothing of it is shown, until its owner accepts (see services/staff_invitations.py)."""
    _check_grantable(actor, school, data["roles"])
    email = normalise_email(data["email"])
    user = db.session.execute(sa.select(User).where(User.email == email)).scalar_one_or_none()
    if user is not None and school.id in user.school_ids:
        raise Refused("validation_failed",
                      "This person is already on the staff list: change their roles there.", field="email")
    if user is not None and not account_managed_by(actor, user):
        return "invited", staff_invitations.invite(school, user, data, actor)
    if user is not None and not user.active:
        raise Refused("validation_failed",
                      "That account has been deactivated. Reactivate it from the staff list.", field="email")
    how = "joined" if user is not None else "created"
    if user is None:
        # An unguessable password nobody knows: the person sets their own through a link.
        user = User(email=email, full_name=data["full_name"], phone=data["phone"],
                    password_hash=hash_password(secrets.token_urlsafe(32)))
        db.session.add(user)
    for role in data["roles"]:
        user.memberships.append(Membership(school=school, role=role))
    touch(user)
    db.session.flush()
    audit.record("user.created" if how == "created" else "user.roles_changed", user, school_id=school.id,
                 actor=actor, changes={"roles": [[], sorted(data["roles"])]})
    return how, user


def set_roles(user, school, roles, actor):
    """Give and take away roles in `school`; an empty list takes the person off its staff."""
    before = sorted(user.roles_in(school.id))
    wanted = set(roles)
    _check_grantable(actor, school, set(before) | wanted)
    if user.id == actor.id and not wanted & set(roles_with("school.administer")):
        raise Refused("validation_failed",
                      "You cannot take away your own last role that runs the school's AP.", field="roles")
    for membership in [m for m in user.memberships if m.school_id == school.id and m.role not in wanted]:
        user.memberships.remove(membership)
    for role in sorted(wanted - set(before)):
        user.memberships.append(Membership(school=school, role=role))
    if wanted == set(before):
        return {}
    # Removing a membership stamps nothing: touching the account moves the person's pull cursor.
    touch(user)
    if not wanted & set(roles_with("phone.use")):
        _remove_assignments(user, school_id=school.id)
    changes = {"roles": [before, sorted(wanted)]}
    audit.record("user.roles_changed", user, school_id=school.id, actor=actor, changes=changes)
    return changes


def correct_details(user, school, data, actor):
    """Correct a name, work email or mobile typed wrongly, or changed since. Only someone who may
    manage the account may, since the email is what its owner signs in with."""
    _check_manages(actor, user)
    email = normalise_email(data["email"])
    taken = db.session.execute(sa.select(User.id).where(User.email == email, User.id != user.id)).first()
    if taken:
        raise Refused("validation_failed", "That email address cannot be used for this account.", field="email")
    changes = apply_changes(user, {"full_name": data["full_name"], "email": email, "phone": data["phone"]})
    if changes:
        audit.record("user.details_changed", user, school_id=school.id, actor=actor, changes=changes)
    return changes


def deactivate(user, school, actor):
    """A leaver: the account stops working at once, every session ends, and their visits stay
    theirs and stay in the record."""
    _check_manages(actor, user)
    if user.id == actor.id:
        raise Refused("validation_failed", "You cannot deactivate your own account.", field="user")
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
    reason = why_not_managed(actor, user)
    if reason:
        raise Refused("forbidden", message=NOT_MANAGED_MESSAGES[reason])


NOT_MANAGED_MESSAGES = {
    "another_school": "This person also works for a school you do not run, so that school manages their account.",
    "senior_role": "This person holds a role you cannot give, so only someone who can give it manages their account.",
}


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
        raise Refused("validation_failed", "Reactivate the account first.", field="user")
    token = _serializer(secret_key).dumps([str(user.uuid), _fingerprint(user), str(actor.uuid)])
    audit.record("user.password_link_made", user, school_id=school.id, actor=actor)
    return token, utcnow() + timedelta(days=PASSWORD_LINK_DAYS)


def password_link_for(token, secret_key):
    """(the active account a link is for, who made the link), or (None, None) when the link is
    forged, expired, already used, or its maker may no longer manage the account (say the person
    was made DSL after an administrator made their link)."""
    try:
        user_uuid, fingerprint, maker_uuid = _serializer(secret_key).loads(token, max_age=PASSWORD_LINK_DAYS * 86400)
    except (BadSignature, SignatureExpired, ValueError, TypeError):
        return None, None
    user = _user_by_uuid(user_uuid)
    maker = _user_by_uuid(maker_uuid)
    if user is None or not user.active or fingerprint != _fingerprint(user):
        return None, None
    if maker is None or not maker.active or (maker.id != user.id and not account_managed_by(maker, user)):
        return None, None
    return user, maker


def _user_by_uuid(text):
    return db.session.execute(sa.select(User).where(User.uuid == _as_uuid(text))).scalar_one_or_none()


def _as_uuid(text):
    try:
        return UUID(str(text))
    except ValueError:
        return None


def set_password(user, password, link_maker):
    """A new password through a set-password link; every session the person had ends. The log
    names whoever made the link: whoever opened it is not known, only who could hand it out."""
    user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.locked_until = None
    end_sessions(UserSession.user_id == user.id)
    audit.record("user.password_set", user, actor=None, link_made_by=str(link_maker.uuid))
