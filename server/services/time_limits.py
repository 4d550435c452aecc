"""Arrangements the policy makes temporary: an off-site direction (§6.2) and a part-time
timetable (§9.4). Each has an end date that is a deadline: it must be set before the start,
and once passed the placement is overdue until it is ended or extended with a new decision.

- `start_blockers()`: what each needs recorded before it starts, and keeps while active: the end
  date; a direction's review before it; a part-time timetable's reason and its approver's own
  affirmation that it is not a behaviour sanction.
- `extension_refusal()`: moving an active one's end date later needs a new decision (the
  governing body's, or the part-time approval), dated after the one it had.
- `due()`: the end date as a due item (kinds `direction_end`, `part_time_end`).
Plain functions of values, no database.
"""
from datetime import timedelta

from server.dates import long_date

DIRECTION = "off_site_direction"
PART_TIME = "part_time_timetable"
END_KINDS = {DIRECTION: ("direction_end", "§6.2"), PART_TIME: ("part_time_end", "§9.4")}
REASON_MAX_LENGTH = 2000


def start_blockers(placement):
    found = []
    if placement.kind == DIRECTION:
        if placement.planned_end_date is None:
            found.append("An off-site direction is time-limited: set the date it ends (§6.2).")
        elif placement.direction_review_on and placement.direction_review_on >= placement.planned_end_date:
            found.append("The off-site direction's review must be before the date it ends (§6.2).")
    elif placement.kind == PART_TIME:
        if placement.planned_end_date is None:
            found.append("A part-time timetable is temporary: set the date it ends (§9.4).")
        if not (placement.part_time_reason or "").strip():
            found.append("Record why the pupil needs a part-time timetable (§9.4).")
        if not affirmed(placement):
            found.append("The approver has not affirmed that the part-time timetable is not a behaviour "
                         "sanction (§9.4).")
    return found


def affirmed(placement):
    """The affirmation counts only when the approver of record made it."""
    return (placement.not_a_sanction_affirmed_by_id is not None
            and placement.not_a_sanction_affirmed_by_id == placement.approved_by_id)


def extension_refusal(kind, old_end, new_end, old_decision, new_decision):
    """Why an active placement's end date may not move from `old_end` to `new_end`, or None.
    The decision is the governing body's approval (direction) or the approval date (part-time)."""
    if kind not in END_KINDS or old_end is None or new_end is None or new_end <= old_end:
        return None
    if new_decision is not None and (old_decision is None or new_decision > old_decision):
        return None
    if kind == DIRECTION:
        return ("Extending an off-site direction needs a new decision: record the date the governing body "
                "approved the extension (§6.2).")
    return ("Extending a part-time timetable needs a new approval: record the date it was approved again "
            "(§9.4).")


def due(placement, today):
    """The end date as a deadline, for an active direction or part-time timetable."""
    if placement.status != "active" or placement.kind not in END_KINDS or placement.planned_end_date is None:
        return []
    kind, _ = END_KINDS[placement.kind]
    end = placement.planned_end_date
    noun = "Off-site direction" if placement.kind == DIRECTION else "Part-time timetable"
    back = "the governing body's new decision" if placement.kind == DIRECTION else "a new approval"
    if today > end:
        label = f"{noun} passed its end date ({long_date(end)}): end it, or extend it with {back}"
    else:
        label = f"{noun} ends on {long_date(end)}: end it, or extend it with {back}"
    return [(kind, label, end, today > end)]


def review_due_on(placement):
    """A direction's review falls due on its date, and never later than the day before it ends."""
    if placement.planned_end_date is None:
        return placement.direction_review_on
    return min(placement.direction_review_on, placement.planned_end_date - timedelta(days=1))
