"""The §7.2 registration test, re-run on every change: a provider that must be registered and is
not is an overdue safeguarding item on every open placement there, the to-do (once) and the
provider record; an unregistered provider that passes carries the "unregistered" warning."""
from datetime import date, timedelta

import pytest

from rollup.factories import make_placement, make_provider, make_pupil
from server.services import provider_record, registration
from server.services.deadlines import placement_due_items
from server.services.todo import build_todo

TODAY = date(2026, 11, 10)   # a Tuesday in Autumn 2
FULL_WEEK = ("mon_am", "mon_pm", "tue_am", "tue_pm", "wed_am", "wed_pm", "thu_am", "thu_pm", "fri_am", "fri_pm")
PART_WEEK = ("mon_am", "mon_pm", "tue_am")


@pytest.fixture
def unregistered(school):
    return make_provider(school, name="Backyard Skills", status="unregistered")


def registration_items(placement, today=TODAY):
    return [i for i in placement_due_items([placement], today)[placement.id] if i["kind"] == "registration"]


def test_a_provider_that_passes_owes_nothing_and_says_it_is_unregistered(school, unregistered):
    placement = make_placement(school, provider=unregistered, sessions=PART_WEEK, start=date(2026, 11, 2))
    assert registration_items(placement) == []
    assert "Unregistered provider: Backyard Skills" in registration.unregistered_notice(unregistered)
    registered = make_provider(school, status="registered_other")
    assert registration.unregistered_notice(registered) is None
    assert registration.unregistered_notice(make_provider(school, status="online_only")) is None


def test_editing_sessions_to_full_time_makes_every_open_placement_there_overdue(school, unregistered):
    ehcp = make_pupil(school, "Ben")
    ehcp.ehcp = True
    edited = make_placement(school, provider=unregistered, pupil=ehcp, sessions=PART_WEEK, start=date(2026, 11, 2))
    other = make_placement(school, provider=unregistered, sessions=PART_WEEK, start=date(2026, 9, 14))
    assert registration_items(edited) == registration_items(other) == []
    edited.sessions = list(FULL_WEEK)
    for placement in (edited, other):
        [item] = registration_items(placement)
        assert item["overdue"] and "Registration test failed" in item["label"] and "Ben" in item["label"]
        # Due from the earliest start of an active placement there: pupils were already placed.
        assert item["due_on"] == date(2026, 9, 14)
    assert registration.unregistered_notice(unregistered) is None


def test_a_pupils_ehcp_or_looked_after_flag_reruns_the_test(school, unregistered):
    placement = make_placement(school, provider=unregistered, sessions=FULL_WEEK, start=date(2026, 11, 2))
    assert registration_items(placement) == []
    placement.pupil.looked_after = True
    [item] = registration_items(placement)
    assert "looked after" in item["label"] and item["due_on"] == date(2026, 11, 2) and item["overdue"]
    placement.pupil.looked_after = False
    placement.pupil.ehcp = True
    assert registration_items(placement)
    placement.pupil.ehcp = False
    assert registration_items(placement) == []


def test_five_full_time_pupils_from_this_school_fail_it(school, unregistered):
    placements = [make_placement(school, provider=unregistered, sessions=FULL_WEEK, start=date(2026, 11, 2))
                  for _ in range(4)]
    assert registration_items(placements[0]) == []
    # Starting a fifth (here: planning it) re-runs the test for the four already there.
    make_placement(school, provider=unregistered, sessions=FULL_WEEK, start=date(2026, 11, 30), status="planned")
    [item] = registration_items(placements[0])
    assert "5 pupils full time" in item["label"]


def test_found_on_the_day_an_active_placement_started_it_is_overdue_from_yesterday(school, unregistered):
    placement = make_placement(school, provider=unregistered, sessions=FULL_WEEK, start=TODAY)
    placement.pupil.ehcp = True
    [item] = registration_items(placement)
    assert item["due_on"] == TODAY - timedelta(days=1) and item["overdue"]


def test_with_only_planned_placements_it_is_due_the_day_before_the_earliest_start(school, unregistered):
    ehcp = make_pupil(school)
    ehcp.ehcp = True
    placement = make_placement(school, provider=unregistered, pupil=ehcp, sessions=FULL_WEEK,
                               start=date(2026, 11, 23), status="planned")
    [item] = registration_items(placement)
    assert item["due_on"] == date(2026, 11, 22) and not item["overdue"]
    assert registration_items(placement, today=date(2026, 11, 23))[0]["overdue"]


def test_registered_on_site_and_closed_placements_never_owe_it(school):
    for status in ("registered_independent_school", "registered_other", "on_site_unit"):
        provider = make_provider(school, status=status)
        provider.full_time_pupils = 50
        assert registration_items(make_placement(school, provider=provider, sessions=FULL_WEEK)) == []
    provider = make_provider(school, status="unregistered")
    provider.full_time_pupils = 50
    cancelled = make_placement(school, provider=provider, sessions=FULL_WEEK, status="cancelled")
    assert registration_items(cancelled) == []


def test_the_to_do_lists_it_once_per_provider_first_and_the_provider_record_shows_it(school, unregistered):
    for _ in range(2):
        placement = make_placement(school, provider=unregistered, sessions=FULL_WEEK, start=date(2026, 11, 2))
        placement.pupil.ehcp = True
    todo = build_todo(school.id, TODAY)
    assert todo.groups[0].key == "registration"
    [entry] = todo.groups[0].items
    assert entry.subject == "Backyard Skills" and entry.due.overdue and entry.provider_uuid == unregistered.uuid
    record = provider_record.build(unregistered, TODAY)
    assert [item.kind for item in record.due if item.kind == "registration" and item.overdue] == ["registration"]
    assert record.registration_warning and record.unregistered_notice is None
