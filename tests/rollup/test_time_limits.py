"""Time-limited arrangements (§6.2, §9.4) on their dates: an off-site direction's and a part-time
timetable's end date is a deadline, its review falls before it, and past it the placement is
overdue until it is ended or extended."""
from datetime import date

import pytest

from rollup.factories import make_placement, make_user
from server.services import time_limits
from server.services.deadlines import placement_due_items
from server.services.todo import build_todo

END = date(2027, 2, 12)   # the last day of Spring 1


def due(placement, today, kind):
    return [i for i in placement_due_items([placement], today)[placement.id] if i["kind"] == kind]


def direction(school, **fields):
    values = {"governors_approved_on": date(2026, 9, 1), "parents_told_in_writing_on": date(2026, 9, 2),
              "direction_review_on": date(2027, 1, 15), "planned_end_date": END, **fields}
    return make_placement(school, kind="off_site_direction", **values)


def test_a_directions_end_date_is_due_on_itself_and_overdue_the_day_after(school):
    placement = direction(school)
    [item] = due(placement, END, "direction_end")
    assert item["due_on"] == END and not item["overdue"] and "ends on 12 February 2027" in item["label"]
    [item] = due(placement, date(2027, 2, 13), "direction_end")
    assert item["overdue"] and "passed its end date (12 February 2027)" in item["label"]
    assert "governing body's new decision" in item["label"]


def test_an_ended_direction_owes_nothing_more(school):
    placement = direction(school, status="ended", end_date=END, outcome="Back in school", destination="School")
    assert due(placement, date(2027, 3, 1), "direction_end") == []


def test_the_direction_review_falls_before_the_end(school):
    placement = direction(school, direction_review_on=date(2027, 1, 15))
    assert due(placement, date(2027, 1, 4), "direction_review")[0]["due_on"] == date(2027, 1, 15)
    # A review date on or after the end is pulled back to the day before the end (and refused at start).
    placement.direction_review_on = date(2027, 3, 1)
    assert due(placement, date(2027, 1, 4), "direction_review")[0]["due_on"] == date(2027, 2, 11)
    assert "review must be before the date it ends" in " ".join(time_limits.start_blockers(placement))


def test_a_part_time_timetable_ends_on_its_date_and_is_then_overdue(school):
    head = make_user(school, "headteacher", "Helen Head")
    placement = make_placement(school, kind="part_time_timetable", planned_end_date=date(2026, 12, 18),
                               approved_by_id=head.id, approved_on=date(2026, 9, 1), part_time_reason="Medical",
                               parent_agreed_on=date(2026, 9, 1), not_a_sanction_affirmed_by_id=head.id)
    assert due(placement, date(2026, 12, 18), "part_time_end")[0]["overdue"] is False
    [item] = due(placement, date(2026, 12, 19), "part_time_end")
    assert item["overdue"] and "new approval" in item["label"]
    todo = build_todo(school.id, date(2026, 12, 19))
    assert [g.key for g in todo.groups if g.key == "time_limits"] == ["time_limits"]


def test_what_each_needs_before_it_starts(school):
    head = make_user(school, "headteacher", "Helen Head")
    other = make_user(school, "ap_leader", "Ann Leader")
    placement = make_placement(school, kind="part_time_timetable", status="planned", approved_by_id=head.id)
    blockers = " ".join(time_limits.start_blockers(placement))
    assert "set the date it ends (§9.4)" in blockers and "Record why" in blockers and "not a behaviour" in blockers
    placement.planned_end_date, placement.part_time_reason = END, "Medical"
    placement.not_a_sanction_affirmed_by_id = other.id   # not the approver: does not count
    assert time_limits.start_blockers(placement) == [
        "The approver has not affirmed that the part-time timetable is not a behaviour sanction (§9.4)."]
    placement.not_a_sanction_affirmed_by_id = head.id
    assert time_limits.start_blockers(placement) == []
    assert "set the date it ends (§6.2)" in time_limits.start_blockers(direction(school, planned_end_date=None))[0]


@pytest.mark.parametrize("old_decision, new_decision, refused", [
    (date(2026, 9, 1), date(2026, 9, 1), True),     # the same decision
    (date(2026, 9, 1), None, True),
    (date(2026, 9, 1), date(2027, 2, 1), False),    # a new, later decision
])
def test_extending_needs_a_new_decision(old_decision, new_decision, refused):
    refusal = time_limits.extension_refusal("off_site_direction", END, date(2027, 3, 26), old_decision, new_decision)
    assert (refusal is not None) == refused
    # Ending earlier, or not moving it, is never an extension.
    assert time_limits.extension_refusal("off_site_direction", END, date(2027, 1, 29), old_decision, None) is None
