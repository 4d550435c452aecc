"""What the school records about the pupil before a placement starts, and keeps up while it runs.

- A needs analysis (§4.3): who made it, when, and what it found.
- An individual pupil risk assessment (§4.3): who, when, the risks and how they are mitigated,
  and the date it was last reviewed. It is reviewed at every formal review: once a formal review
  (a review meeting, part-time timetable review or flexi-schooling review) is signed off and was
  held after the assessment's last review, a review of the assessment is due within
  RISK_REVIEW_DAYS of that meeting.
- What was shared with the provider about the pupil (§7.10): what, when, by whom, to whom.
- Parents consulted on the choice of provider (§7.4): who, when, and their view.
The first two are owed by every placement; the last two by every placement with a provider
(off-site AP, on-site AP, off-site direction). Each stops the start until recorded; an active
placement without one (from before this rule) owes it as an overdue item.
Plain functions of values, no database, except `last_signed_off_reviews`.
"""
from datetime import timedelta

import sqlalchemy as sa

from server.dates import long_date
from server.extensions import db
from server.models import Visit
from server.services.agreement import COMMISSIONED_KINDS

NAME_MAX_LENGTH = 200
TEXT_MAX_LENGTH = 5000
# Judgement call: the assessment is reviewed at the formal review itself; two weeks after the
# meeting gives time to write it up, and matches the material-change review of §7.9.
RISK_REVIEW_DAYS = 14

# key: (what, in words; policy section; the fields that must all be written; which kinds owe it).
RECORDS = {
    "needs_analysis": ("a needs analysis of the pupil", "§4.3",
                       ("needs_analysis_by", "needs_analysis_on", "needs_analysis"), None),
    "pupil_risk_assessment": ("an individual risk assessment of the pupil", "§4.3",
                              ("pupil_risk_assessed_by", "pupil_risk_assessed_on", "pupil_risks",
                               "pupil_risk_mitigations"), None),
    "information_shared": ("what was shared with the provider about the pupil", "§7.10",
                           ("information_shared", "information_shared_on", "information_shared_by",
                            "information_shared_with"), COMMISSIONED_KINDS),
    "parents_consulted": ("the parents' views on the choice of provider", "§7.4",
                          ("parents_consulted_name", "parents_consulted_on", "parents_view"), COMMISSIONED_KINDS),
}
POLICY_SECTIONS = {key: section for key, (_, section, _, _) in RECORDS.items()}
KIND_LABELS = {
    "needs_analysis": "Needs analysis",
    "pupil_risk_assessment": "Pupil risk assessment",
    "information_shared": "Information shared with the provider",
    "parents_consulted": "Parents consulted",
}


def owed(placement):
    """The record keys this placement must have."""
    return [key for key, (_, _, _, kinds) in RECORDS.items() if kinds is None or placement.kind in kinds]


def _written(value):
    return value is not None and (not isinstance(value, str) or value.strip() != "")


def missing(placement):
    """The owed records not yet complete, as keys."""
    return [key for key in owed(placement)
            if not all(_written(getattr(placement, name)) for name in RECORDS[key][2])]


def _sentence(key):
    what, section, _, _ = RECORDS[key]
    extra = {"needs_analysis": "who made it, when, and what it found",
             "pupil_risk_assessment": "who, when, the risks and how they are mitigated",
             "information_shared": "what, when, by whom and to whom",
             "parents_consulted": "who, when, and their view"}[key]
    return f"Record {what}: {extra} ({section})."


def start_blockers(placement):
    return [_sentence(key) for key in missing(placement)]


def last_risk_review(placement):
    """The day the pupil risk assessment was last looked at: its review, or when it was made."""
    days = [d for d in (placement.pupil_risk_assessed_on, placement.pupil_risk_reviewed_on) if d is not None]
    return max(days) if days else None


def due(placement, last_signed_off_review, today):
    """Due items (kind, label, due on, overdue) for an active placement: each owed record still
    missing, overdue from the day before the start; and the pupil risk assessment's review after
    a signed-off formal review held since it was last reviewed."""
    if placement.status != "active":
        return []
    items = []
    before_start = placement.start_date - timedelta(days=1)
    gaps = missing(placement)
    for key in gaps:
        what, section, _, _ = RECORDS[key]
        items.append((key, f"Not recorded before the start: {what} ({section})", before_start,
                      today > before_start))
    last = last_risk_review(placement)
    if ("pupil_risk_assessment" not in gaps and last_signed_off_review is not None
            and last_signed_off_review > last):
        by = last_signed_off_review + timedelta(days=RISK_REVIEW_DAYS)
        items.append(("pupil_risk_assessment",
                      f"Review the pupil risk assessment after the formal review of "
                      f"{long_date(last_signed_off_review)} (last reviewed {long_date(last)})", by, today > by))
    return items


def last_signed_off_reviews(placement_ids, kinds, today):
    """{placement_id: the date of its latest formal review that was signed off}. A visit dated
    after today counts for nothing, as everywhere else."""
    if not placement_ids:
        return {}
    rows = db.session.execute(
        sa.select(Visit.placement_id, sa.func.max(Visit.visit_date))
        .where(Visit.placement_id.in_(placement_ids), Visit.kind.in_(kinds), Visit.review_status == "signed_off",
               Visit.visit_date <= today)
        .group_by(Visit.placement_id))
    return dict(rows.all())
