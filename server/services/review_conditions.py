"""When a formal review counts (§8.2, §8.3, §9.6, §10.6).

A review meeting, a part-time timetable review or a flexi-schooling review clears its deadline
only when all of these hold:
- it is signed off (services/review.py: by an AP leader or the headteacher, never its author);
- the pupil was there, or the reason they were not is recorded;
- the parents or carers were there, or the reason they were not is recorded.
A review made on a form version that did not ask who was there (the part-time timetable and
flexi-schooling reviews, version 1) cannot show the last two, so it does not count either.
A review that does not count stays in the record and the chronology; the due item and the
record say why it did not clear the deadline.

`load()` reads every review held up to a day for some placements, in one query; `assess()` is
the rule for one review; `last_counted()` and `explain()` are what the deadline rules ask.
"""
from collections import defaultdict
from dataclasses import dataclass

import sqlalchemy as sa

from server.dates import long_date
from server.extensions import db
from server.models import Visit, VisitVersion
from server.services.forms import asked_keys

POLICY_SECTION = "§8.2"
# §8.3: any of these, held on a placement, is its formal review.
FORMAL_REVIEW_KINDS = ("review_meeting", "part_time_review", "flexi_review")
# The form items that say who was there; a "no" needs its note (the reason), which the forms
# require too.
ATTENDANCE_ITEMS = (("pupil_present", "the pupil", "was"), ("parents_present", "parents or carers", "were"))
STATUS_REASONS = {"awaiting_review": "it is awaiting sign-off", "sent_back": "it was sent back for correction"}


@dataclass(frozen=True)
class HeldReview:
    """One review held on a placement, and why it does not count (empty: it counts)."""

    kind: str
    visit_date: object
    reasons: tuple
    visit_uuid: object = None

    @property
    def counts(self):
        return not self.reasons


def assess(review_status, form_id, form_version, answers):
    """Why a review with this sign-off state and these answers does not count, as short
    phrases; empty when it counts."""
    reasons = []
    if review_status != "signed_off":
        reasons.append(STATUS_REASONS.get(review_status, "it is not signed off"))
    asked = asked_keys(form_id, form_version)
    answers = answers if isinstance(answers, dict) else {}
    if not all(key in asked for key, _, _ in ATTENDANCE_ITEMS):
        reasons.append(f"its form (version {form_version}) did not record who was there")
        return tuple(reasons)
    for key, who, was in ATTENDANCE_ITEMS:
        answer = answers.get(key) if isinstance(answers.get(key), dict) else {}
        value, note = answer.get("value"), answer.get("note")
        if value == "yes" or (value == "no" and isinstance(note, str) and note.strip()):
            continue
        reasons.append(f"it does not say whether {who} {was} there" if value != "no"
                       else f"{who} {was} not there and no reason is recorded")
    return tuple(reasons)


def held(visit, version):
    """The HeldReview of a visit whose versions are loaded (`version`: its current one)."""
    return HeldReview(visit.kind, visit.visit_date,
                      assess(visit.review_status, version.form_id, version.form_version, version.answers),
                      visit.uuid)


def load(placement_ids, today):
    """{placement id: [HeldReview, ...]} for every formal review dated up to `today`. A visit
    dated after today clears nothing ahead of time."""
    found = defaultdict(list)
    if not placement_ids:
        return found
    rows = db.session.execute(
        sa.select(Visit.placement_id, Visit.kind, Visit.visit_date, Visit.review_status, Visit.uuid,
                  VisitVersion.form_id, VisitVersion.form_version, VisitVersion.answers)
        .join(VisitVersion, sa.and_(VisitVersion.visit_id == Visit.id, VisitVersion.version == Visit.current_version))
        .where(Visit.placement_id.in_(placement_ids), Visit.kind.in_(FORMAL_REVIEW_KINDS),
               Visit.visit_date <= today))
    for placement_id, kind, day, status, visit_uuid, form_id, form_version, answers in rows:
        found[placement_id].append(HeldReview(kind, day, assess(status, form_id, form_version, answers), visit_uuid))
    return found


def last_counted(reviews, kinds=FORMAL_REVIEW_KINDS):
    """The date of the latest review of these kinds that counts, or None."""
    return max((r.visit_date for r in reviews if r.kind in kinds and r.counts), default=None)


def not_counted_since(reviews, kinds=FORMAL_REVIEW_KINDS):
    """The latest review of these kinds held after the last one that counts and not counting
    itself, or None: what the due item should explain."""
    last = last_counted(reviews, kinds)
    pending = [r for r in reviews if r.kind in kinds and not r.counts and (last is None or r.visit_date >= last)]
    return max(pending, key=lambda r: r.visit_date, default=None)


def explanation(review):
    return f"the review on {long_date(review.visit_date)} does not count: {'; '.join(review.reasons)} ({POLICY_SECTION})"


def explain(label, reviews, kinds=FORMAL_REVIEW_KINDS):
    """A review due item's label, with why the latest review held did not clear it."""
    pending = not_counted_since(reviews, kinds)
    return f"{label}; {explanation(pending)}" if pending else label
