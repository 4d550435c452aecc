"""A formal review counts only when signed off and held with the pupil and parents, or with the
reason they were not there (§8.2), on the real 2026/27 term dates (Autumn 1 ends Fri 23 Oct,
Autumn 2 Fri 18 Dec). A review that does not count leaves the deadline where it was, and the item
and the placement record say why."""
from datetime import date

import pytest

from rollup.factories import HELD_WITH_FAMILY, make_placement, make_review, make_visit
from server.services import placement_record, review_conditions
from server.services.deadlines import placement_due_items
from server.services.todo import build_todo

IN_AUTUMN_1 = date(2026, 10, 8)
LATER_IN_AUTUMN_1 = date(2026, 10, 20)


def review_item(placement, today, kind="formal_review"):
    [item] = [i for i in placement_due_items([placement], today)[placement.id] if i["kind"] == kind]
    return item


def test_a_signed_off_review_held_with_the_pupil_and_parents_moves_the_deadline_on(school, visitor):
    placement = make_placement(school, start=date(2026, 9, 7))
    make_review(visitor, "review_meeting", IN_AUTUMN_1, placement=placement)
    item = review_item(placement, LATER_IN_AUTUMN_1)
    assert (item["due_on"], item["overdue"]) == (date(2026, 12, 18), False)
    assert "does not count" not in item["label"]


@pytest.mark.parametrize("status, why", [("awaiting_review", "it is awaiting sign-off"),
                                         ("sent_back", "it was sent back for correction")])
def test_a_review_not_signed_off_does_not_clear_the_deadline_and_says_why(school, visitor, status, why):
    placement = make_placement(school, start=date(2026, 9, 7))
    make_review(visitor, "review_meeting", IN_AUTUMN_1, placement=placement, review_status=status)
    item = review_item(placement, LATER_IN_AUTUMN_1)
    assert item["due_on"] == date(2026, 10, 23)
    assert f"the review on 8 October 2026 does not count: {why} (§8.2)" in item["label"]
    # After the half term ends it is overdue, still saying why.
    late = review_item(placement, date(2026, 10, 24))
    assert late["overdue"] is True and why in late["label"]


def test_a_pupil_or_parent_absent_with_the_reason_recorded_still_counts(school, visitor):
    placement = make_placement(school, start=date(2026, 9, 7))
    answers = {"pupil_present": {"value": "yes"},
               "parents_present": {"value": "no", "note": "Mother in hospital; spoke to her by phone the same day."}}
    make_review(visitor, "review_meeting", IN_AUTUMN_1, placement=placement, answers=answers)
    assert review_item(placement, LATER_IN_AUTUMN_1)["due_on"] == date(2026, 12, 18)


@pytest.mark.parametrize("answers, why", [
    ({"pupil_present": {"value": "no", "note": "  "}, "parents_present": {"value": "yes"}},
     "the pupil was not there and no reason is recorded"),
    ({"pupil_present": {"value": "yes"}, "parents_present": {"value": "no"}},
     "parents or carers were not there and no reason is recorded"),
    ({"pupil_present": {"value": "yes"}}, "it does not say whether parents or carers were there"),
])
def test_an_absence_without_a_reason_does_not_count(school, visitor, answers, why):
    placement = make_placement(school, start=date(2026, 9, 7))
    make_review(visitor, "review_meeting", IN_AUTUMN_1, placement=placement, answers=answers)
    item = review_item(placement, LATER_IN_AUTUMN_1)
    assert item["due_on"] == date(2026, 10, 23) and why in item["label"]


def test_a_part_time_review_on_the_form_that_never_asked_who_was_there_does_not_count(school, visitor):
    placement = make_placement(school, kind="part_time_timetable", start=date(2026, 9, 7),
                               sessions=("mon_am", "tue_am"))
    make_visit(visitor, "part_time_review", IN_AUTUMN_1, placement=placement, review_status="signed_off",
               form_version=1)
    item = review_item(placement, LATER_IN_AUTUMN_1)
    assert item["due_on"] == date(2026, 10, 23)
    assert "its form (version 1) did not record who was there" in item["label"]
    make_review(visitor, "part_time_review", date(2026, 10, 15), placement=placement)   # version 2
    assert review_item(placement, LATER_IN_AUTUMN_1)["due_on"] == date(2026, 12, 18)


def test_a_flexi_review_counts_for_its_term_only_when_it_meets_the_conditions(school, visitor):
    placement = make_placement(school, kind="flexi_schooling", start=date(2026, 9, 7), sessions=("mon_am",))
    make_review(visitor, "flexi_review", date(2026, 11, 20), placement=placement, review_status="awaiting_review")
    item = review_item(placement, date(2026, 12, 19), "flexi_review")
    assert item["overdue"] is True and "it is awaiting sign-off" in item["label"]
    make_review(visitor, "flexi_review", date(2026, 12, 1), placement=placement)
    item = review_item(placement, date(2026, 12, 19), "flexi_review")
    assert (item["due_on"], item["overdue"]) == (date(2027, 3, 26), False)


def test_a_later_review_that_does_not_count_is_explained_without_undoing_the_one_that_did(school, visitor):
    placement = make_placement(school, start=date(2026, 9, 7))
    make_review(visitor, "review_meeting", IN_AUTUMN_1, placement=placement)
    make_review(visitor, "review_meeting", date(2026, 11, 10), placement=placement, review_status="awaiting_review")
    item = review_item(placement, date(2026, 11, 12))
    assert item["due_on"] == date(2026, 12, 18)
    assert "the review on 10 November 2026 does not count: it is awaiting sign-off" in item["label"]


def test_the_rule_reads_the_form_the_review_was_made_on():
    assert review_conditions.assess("signed_off", "review_meeting", 1, HELD_WITH_FAMILY) == ()
    assert review_conditions.assess("signed_off", "flexi_review", 2, HELD_WITH_FAMILY) == ()
    assert review_conditions.assess("signed_off", "flexi_review", 1, HELD_WITH_FAMILY) == (
        "its form (version 1) did not record who was there",)
    assert review_conditions.assess("awaiting_review", "no_such_form", 9, None) == (
        "it is awaiting sign-off", "its form (version 9) did not record who was there")


def test_the_record_and_the_to_do_say_the_same_about_a_review_that_does_not_count(school, visitor):
    placement = make_placement(school, start=date(2026, 9, 7), qa_visit_every_weeks=4)
    visit = make_review(visitor, "review_meeting", IN_AUTUMN_1, placement=placement, review_status="awaiting_review")
    record = placement_record.build(placement, LATER_IN_AUTUMN_1, with_concerns=False)
    assert [(v.uuid, reasons) for v, reasons in record.reviews_not_counted] == [
        (visit.uuid, ("it is awaiting sign-off",))]
    assert [status for _, status, _ in record.review_history] == ["due", "upcoming"]
    assert record.last_review is None
    [on_record] = [item for item in record.due if item.kind == "formal_review"]
    todo = build_todo(school.id, LATER_IN_AUTUMN_1)
    [on_todo] = [e.due for g in todo.groups for e in g.items if e.due.kind == "formal_review"]
    assert on_record.label == on_todo.label and "does not count" in on_todo.label
