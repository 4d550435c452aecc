"""Commissioning placements and seeing them through: create from a pupil, edit the agreement,
assign visiting staff, start (only when the policy's approvals and checks are in place, see
placement_rules), end with outcome and destination, or cancel.

Once a placement is active its kind and provider are fixed and its approvals cannot be removed:
a different arrangement is a new placement, so nothing skips the checks. No Flask request
globals; flush, never commit.
"""
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from server.extensions import db
from server.models import Membership, Placement, PlacementStaff, Provider, Pupil, User
from server.models.base import utcnow
from server.permissions import roles_with
from server.services import audit, flexi, time_limits
from server.services.placement_rules import (SESSIONS_REQUIRED, activation_blockers,
                                            approval_blockers)
from server.services.refusal import Refused
from server.services.school_settings import apply_changes, audit_value, touch
from server.vocabulary import OPEN_PLACEMENT_STATUSES

# The status changes an AP leader makes; anything else is refused with the reason.
NEXT_STATUSES = {"planned": ("active", "cancelled"), "active": ("ended",), "ended": ("ended",), "cancelled": ()}


def list_placements(school, include_closed=False):
    return db.session.execute(
        placements_query(school, statuses=None if include_closed else OPEN_PLACEMENT_STATUSES)
        .order_by(Pupil.last_name, Pupil.first_name, Placement.start_date)).scalars().all()


def placements_query(school, statuses=None, kind=None, provider_uuid=None):
    """This school's placements with their pupil joined (for ordering by name), unordered;
    narrowed to some statuses, one kind or one provider when given."""
    query = (sa.select(Placement).join(Pupil, Placement.pupil_id == Pupil.id)
             .where(Placement.school_id == school.id)
             .options(selectinload(Placement.pupil), selectinload(Placement.provider),
                      selectinload(Placement.staff).selectinload(PlacementStaff.user)))
    if statuses is not None:
        query = query.where(Placement.status.in_(statuses))
    if kind is not None:
        query = query.where(Placement.kind == kind)
    if provider_uuid is not None:
        query = query.where(Placement.provider.has(Provider.uuid == provider_uuid))
    return query


def approvers(school):
    """Who may approve a part-time timetable here (§9.5)."""
    return _members(school, "placement.approve_part_time")


def visiting_staff_choices(school):
    """Who may be assigned to visit: active staff of this school (not governors)."""
    return _members(school, "phone.use")


def _members(school, permission):
    """Active staff of `school` holding `permission` there."""
    holders = sa.select(Membership.user_id).where(Membership.school_id == school.id,
                                                  Membership.role.in_(roles_with(permission)))
    return db.session.execute(
        sa.select(User).where(User.active.is_(True), User.id.in_(holders)).order_by(User.full_name, User.id)
    ).scalars().all()


def _resolve(school, data):
    """Turn the public ids in `data` into this school's rows; another school's ids are unknown."""
    errors, fields = {}, dict(data)
    if "pupil_id" in fields:  # only a new placement names its pupil
        fields["pupil"] = _in_school(Pupil, "pupil", fields.pop("pupil_id"), school, errors)
    fields["provider"] = _in_school(Provider, "provider", fields.pop("provider_id"), school, errors)
    approver_uuid = fields.pop("approved_by_id")
    fields["approved_by_id"] = None
    if approver_uuid is not None:
        approver = next((u for u in approvers(school) if u.uuid == approver_uuid), None)
        if approver is None:
            errors["approved_by_id"] = ["Choose the headteacher or an AP leader of this school."]
        else:
            fields["approved_by_id"] = approver.id
    staff_uuids = fields.pop("staff")
    choices = {u.uuid: u for u in visiting_staff_choices(school)}
    staff = [choices.get(u) for u in dict.fromkeys(staff_uuids)]
    if None in staff:
        errors["staff"] = ["Choose visiting staff from this school's active staff."]
    cost = fields.pop("cost")
    fields["cost_pence"] = None if cost is None else int((Decimal(cost) * 100).to_integral_value())
    if errors:
        raise Refused("validation_failed", details=errors)
    return fields, [u for u in staff if u is not None]


def _in_school(model, noun, public_id, school, errors):
    """This school's pupil or provider with `public_id` (None for none); another school's, or
    none at all, is noted in `errors` under the field that named it (`pupil_id`)."""
    if public_id is None:
        return None
    found = db.session.execute(sa.select(model).where(
        model.uuid == public_id, model.school_id == school.id)).scalar_one_or_none()
    if found is None:
        errors[f"{noun}_id"] = [f"No such {noun} in this school."]
    return found


