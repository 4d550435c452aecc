"""Progress information to parents each half term (§4.3), on the real 2026/27 term dates (Autumn 1
Thu 3 Sep – Fri 23 Oct, Autumn 2 Mon 2 Nov – Fri 18 Dec), and what recording it refuses."""
from datetime import date, datetime, timezone

import pytest
import sqlalchemy as sa

from rollup.factories import make_placement, make_user
from server.extensions import db
from server.models import ParentProgressReport
from server.services import parent_progress
from server.services.deadlines import placement_due_items
from server.services.refusal import Refused
from server.services.todo import build_todo

NOW = datetime(2026, 10, 20, 12, tzinfo=timezone.utc)


@pytest.fixture
def leader(school):
    return make_user(school, "ap_leader", "Rosa Patel")


def progress(placement, today):
    return [i for i in placement_due_items([placement], today)[placement.id] if i["kind"] == "parent_progress"]


def send(placement, leader, on, method="email", today=date(2026, 12, 31)):
    return parent_progress.record(placement, {"sent_on": on, "method": method, "sent_by_name": "Rosa Patel",
                                              "summary": None}, leader, NOW, today)


@pytest.mark.parametrize("kind", ["off_site_ap", "part_time_timetable", "flexi_schooling", "off_site_direction"])
def test_every_active_placement_owes_progress_to_parents_by_the_end_of_each_half_term(school, kind):
    placement = make_placement(school, kind=kind, start=date(2026, 9, 7))
    [item] = progress(placement, date(2026, 10, 1))
    assert (item["due_on"], item["overdue"]) == (date(2026, 10, 23), False)
    assert item["label"] == "Progress information to parents due by the end of Autumn 1 2026/27"
    [item] = progress(placement, date(2026, 10, 24))
    assert item["overdue"] and item["label"] == (
        "Progress information to parents overdue: none sent yet (was due by the end of Autumn 1 2026/27)")


def test_progress_sent_in_the_half_term_moves_it_to_the_end_of_the_next(school, leader):
    placement = make_placement(school, start=date(2026, 9, 7))
    send(placement, leader, date(2026, 10, 16))
    [item] = progress(placement, date(2026, 10, 20))
    assert (item["due_on"], item["overdue"]) == (date(2026, 12, 18), False)
    # Autumn 2 passes without any: overdue from the Saturday after it ends.
    [item] = progress(placement, date(2026, 12, 19))
    assert item["overdue"] and "none since 16 October 2026" in item["label"]


def test_a_placement_starting_late_in_a_half_term_owes_its_first_report_in_the_next(school):
    placement = make_placement(school, start=date(2026, 10, 19))   # five school days left in Autumn 1
    [item] = progress(placement, date(2026, 10, 20))
    assert item["due_on"] == date(2026, 12, 18)


def test_a_planned_placement_owes_none_yet_and_cannot_record_any(school, leader):
    placement = make_placement(school, start=date(2026, 9, 7), status="planned")
    assert progress(placement, date(2026, 10, 24)) == []
    with pytest.raises(Refused):
        send(placement, leader, date(2026, 9, 8))


def test_recording_refuses_dates_after_today_before_the_start_and_unknown_ways(school, leader):
    placement = make_placement(school, start=date(2026, 9, 7))
    for on, method, field in ((date(2026, 10, 21), "email", "sent_on"), (date(2026, 9, 4), "email", "sent_on"),
                              (date(2026, 10, 1), "pigeon", "method")):
        with pytest.raises(Refused) as refused:
            send(placement, leader, on, method, today=date(2026, 10, 20))
        assert refused.value.field == field
    with pytest.raises(Refused) as refused:
        parent_progress.record(placement, {"sent_on": date(2026, 10, 1), "method": "letter", "sent_by_name": "  "},
                               leader, NOW, date(2026, 10, 20))
    assert refused.value.field == "sent_by_name"
    assert db.session.execute(sa.select(sa.func.count()).select_from(ParentProgressReport)).scalar() == 0


def test_recording_the_same_day_and_way_twice_keeps_one(school, leader):
    placement = make_placement(school, start=date(2026, 9, 7))
    first, created = send(placement, leader, date(2026, 10, 16))
    again, created_again = send(placement, leader, date(2026, 10, 16))
    assert created and not created_again and first.id == again.id
    send(placement, leader, date(2026, 10, 16), method="letter")
    assert len(parent_progress.reports(placement)) == 2


def test_the_to_do_groups_it_under_progress_to_parents(school):
    make_placement(school, start=date(2026, 9, 7))
    todo = build_todo(school.id, date(2026, 10, 20))
    [group] = [g for g in todo.groups if g.key == "parents"]
    assert group.title == "Progress to parents" and [e.due.kind for e in group.items] == ["parent_progress"]
