"""Before a placement starts (§4.3, §7.4, §7.10): the pupil's needs analysis and individual risk
assessment for every placement, what was shared with the provider and the parents' views on the
choice of provider for every placement with one; each a start gate, and an overdue item on a
running placement without it. The pupil risk assessment is reviewed after every signed-off
formal review; a statutory partner the pupil comes to need after the start is overdue at once
(§7.5, §7.6, §8.8). On the real 2026/27 term dates (see factories.py)."""
from datetime import date

import pytest

from rollup.factories import make_placement, make_visit
from server.services import before_start, bootstrap, partners, placement_rules, todo
from server.services.deadlines import POLICY_SECTIONS, placement_due_items

START = date(2026, 9, 7)


def items(placement, today, kinds=None):
    found = placement_due_items([placement], today)[placement.id]
    return [item for item in found if kinds is None or item["kind"] in kinds]


OWN_KINDS = ("needs_analysis", "pupil_risk_assessment", "information_shared", "parents_consulted",
             "statutory_partners")


@pytest.mark.parametrize("kind, owed", [
    ("off_site_ap", ["needs_analysis", "pupil_risk_assessment", "information_shared", "parents_consulted"]),
    ("on_site_ap", ["needs_analysis", "pupil_risk_assessment", "information_shared", "parents_consulted"]),
    ("off_site_direction", ["needs_analysis", "pupil_risk_assessment", "information_shared", "parents_consulted"]),
    ("part_time_timetable", ["needs_analysis", "pupil_risk_assessment"]),
    ("flexi_schooling", ["needs_analysis", "pupil_risk_assessment"]),
])
def test_what_each_kind_owes_before_the_start(school, kind, owed):
    blank = {name: None for key in before_start.RECORDS for name in before_start.RECORDS[key][2]}
    placement = make_placement(school, kind=kind, status="planned", **blank)
    assert before_start.owed(placement) == owed
    assert before_start.missing(placement) == owed
    blockers = placement_rules.activation_blockers(placement, START)
    mine = before_start.start_blockers(placement)
    assert [b for b in blockers if b in mine] == mine
    assert len(before_start.start_blockers(placement)) == len(owed)


def test_every_part_is_needed_and_blank_text_is_not_written(school):
    placement = make_placement(school, status="planned", parents_view="   ")
    assert before_start.start_blockers(placement) == [
        "Record the parents' views on the choice of provider: who, when, and their view (§7.4)."]
    placement.parents_view = "Happy with it."
    placement.information_shared_with = None
    assert before_start.start_blockers(placement) == [
        "Record what was shared with the provider about the pupil: what, when, by whom and to whom (§7.10)."]
    placement.information_shared_with = "The provider's DSL"
    assert before_start.start_blockers(placement) == []


def test_a_running_placement_without_them_owes_them_overdue_from_the_day_before_the_start(school):
    placement = make_placement(school, needs_analysis=None, pupil_risks=None)
    due = items(placement, date(2026, 9, 7), OWN_KINDS)
    assert [(i["kind"], i["due_on"], i["overdue"]) for i in due] == [
        ("needs_analysis", date(2026, 9, 6), True), ("pupil_risk_assessment", date(2026, 9, 6), True)]
    assert due[0]["label"] == "Not recorded before the start: a needs analysis of the pupil (§4.3)"
    # A planned one owes them as start gates, not items.
    placement.status = "planned"
    assert items(placement, date(2026, 9, 1), OWN_KINDS) == []


