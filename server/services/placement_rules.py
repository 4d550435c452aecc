"""The policy's rules for when a placement may start, and when a provider must be registered.

`activation_blockers()` says, in words an AP leader can act on, everything that stops a planned
placement becoming active: the approvals each kind needs (§6, §9.5, §10.4; flexi-schooling's
request and home days, flexi.py, §10.5), its sessions, its
complete service-level agreement and QA frequency (agreement.py, §7.11, §8.1), the statutory
partners consulted (partners.py, §7.5, §7.6, §8.8), the pupil's needs analysis and risk
assessment, what the provider was told and the parents' views (before_start.py, §4.3, §7.4,
§7.10), the provider's
pre-placement check and risk assessment (§7.8, §7.9), including the findings and the way of
checking that stop it counting (start_gates.py, §7.8), and its registration (§7.2).
`registration_warning()` is the §7.2 test on its own (registration.py), for provider pages and lists;
`start_warnings()` what a start that is allowed still warns about.
No Flask request globals: the record pages, the placement service and the API all call these.
"""
import sqlalchemy as sa

from server.dates import england_day, long_date
from server.extensions import db
from server.models import Membership
from server.permissions import roles_with
from server.services import agreement, before_start, flexi, partners, start_gates, time_limits
from server.services.providers import latest_risk_assessment
# The §7.2 test lives in registration.py; these names are what record pages and lists call.
from server.services.registration import (REGISTERED_STATUSES, open_placements_by_provider,  # noqa: F401
                                          unregistered_notice)
from server.services.registration import failure as registration_warning

# The registration test (§7.2) counts full-time pupils, so it cannot be run without sessions.
SESSIONS_REQUIRED = ("Choose the days and sessions attended: the registration test (§7.2) and the "
                     "attendance register need them.")


def activation_blockers(placement, today):
    """Everything that stops `placement` starting, as sentences; empty when it may start."""
    blockers = approval_blockers(placement)
    if not placement.sessions:
        blockers.append(SESSIONS_REQUIRED)
    blockers += agreement.start_blockers(placement)
    blockers += partners.start_blockers(placement)
    blockers += before_start.start_blockers(placement)
    if placement.provider is not None:
        blockers += _risk_assessment_blockers(placement, today)
        warning = registration_warning(placement.provider)
        if warning:
            blockers.append(warning)
    return blockers


def start_warnings(placement):
    """What a start that may go ahead still says: an unregistered provider that passes §7.2."""
    notice = unregistered_notice(placement.provider)
    return [notice] if notice else []


# The dates each kind's approvals are recorded by, with what is said while one is missing.
APPROVAL_DATES = {
    "part_time_timetable": (
        ("approved_on", "The date the part-time timetable was approved is not recorded (§9.5)."),
        ("parent_agreed_on", "The date the parent agreed to the part-time timetable is not recorded (§9.5)."),
    ),
    "off_site_direction": (
        ("governors_approved_on", "The date the governing body approved the off-site direction is not recorded (§6)."),
        ("parents_told_in_writing_on", "The date parents were told in writing is not recorded (§6)."),
        ("direction_review_on", "An off-site direction is time-limited: set the date it will be reviewed (§6)."),
    ),
    "flexi_schooling": (
        ("head_decision_in_writing_on",
         "The date of the headteacher's written decision on flexi-schooling is not recorded (§10.4)."),
    ),
}


def approval_blockers(placement):
    """The approvals its kind needs that are not recorded (§6, §9.5, §10.4)."""
    missing = []
    if placement.kind == "part_time_timetable":
        approver = placement.approved_by_id
        if approver is None or not _is_part_time_approver(approver, placement.school_id):
            missing.append("Approval by the headteacher or AP leader is not recorded (§9.5).")
    missing += [message for name, message in APPROVAL_DATES.get(placement.kind, ())
                if getattr(placement, name) is None]
    return missing + time_limits.start_blockers(placement) + flexi.start_blockers(placement)


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
                        f"{long_date(england_day(latest.review_requested_at))}{reason}. It must be reviewed first (§7.9).")
    return blockers
