"""Flexi-schooling (§10.4–§10.6): what an agreement needs before it starts, and how it ends.

- `start_blockers()`: besides the headteacher's written decision (§10.4, placement_rules), an
  agreement starts only with the parents' written request (its date) and, for the days the
  child is at home, who educates them and who is responsible for their welfare (§10.5). An
  active agreement keeps them.
- `record_notice()`: either side may withdraw by giving four weeks' notice (§10.6). Recording a
  notice (who gave it, when) sets the date the agreement ends, no earlier than four weeks after
  the notice unless both sides agreed an earlier end, which is then recorded in words (who
  agreed what). `end_refusal()` keeps a later edit of the end date to the same rule.
- `due()`: once notice is given, the end date is a deadline (kind `flexi_notice`): the
  placement is ended on it, and is overdue after it until it is.
No Flask request globals; flush, never commit.
"""
from datetime import timedelta

from server.dates import long_date, refuse_unless_happened
from server.models.base import utcnow
from server.services import audit
from server.services.refusal import Refused
from server.vocabulary import NOTICE_GIVERS, labels

KIND = "flexi_schooling"
POLICY_SECTION = "§10.6"
NOTICE = timedelta(weeks=4)
TEXT_MAX_LENGTH = 500
AGREED_MAX_LENGTH = 2000


def start_blockers(placement):
    if placement.kind != KIND:
        return []
    found = []
    if placement.flexi_request_received_on is None:
        found.append("Record the date of the parents' written request for flexi-schooling (§10.5).")
    if not (placement.flexi_home_educator or "").strip():
        found.append("Record who educates the child at home on home days (§10.5).")
    if not (placement.flexi_home_welfare or "").strip():
        found.append("Record who is responsible for the child's welfare on home days (§10.5).")
    return found


def earliest_end(notice_on):
    """The first day the agreement may end without an earlier end agreed: four weeks on."""
    return notice_on + NOTICE


def record_notice(placement, data, actor, today):
    """Record a notice of withdrawal (`data`: notice_by, notice_on, ends_on, earlier_end_agreed)
    and set the placement's planned end. Returns the changes (empty when the same notice was
    recorded already)."""
    if placement.kind != KIND:
        raise Refused("validation_failed", "Notice of withdrawal is for a flexi-schooling agreement (§10.6).")
    if placement.status != "active":
        raise Refused("validation_failed",
                      "Notice is recorded on an agreement that has started; a planned one is cancelled instead.")
    by, notice_on, ends_on = data.get("notice_by"), data.get("notice_on"), data.get("ends_on")
    agreed = (data.get("earlier_end_agreed") or "").strip() or None
    if by not in NOTICE_GIVERS:
        raise Refused("validation_failed", "Say who gave notice: the parents or the school.", field="notice_by")
    refuse_unless_happened(
        notice_on, placement.start_date, today, "notice_on", missing="Enter the date notice was given.",
        future="Notice cannot be dated after today.",
        early=f"The agreement started on {long_date(placement.start_date)}: notice is given after that.")
    ends_on = ends_on or earliest_end(notice_on)
    if ends_on < notice_on:
        raise Refused("validation_failed", "The agreement cannot end before notice was given.", field="ends_on")
    if agreed and len(agreed) > AGREED_MAX_LENGTH:
        raise Refused("validation_failed",
                      f"Keep what was agreed under {AGREED_MAX_LENGTH} characters.", field="earlier_end_agreed")
    refusal = _too_early(notice_on, ends_on, agreed)
    if refusal:
        raise Refused("validation_failed", refusal, field="ends_on")
    if placement.flexi_notice_on is not None:
        same = (placement.flexi_notice_by, placement.flexi_notice_on, placement.planned_end_date,
                placement.flexi_notice_earlier_end_agreed) == (by, notice_on, ends_on, agreed)
        if same:
            return {}
        raise Refused("validation_failed",
                      f"Notice was already recorded as given on {long_date(placement.flexi_notice_on)}: the "
                      "agreement ends on " + long_date(placement.planned_end_date) + ". To change the end, edit the "
                      "agreement's planned end date.")
    changes = {"flexi_notice_by": [None, by], "flexi_notice_on": [None, notice_on.isoformat()],
               "planned_end_date": [placement.planned_end_date.isoformat() if placement.planned_end_date else None,
                                    ends_on.isoformat()]}
    if agreed:
        changes["flexi_notice_earlier_end_agreed"] = [None, agreed]
    placement.flexi_notice_by, placement.flexi_notice_on = by, notice_on
    placement.flexi_notice_earlier_end_agreed = agreed
    placement.planned_end_date = ends_on
    placement.flexi_notice_recorded_by_id, placement.flexi_notice_recorded_at = actor.id, utcnow()
    audit.record("placement.flexi_notice_recorded", placement, actor=actor, changes=changes)
    return changes


def _too_early(notice_on, ends_on, agreed):
    if ends_on >= earliest_end(notice_on) or agreed:
        return None
    return (f"Four weeks' notice: given on {long_date(notice_on)}, the agreement ends on "
            f"{long_date(earliest_end(notice_on))} at the earliest, unless both sides agreed an earlier end — then "
            f"record who agreed what ({POLICY_SECTION}).")


def end_refusal(placement, new_end):
    """Why an agreement under notice may not have `new_end` as its planned end, or None."""
    if placement.kind != KIND or placement.flexi_notice_on is None:
        return None
    if new_end is None:
        return (f"Notice was given on {long_date(placement.flexi_notice_on)}: the agreement has an end date "
                f"({POLICY_SECTION}).")
    return _too_early(placement.flexi_notice_on, new_end, placement.flexi_notice_earlier_end_agreed)


def due(placement, today):
    """The end set by a notice, as (kind, label, due_on, overdue) for an active agreement."""
    if placement.kind != KIND or placement.status != "active" or placement.flexi_notice_on is None:
        return []
    end = placement.planned_end_date
    who = labels("notice_givers").get(placement.flexi_notice_by, placement.flexi_notice_by)
    verb = "ended" if today > end else "ends"
    label = (f"Flexi-schooling {verb} on {long_date(end)}: notice given by {who.lower()} on "
             f"{long_date(placement.flexi_notice_on)}; end the placement and record its outcome")
    return [("flexi_notice", label, end, today > end)]