def test_the_pupil_risk_assessment_is_reviewed_after_each_signed_off_formal_review(school, visitor):
    placement = make_placement(school)     # assessed 20 August 2026, never reviewed since
    make_visit(visitor, "review_meeting", date(2026, 10, 20), placement, review_status="awaiting_review")
    assert items(placement, date(2026, 10, 21), OWN_KINDS) == [], "a review not yet signed off asks nothing"
    make_visit(visitor, "review_meeting", date(2026, 10, 20), placement, review_status="signed_off")
    due = items(placement, date(2026, 11, 3), OWN_KINDS)
    assert [(i["kind"], i["due_on"], i["overdue"]) for i in due] == [
        ("pupil_risk_assessment", date(2026, 11, 3), False)]   # 14 days after the meeting; due today
    assert due[0]["label"] == ("Review the pupil risk assessment after the formal review of 20 October 2026 "
                               "(last reviewed 20 August 2026)")
    assert items(placement, date(2026, 11, 4), OWN_KINDS)[0]["overdue"] is True
    placement.pupil_risk_reviewed_on = date(2026, 10, 20)   # reviewed at the meeting itself: counts
    assert items(placement, date(2026, 11, 4), OWN_KINDS) == []
    # The next signed-off formal review (any kind that counts as one) asks again.
    make_visit(visitor, "part_time_review", date(2026, 12, 10), placement, review_status="signed_off")
    assert [i["due_on"] for i in items(placement, date(2026, 12, 11), OWN_KINDS)] == [date(2026, 12, 24)]
    # A QA visit is no formal review, and a visit dated after today counts for nothing.
    placement.pupil_risk_reviewed_on = date(2026, 12, 10)
    make_visit(visitor, "qa_visit", date(2027, 1, 11), placement, review_status="signed_off")
    make_visit(visitor, "review_meeting", date(2027, 1, 20), placement, review_status="signed_off")
    assert items(placement, date(2027, 1, 12), OWN_KINDS) == []
    assert [i["due_on"] for i in items(placement, date(2027, 1, 20), OWN_KINDS)] == [date(2027, 2, 3)]


def test_a_review_before_any_risk_assessment_asks_only_for_the_assessment(school, visitor):
    placement = make_placement(school, pupil_risk_assessed_on=None)
    make_visit(visitor, "review_meeting", date(2026, 10, 20), placement, review_status="signed_off")
    assert [i["label"] for i in items(placement, date(2026, 10, 21), OWN_KINDS)] == [
        "Not recorded before the start: an individual risk assessment of the pupil (§4.3)"]


def test_a_partner_needed_after_the_start_is_overdue_until_recorded(school):
    placement = make_placement(school)
    assert items(placement, date(2026, 11, 2), OWN_KINDS) == []
    placement.pupil.looked_after = True       # after the start: no start gate any more
    due = items(placement, date(2026, 11, 2), OWN_KINDS)
    assert [(i["kind"], i["due_on"], i["overdue"]) for i in due] == [
        ("statutory_partners", date(2026, 9, 6), True), ("statutory_partners", date(2026, 9, 6), True)]
    assert due[0]["label"] == ("Consult the Virtual School Head and record who and when: the pupil's "
                               "circumstances need it (§7.6, §8.8)")
    placement.virtual_school_consulted_name, placement.virtual_school_consulted_on = "Colin Reyes", date(2026, 11, 2)
    placement.social_worker_consulted_name, placement.social_worker_consulted_on = "Jordan Pryce", date(2026, 11, 2)
    assert items(placement, date(2026, 11, 2), OWN_KINDS) == []
    # A placement that is only planned keeps the start gate instead.
    planned = make_placement(school, status="planned", start=date(2026, 11, 9))
    planned.pupil.ehcp = True
    assert items(planned, date(2026, 11, 2), OWN_KINDS) == []
    assert partners.start_blockers(planned) == [
        "Consult the local authority (SEN team) and record who and when (§7.5)."]


def test_a_partner_for_an_active_placement_starting_later_is_overdue_from_yesterday(school):
    placement = make_placement(school, start=date(2026, 11, 9))
    placement.pupil.ehcp = True
    [item] = partners.due(placement, date(2026, 11, 2))
    assert item[2:] == (date(2026, 11, 1), True)


def test_one_rule_one_home_the_to_do_and_the_phone_carry_the_same_items(school, visitor):
    placement = make_placement(school, needs_analysis_on=None)
    placement.pupil.has_social_worker = True
    make_visit(visitor, "review_meeting", date(2026, 10, 20), placement, review_status="signed_off")
    today = date(2026, 10, 26)
    mine = items(placement, today, OWN_KINDS)
    assert {i["kind"] for i in mine} == {"needs_analysis", "statutory_partners", "pupil_risk_assessment"}
    assert set(OWN_KINDS) <= set(bootstrap.PHONE_DUE_KINDS)
    listed = todo.build_todo(school.id, today)
    group = next(g for g in listed.groups if g.key == "pupil")
    assert sorted((e.due.kind, e.due.label) for e in group.items) == sorted((i["kind"], i["label"]) for i in mine)
    assert {kind: POLICY_SECTIONS[kind] for kind in OWN_KINDS} == {
        "needs_analysis": "§4.3", "pupil_risk_assessment": "§4.3", "information_shared": "§7.10",
        "parents_consulted": "§7.4", "statutory_partners": "§7.5, §7.6, §8.8"}
