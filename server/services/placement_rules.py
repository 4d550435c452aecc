"""The policy's rules for when a placement may start, and when a provider must be registered.

`activation_blockers()` says, in words an AP leader can act on, everything that stops a planned
placement becoming active: the approvals each kind needs (§6, §9.5, §10.4), the provider's
pre-placement check and risk assessment (§7.8, §7.9), including the findings and the way of
checking that stop it counting (start_gates.py, §7.8), and its registration (§7.2).
`registration_warning()` is the §7.2 test on its own, for provider pages and lists.
No Flask request globals: the record pages, the placement service and the API all call these.
"""
import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from server.extensions import db
from server.models import Membership, Placement, Pupil
from server.permissions import roles_with
from server.services import start_gates
from server.services.providers import latest_risk_assessment

# Statuses that mean the provider is registered with Ofsted or the DfE.
REGISTERED_STATUSES = ("registered_independent_school", "registered_other")
# The school's own unit is covered by the school's registration.
EXEMPT_STATUSES = ("on_site_unit",)
# §7.2: full-time education for this many pupils makes registration a legal requirement.
REGISTRATION_PUPIL_THRESHOLD = 5
# A placement counts as full time when it covers at least this many of the ten weekly sessions:
# seven sessions is about 18 hours, the DfE's working threshold for "full-time education".
FULL_TIME_SESSIONS = 7
OPEN_STATUSES = ("planned", "active")


def long_date(day):
    """3 March 2027: the way a letter to a parent would write it."""
    return f"{day.day} {day:%B %Y}"


def is_full_time(placement):
    return len(set(placement.sessions or ())) >= FULL_TIME_SESSIONS


def registration_warning(provider, open_placements=None):
    """Why this provider looks as if it must be registered and is not (§7.2), or None.

    Counts the larger of the provider's own full-time figure (pupils from every school) and
    this school's open full-time placements there, and any full-time pupil with an EHCP or who
    is looked after, for whom one is enough. A list of providers passes each one's open
    placements (`open_placements_by_provider`), read once for the whole list.
    """
    if provider is None or provider.registration_status in REGISTERED_STATUSES + EXEMPT_STATUSES:
        return None
    placements = _open_placements_at(provider) if open_placements is None else open_placements
    full_time = [p for p in placements if is_full_time(p)]
    pupils_here = {p.pupil_id for p in full_time}
    count = max(provider.full_time_pupils or 0, len(pupils_here))
    special = sorted({p.pupil.full_name for p in full_time if p.pupil.ehcp or p.pupil.looked_after})
    if special:
        return (f"{provider.name} is not registered but teaches full time a pupil with an EHCP or who is "
                f"looked after ({', '.join(special)}). It must be registered before it is used: do not use it "
                "and report it to the local authority (§7.2).")
    if count >= REGISTRATION_PUPIL_THRESHOLD:
        return (f"{provider.name} is not registered but teaches {count} pupils full time. With "
                f"{REGISTRATION_PUPIL_THRESHOLD} or more it must be registered: do not use it and report it "
                "to the local authority (§7.2).")
    return None


def _open_placements_at(provider):
    return open_placements_by_provider([provider]).get(provider.id, [])


def open_placements_by_provider(providers):
    """{provider id: this school's open placements there, with their pupils}, in one query."""
    if not providers:
        return {}
    found = {}
    for placement in db.session.execute(
            sa.select(Placement).join(Pupil, Placement.pupil_id == Pupil.id)
            .where(sa.or_(*(sa.and_(Placement.provider_id == p.id, Placement.school_id == p.school_id)
                            for p in providers)), Placement.status.in_(OPEN_STATUSES))
            .options(selectinload(Placement.pupil))).scalars():
        found.setdefault(placement.provider_id, []).append(placement)
    return found


def activation_blockers(placement, today):
    """Everything that stops `placement` starting, as sentences; empty when it may start."""
    blockers = approval_blockers(placement)
    if placement.provider is not None:
        blockers += _risk_assessment_blockers(placement, today)
        warning = registration_warning(placement.provider)
        if warning:
            blockers.append(warning)
    return blockers


def approval_blockers(placement):
    """The approvals its kind needs that are not recorded (§6, §9.5, §10.4)."""
    missing = []
    if placement.kind == "part_time_timetable":
        approver = placement.approved_by_id
        if approver is None or not _is_part_time_approver(approver, placement.school_id):
            missing.append("Approval by the headteacher or AP leader is not recorded (§9.5).")
        if placement.approved_on is None:
            missing.append("The date the part-time timetable was approved is not recorded (§9.5).")
        if placement.parent_agreed_on is None:
            missing.append("The date the parent agreed to the part-time timetable is not recorded (§9.5).")
    elif placement.kind == "off_site_direction":
        if placement.governors_approved_on is None:
            missing.append("The date the governing body approved the off-site direction is not recorded (§6).")
        if placement.parents_told_in_writing_on is None:
            missing.append("The date parents were told in writing is not recorded (§6).")
        if placement.direction_review_on is None:
            missing.append("An off-site direction is time-limited: set the date it will be reviewed (§6).")
    elif placement.kind == "flexi_schooling":
        if placement.head_decision_in_writing_on is None:
            missing.append("The date of the headteacher's written decision on flexi-schooling is not recorded (§10.4).")
    return missing


def _is_part_time_approver(user_id, school_id):
    return db.session.execute(
        sa.select(Membership.id).where(Membership.user_id == user_id, Membership.school_id == school_id,
                                       Membership.role.in_(roles_with("placement.approve_part_time"))).limit(1)
    ).first() is not None


def _risk_assessment_blockers(placement, today):
    provider = placement.provider
    latest = latest_risk_assessment(provider)
    if latest is None:
        return [f"No pre-placement check and risk assessment for {provider.name} (§7.8)."]
    needed_until = max(placement.start_date, today)
    blockers = start_gates.blockers(latest, provider.name)
    if latest.valid_until < needed_until:
        blockers.append(f"The risk assessment for {provider.name} ran out on {long_date(latest.valid_until)}: "
                        "a new pre-placement check is needed (§7.9).")
    if latest.review_requested_at is not None:
        reason = f": {latest.review_reason}" if latest.review_reason else ""
        blockers.append(f"A review of the risk assessment for {provider.name} was requested on "
                        f"{long_date(latest.review_requested_at.date())}{reason}. It must be reviewed first (§7.9).")
    return blockers
