"""Invitations: how a school gives roles to someone whose account another school runs.

Adding a colleague by email used to join an existing account straight away, which showed the
adding school that person's name, mobile and last sign-in, and took the account out of reach of
its own school (see `staff.account_managed_by`). Instead the school gets an invitation holding
only what it typed, and a link to hand over; the account's owner signs in as themselves and
accepts. Until then nothing of the account changes and the school sees nothing of it.

No Flask request globals; flush, never commit.
"""
from uuid import UUID

import sqlalchemy as sa
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from server.extensions import db
from server.models import Membership, StaffInvitation
from server.models.base import utcnow
from server.services import audit
from server.services.school_settings import touch

_SALT = "staff-invitation"


def invite(school, user, data, actor):
    """An invitation for `user` to hold `data["roles"]` in `school`, or the open one already there."""
    invitation = pending_for(school, user)
    if invitation is None:
        invitation = StaffInvitation(school=school, user=user, invited_by_id=actor.id)
        db.session.add(invitation)
    invitation.full_name = data["full_name"]
    invitation.email = user.email
    invitation.roles = sorted(data["roles"])
    invitation.created_at = utcnow()
    db.session.flush()
    audit.record("staff.invited", invitation, school_id=school.id, actor=actor, roles=invitation.roles)
    return invitation


def pending_for(school, user):
    return db.session.execute(_open().where(StaffInvitation.school_id == school.id,
                                            StaffInvitation.user_id == user.id)).scalar_one_or_none()


def pending(school):
    """The school's open invitations, newest first."""
    return db.session.execute(_open().where(StaffInvitation.school_id == school.id)
                              .order_by(StaffInvitation.created_at.desc())).scalars().all()


def pending_by_uuid(school, invitation_uuid):
    return db.session.execute(_open().where(StaffInvitation.school_id == school.id,
                                            StaffInvitation.uuid == invitation_uuid)).scalar_one_or_none()


def _open():
    return sa.select(StaffInvitation).where(StaffInvitation.accepted_at.is_(None),
                                            StaffInvitation.withdrawn_at.is_(None),
                                            StaffInvitation.created_at > utcnow() - StaffInvitation.LIFETIME)


def link_token(invitation, secret_key):
    return _serializer(secret_key).dumps(str(invitation.uuid))


def for_token(token, secret_key):
    """The open invitation a link names, or None when it is forged, expired, used or withdrawn."""
    try:
        invitation_uuid = UUID(_serializer(secret_key).loads(token, max_age=StaffInvitation.LIFETIME.total_seconds()))
    except (BadSignature, SignatureExpired, ValueError, TypeError, AttributeError):
        return None
    return db.session.execute(_open().where(StaffInvitation.uuid == invitation_uuid)).scalar_one_or_none()


def accept(invitation, user):
    """The signed-in owner of the invited account takes the roles; anyone else is refused."""
    if user.id != invitation.user_id:
        return False
    held = user.roles_in(invitation.school_id)
    for role in invitation.roles:
        if role not in held:
            user.memberships.append(Membership(school_id=invitation.school_id, role=role))
    invitation.accepted_at = utcnow()
    touch(user)
    audit.record("staff.invitation_accepted", invitation, school_id=invitation.school_id, actor=user,
                 roles=invitation.roles)
    return True


def withdraw(invitation, actor):
    invitation.withdrawn_at = utcnow()
    audit.record("staff.invitation_withdrawn", invitation, school_id=invitation.school_id, actor=actor)


def _serializer(secret_key):
    return URLSafeTimedSerializer(secret_key, salt=_SALT)
