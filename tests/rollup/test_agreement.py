"""The service-level agreement is complete before a placement with a provider starts (§7.11), and
every off-site placement has a QA visit frequency (§8.1): none owed is never silent."""
from datetime import date

import pytest

from rollup.factories import make_placement
from server.services import agreement
from server.services.deadlines import placement_due_items

AGREED = {**{name: "Agreed." for name in agreement.TERMS}, "cost_pence": 0, "cost_basis": "per term"}


def test_each_missing_term_is_named_and_free_meals_only_for_an_eligible_pupil(school):
    placement = make_placement(school, status="planned", qa_visit_every_weeks=4, **AGREED)
    assert agreement.start_blockers(placement) == []
    placement.aims, placement.cost_pence, placement.free_school_meals = "  ", None, None
    assert agreement.missing_terms(placement) == ["aims", "cost"]
    placement.pupil.fsm_eligible = True
    assert agreement.missing_terms(placement) == ["aims", "free school meals", "cost"]
    [blocker] = agreement.start_blockers(placement)
    assert blocker.startswith("The service-level agreement is not complete") and blocker.endswith("(§7.11).")


@pytest.mark.parametrize("kind, needs_agreement, needs_qa", [
    ("off_site_ap", True, True), ("off_site_direction", True, True), ("on_site_ap", True, False),
    ("part_time_timetable", False, False), ("flexi_schooling", False, False)])
def test_which_kinds_need_an_agreement_and_a_qa_frequency(school, kind, needs_agreement, needs_qa):
    placement = make_placement(school, kind=kind, status="planned")
    blockers = " ".join(agreement.start_blockers(placement))
    assert ("§7.11" in blockers) == needs_agreement and ("§8.1" in blockers) == needs_qa


def test_an_active_off_site_placement_without_a_qa_frequency_owes_one_from_its_start(school):
    start = date(2026, 9, 7)
    placement = make_placement(school, start=start)
    [item] = [i for i in placement_due_items([placement], date(2026, 9, 7))[placement.id] if i["kind"] == "qa_visit"]
    assert item["label"] == agreement.QA_FREQUENCY_MISSING and item["due_on"] == start and not item["overdue"]
    [item] = [i for i in placement_due_items([placement], date(2026, 9, 8))[placement.id] if i["kind"] == "qa_visit"]
    assert item["overdue"]
    on_site = make_placement(school, kind="on_site_ap", start=start)
    assert [i for i in placement_due_items([on_site], date(2026, 9, 8))[on_site.id] if i["kind"] == "qa_visit"] == []
