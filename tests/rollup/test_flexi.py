"""Flexi-schooling (§10.5, §10.6) on its dates: the request and home days before the start, and the
four weeks' notice of withdrawal that sets the end."""
from datetime import date

import pytest

from rollup.factories import make_placement, make_user
from server.services import flexi
from server.services.deadlines import placement_due_items
from server.services.placement_rules import activation_blockers
from server.services.refusal import Refused

NOTICE_ON = date(2026, 11, 2)
FOUR_WEEKS_ON = date(2026, 11, 30)
TODAY = date(2026, 11, 5)


@pytest.fixture
def leader(school):
    return make_user(school, "ap_leader", "Rosa Patel")


def flexi_placement(school, **fields):
    values = {"head_decision_in_writing_on": date(2026, 8, 20), "flexi_request_received_on": date(2026, 8, 1),
              "flexi_home_educator": "Mother", "flexi_home_welfare": "Mother", **fields}
    return make_placement(school, kind="flexi_schooling", start=date(2026, 9, 7), sessions=("mon_am", "mon_pm"),
                          **values)


def test_flexi_schooling_starts_only_with_the_request_and_who_has_the_child_on_home_days(school):
    placement = flexi_placement(school, status="planned", flexi_request_received_on=None, flexi_home_educator=" ",
                                flexi_home_welfare=None)
    blockers = activation_blockers(placement, date(2026, 9, 1))
    assert "Record the date of the parents' written request for flexi-schooling (§10.5)." in blockers
    assert "Record who educates the child at home on home days (§10.5)." in blockers
    assert "Record who is responsible for the child's welfare on home days (§10.5)." in blockers
    ready = flexi_placement(school, status="planned")
    assert not [b for b in activation_blockers(ready, date(2026, 9, 1)) if "§10.5" in b]


def test_four_weeks_notice_sets_the_end_four_weeks_on_by_default(school, leader):
    placement = flexi_placement(school)
    changes = flexi.record_notice(placement, {"notice_by": "parents", "notice_on": NOTICE_ON}, leader, TODAY)
    assert placement.planned_end_date == FOUR_WEEKS_ON and changes["planned_end_date"] == [None, "2026-11-30"]
    [item] = [i for i in placement_due_items([placement], TODAY)[placement.id] if i["kind"] == "flexi_notice"]
    assert (item["due_on"], item["overdue"]) == (FOUR_WEEKS_ON, False)
    assert "notice given by parents or carers on 2 November 2026" in item["label"]
    [item] = [i for i in placement_due_items([placement], date(2026, 12, 1))[placement.id]
              if i["kind"] == "flexi_notice"]
    assert item["overdue"] and item["label"].startswith("Flexi-schooling ended on 30 November 2026")


def test_an_end_sooner_than_four_weeks_is_refused_unless_both_sides_agreed_it(school, leader):
    placement = flexi_placement(school)
    early = {"notice_by": "school", "notice_on": NOTICE_ON, "ends_on": date(2026, 11, 27)}
    with pytest.raises(Refused) as refused:
        flexi.record_notice(placement, early, leader, TODAY)
    assert refused.value.field == "ends_on" and "30 November 2026 at the earliest" in refused.value.message
    assert placement.flexi_notice_on is None and placement.planned_end_date is None
    flexi.record_notice(placement, early | {"earlier_end_agreed": "Mr and Mrs Example agreed with the head, 3 Nov."},
                        leader, TODAY)
    assert placement.planned_end_date == date(2026, 11, 27) and placement.flexi_notice_by == "school"


def test_the_same_notice_again_changes_nothing_and_a_different_one_is_refused(school, leader):
    placement = flexi_placement(school)
    notice = {"notice_by": "parents", "notice_on": NOTICE_ON}
    flexi.record_notice(placement, notice, leader, TODAY)
    assert flexi.record_notice(placement, notice | {"ends_on": FOUR_WEEKS_ON}, leader, TODAY) == {}
    with pytest.raises(Refused):
        flexi.record_notice(placement, notice | {"notice_on": date(2026, 11, 3)}, leader, TODAY)


@pytest.mark.parametrize("data, field", [
    ({"notice_by": "parents", "notice_on": date(2026, 11, 6)}, "notice_on"),      # after today
    ({"notice_by": "parents", "notice_on": date(2026, 9, 4)}, "notice_on"),       # before the start
    ({"notice_by": "grandma", "notice_on": NOTICE_ON}, "notice_by"),
    ({"notice_by": "parents", "notice_on": NOTICE_ON, "ends_on": date(2026, 11, 1)}, "ends_on"),
])
def test_a_notice_is_refused_with_the_field_it_is_about(school, leader, data, field):
    with pytest.raises(Refused) as refused:
        flexi.record_notice(flexi_placement(school), data, leader, TODAY)
    assert refused.value.field == field


def test_only_an_active_flexi_schooling_agreement_takes_notice(school, leader):
    with pytest.raises(Refused):
        flexi.record_notice(flexi_placement(school, status="planned"), {"notice_by": "parents", "notice_on": NOTICE_ON},
                            leader, TODAY)
    with pytest.raises(Refused):
        flexi.record_notice(make_placement(school), {"notice_by": "parents", "notice_on": NOTICE_ON}, leader, TODAY)


def test_under_notice_the_end_date_keeps_to_four_weeks(school, leader):
    placement = flexi_placement(school)
    assert flexi.end_refusal(placement, date(2026, 11, 20)) is None     # no notice yet
    flexi.record_notice(placement, {"notice_by": "parents", "notice_on": NOTICE_ON}, leader, TODAY)
    assert "at the earliest" in flexi.end_refusal(placement, date(2026, 11, 20))
    assert flexi.end_refusal(placement, date(2026, 12, 18)) is None
    assert "has an end date" in flexi.end_refusal(placement, None)