def create_placement(school, data, actor):
    data = dict(data)
    affirm = data.pop("affirm_not_a_sanction", False)
    fields, staff = _resolve(school, data)
    placement = Placement(school=school, status="planned", **fields)
    db.session.add(placement)
    for user in staff:
        placement.staff.append(PlacementStaff(user=user))
    db.session.flush()
    affirmation = _affirm_not_a_sanction(placement, affirm, actor)
    audit.record("placement.created", placement, actor=actor, changes={
        **{name: [None, _audit(value)] for name, value in fields.items()},
        "staff": [[], [u.full_name for u in staff]], **affirmation})
    return placement


def update_placement(placement, data, actor):
    data = dict(data)
    affirm = data.pop("affirm_not_a_sanction", False)
    fields, staff = _resolve(placement.school, data)
    if placement.status != "planned":
        fixed = [name for name in ("kind", "provider") if fields[name] != getattr(placement, name)]
        if fixed:
            raise Refused("validation_failed", details={("provider_id" if name == "provider" else name): [
                "Fixed once a placement has started: end it and create a new placement."] for name in fixed})
    if placement.status == "active":
        if not fields["sessions"]:
            raise Refused("validation_failed", SESSIONS_REQUIRED, field="sessions")
        decision = "governors_approved_on" if placement.kind == time_limits.DIRECTION else "approved_on"
        refusal = time_limits.extension_refusal(placement.kind, placement.planned_end_date,
                                                fields["planned_end_date"], getattr(placement, decision),
                                                fields[decision])
        refusal = refusal or flexi.end_refusal(placement, fields["planned_end_date"])
        if refusal:
            raise Refused("validation_failed", refusal, field="planned_end_date")
    changes = apply_changes(placement, fields)
    changes.update(_affirm_not_a_sanction(placement, affirm, actor))
    if placement.status == "active" and approval_blockers(placement):
        raise Refused("validation_failed", "An active placement keeps its approvals: "
                      + " ".join(approval_blockers(placement)))
    changes = {name: [_audit(old), _audit(new)] for name, (old, new) in changes.items()}
    changes.update(set_staff(placement, staff))
    if changes:
        touch(placement)
        audit.record("placement.changed", placement, actor=actor, changes=changes)
    return changes


def _affirm_not_a_sanction(placement, affirm, actor):
    """Record the approver's own affirmation that a part-time timetable is not a behaviour
    sanction (§9.4): only the approver of record, signed in as themselves, may give it."""
    if not affirm or placement.kind != time_limits.PART_TIME or time_limits.affirmed(placement):
        return {}
    if placement.approved_by_id is None or placement.approved_by_id != actor.id:
        raise Refused("validation_failed", "Only the approver recorded for this part-time timetable can affirm this, "
                      "signed in as themselves.", field="affirm_not_a_sanction")
    placement.not_a_sanction_affirmed_by_id = actor.id
    placement.not_a_sanction_affirmed_at = utcnow()
    return {"not_a_sanction_affirmed_by": [None, actor.full_name]}


def _audit(value):
    """Related rows appear in the audit log by name, everything else by value."""
    if isinstance(value, (Pupil, User)):
        return value.full_name
    if isinstance(value, Provider):
        return value.name
    return audit_value(value)


def set_staff(placement, users):
    """Make `users` the placement's visiting staff. A removal deletes a row, which stamps nothing,
    so the placement itself is touched: every phone's pull cursor moves."""
    before = sorted(a.user.full_name for a in placement.staff)
    wanted = {u.id for u in users}
    for assignment in [a for a in placement.staff if a.user_id not in wanted]:
        placement.staff.remove(assignment)
    have = {a.user_id for a in placement.staff}
    for user in users:
        if user.id not in have:
            placement.staff.append(PlacementStaff(user=user))
    after = sorted(u.full_name for u in users)
    if before == after:
        return {}
    touch(placement)
    return {"staff": [before, after]}


def change_status(placement, data, actor, today):
    """Start, end or cancel a placement. Starting needs every approval and check (see
    placement_rules); the refusal lists what is missing."""
    status = data["status"]
    if status not in NEXT_STATUSES[placement.status]:
        raise Refused("validation_failed",
                      f"A placement that is {placement.status} cannot become {status}.", field="status")
    if status == "active":
        blockers = activation_blockers(placement, today)
        if blockers:
            raise Refused("placement_not_ready", details={"missing": blockers})
    fields = {"status": status}
    if status == "ended":
        if data["end_date"] < placement.start_date:
            raise Refused("validation_failed", "The end is before the placement started.", field="end_date")
        fields.update({name: data[name] for name in ("end_date", "outcome", "destination", "pupil_assessment")})
    elif status == "cancelled" and data.get("outcome"):
        fields["outcome"] = data["outcome"]
    changes = apply_changes(placement, fields)
    if changes:
        audit.record(f"placement.{status}", placement, actor=actor, changes=changes)
    return changes
