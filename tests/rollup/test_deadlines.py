"""The deadline rules (docs/rollup.md) on a real school calendar: half terms with holidays
between them, placements that start mid-term or span a holiday, part-time welfare-check days,
termly flexi reviews, QA frequency, risk assessment and evidence expiry."""
from datetime import date, timedelta

import pytest

from rollup.factories import (at, make_action, make_evidence, make_placement, make_provider, make_risk_assessment,
                              make_review, make_school, make_visit)
from server.extensions import db
from server.services import risk_assessments
from server.services.deadlines import placement_due_items, review_history
from server.services.school_calendar import SchoolCalendar, load_calendars
from tests.conftest import statements_sent


def items(placement, today, kind=None):
    found = placement_due_items([placement], today)[placement.id]
    return [item for item in found if kind is None or item["kind"] == kind]


def only(placement, today, kind):
    found = items(placement, today, kind)
    assert len(found) == 1, found
    return found[0]


def calendar_of(school):
    return load_calendars([school.id])[school.id]


# --- The calendar ------------------------------------------------------------------------------

def test_school_days_are_weekdays_inside_the_term_dates(school):
    calendar = calendar_of(school)
    assert calendar.is_school_day(date(2026, 10, 23))        # last day of Autumn 1, a Friday
    assert not calendar.is_school_day(date(2026, 10, 26))    # half-term holiday, a Monday
    assert not calendar.is_school_day(date(2026, 10, 24))    # a Saturday
    assert calendar.count_school_days(date(2026, 10, 12), date(2026, 10, 23)) == 10
    assert calendar.next_school_day(date(2026, 10, 29)) == date(2026, 11, 2)


def test_a_half_terms_window_begins_the_day_after_the_previous_one_ended(school):
    calendar = calendar_of(school)
    autumn_2 = calendar.window_of(calendar.half_terms, date(2026, 10, 28))
    assert autumn_2.label == "Autumn 2 2026/27"
    assert autumn_2.window_start == date(2026, 10, 24)
    assert autumn_2.ends_on == date(2026, 12, 18)
    spring = calendar.window_of(calendar.terms, date(2026, 12, 30))
    assert (spring.label, spring.ends_on) == ("Spring term 2026/27", date(2027, 3, 26))


# --- Formal reviews: at least once every half term (§8.3) -----------------------------------

def test_a_placement_from_the_start_of_term_owes_a_review_by_the_end_of_its_first_half_term(school):
    placement = make_placement(school, start=date(2026, 9, 7))
    item = only(placement, date(2026, 10, 1), "formal_review")
    assert item["due_on"] == date(2026, 10, 23)
    assert item["overdue"] is False
    assert "Autumn 1 2026/27" in item["label"]


def test_a_half_term_without_a_review_is_overdue_from_the_day_after_it_ends(school):
    placement = make_placement(school, start=date(2026, 9, 7))
    assert only(placement, date(2026, 10, 23), "formal_review")["overdue"] is False
    item = only(placement, date(2026, 10, 24), "formal_review")
    assert item["overdue"] is True
    assert item["due_on"] == date(2026, 10, 23)


def test_a_review_in_the_half_term_moves_the_next_one_to_the_end_of_the_following_half_term(school, visitor):
    placement = make_placement(school, start=date(2026, 9, 7))
    make_review(visitor, "review_meeting", date(2026, 10, 8), placement=placement)
    item = only(placement, date(2026, 10, 20), "formal_review")
    assert (item["due_on"], item["overdue"]) == (date(2026, 12, 18), False)


@pytest.mark.parametrize("kind", ["review_meeting", "part_time_review", "flexi_review"])
def test_a_review_meeting_part_time_review_or_flexi_review_each_count_as_the_formal_review(school, visitor, kind):
    placement = make_placement(school, kind="part_time_timetable", start=date(2026, 9, 7))
    make_review(visitor, kind, date(2026, 10, 8), placement=placement)
    assert only(placement, date(2026, 10, 20), "formal_review")["due_on"] == date(2026, 12, 18)


def test_a_review_dated_after_today_does_not_clear_the_review_ahead_of_time(school, visitor):
    """Only rows stored before the sync refused future dates (visit_date_in_future) can do this."""
    placement = make_placement(school, start=date(2026, 9, 7))
    make_review(visitor, "review_meeting", date(2026, 10, 22), placement=placement)
    item = only(placement, date(2026, 10, 20), "formal_review")
    assert (item["due_on"], item["overdue"]) == (date(2026, 10, 23), False)


def test_a_qa_visit_dated_after_today_does_not_clear_the_qa_visit(school, visitor):
    placement = make_placement(school, start=date(2026, 9, 7), qa_visit_every_weeks=4)
    make_visit(visitor, "qa_visit", date(9999, 12, 31), placement=placement)
    item = only(placement, date(2026, 10, 6), "qa_visit")
    assert (item["due_on"], item["overdue"]) == (date(2026, 10, 5), True)


def test_other_visits_do_not_count_as_a_formal_review(school, visitor):
    placement = make_placement(school, start=date(2026, 9, 7))
    make_visit(visitor, "qa_visit", date(2026, 10, 8), placement=placement)
    make_visit(visitor, "welfare_check", date(2026, 10, 9), placement=placement, mode="home_visit")
    assert only(placement, date(2026, 10, 20), "formal_review")["due_on"] == date(2026, 10, 23)


def test_a_placement_starting_mid_half_term_owes_a_review_in_that_half_term(school):
    # 5 to 23 October: 15 school days left in Autumn 1.
    placement = make_placement(school, start=date(2026, 10, 5))
    assert only(placement, date(2026, 10, 6), "formal_review")["due_on"] == date(2026, 10, 23)


@pytest.mark.parametrize("start, first_due", [
    (date(2026, 10, 12), date(2026, 10, 23)),   # exactly ten school days left: owes Autumn 1
    (date(2026, 10, 13), date(2026, 12, 18)),   # nine: the first review is owed in Autumn 2
    (date(2026, 10, 26), date(2026, 12, 18)),   # starts in the holiday: Autumn 2 is its first half term
])
def test_a_placement_starting_in_the_last_two_weeks_owes_its_first_review_in_the_next_half_term(
        school, start, first_due):
    placement = make_placement(school, start=start)
    assert only(placement, start, "formal_review")["due_on"] == first_due


def test_a_review_held_in_the_holiday_counts_for_the_half_term_after_it(school, visitor):
    placement = make_placement(school, start=date(2026, 9, 7))
    # Autumn 1 passed without a review: overdue through the holiday...
    assert only(placement, date(2026, 10, 27), "formal_review")["overdue"] is True
    # ...until the review on 28 October (half-term week), which also covers Autumn 2.
    make_review(visitor, "review_meeting", date(2026, 10, 28), placement=placement)
    item = only(placement, date(2026, 11, 10), "formal_review")
    assert (item["due_on"], item["overdue"]) == (date(2027, 2, 12), False)
    calendar = calendar_of(school)
    history = review_history(calendar, calendar.half_terms, placement, [date(2026, 10, 28)], date(2026, 11, 10))
    assert [(w.label, status) for w, status, _ in history] == [
        ("Autumn 1 2026/27", "missed"), ("Autumn 2 2026/27", "done"), ("Spring 1 2026/27", "upcoming")]


def test_a_placement_spanning_christmas_owes_its_next_review_by_the_end_of_spring_1(school, visitor):
    placement = make_placement(school, start=date(2026, 11, 2))
    make_review(visitor, "review_meeting", date(2026, 12, 10), placement=placement)
    on_boxing_day = only(placement, date(2026, 12, 26), "formal_review")
    assert (on_boxing_day["due_on"], on_boxing_day["overdue"]) == (date(2027, 2, 12), False)
    assert "Spring 1 2026/27" in on_boxing_day["label"]


def test_missing_two_half_terms_is_one_overdue_item_from_the_first_missed(school):
    placement = make_placement(school, start=date(2026, 9, 7))
    [item] = items(placement, date(2027, 1, 6), "formal_review")
    assert (item["due_on"], item["overdue"]) == (date(2026, 10, 23), True)
    assert "none held yet" in item["label"]


def test_an_ended_placement_owes_nothing(school):
    placement = make_placement(school, start=date(2026, 9, 7), status="ended", end_date=date(2026, 9, 30))
    assert items(placement, date(2026, 11, 1)) == []


def test_a_planned_placement_owes_only_its_providers_check_before_it_starts(school):
    placement = make_placement(school, start=date(2026, 12, 1), status="planned", qa_visit_every_weeks=4)
    [item] = items(placement, date(2026, 11, 20))
    assert item["kind"] == "risk_assessment"
    assert (item["due_on"], item["overdue"]) == (date(2026, 11, 30), False)
    assert only(placement, date(2026, 12, 1), "risk_assessment")["overdue"] is True


# --- Flexi-schooling: termly review (§10.6) ---------------------------------------------------

def test_flexi_schooling_owes_a_flexi_review_each_term_and_no_half_termly_review(school, visitor):
    placement = make_placement(school, kind="flexi_schooling", start=date(2026, 9, 7))
    assert items(placement, date(2026, 10, 24), "formal_review") == []
    due = only(placement, date(2026, 10, 24), "flexi_review")
    assert (due["due_on"], due["overdue"]) == (date(2026, 12, 18), False)
    assert "Autumn term 2026/27" in due["label"]
    assert only(placement, date(2026, 12, 19), "flexi_review")["overdue"] is True


def test_a_flexi_review_in_autumn_makes_the_next_due_at_the_end_of_the_spring_term(school, visitor):
    placement = make_placement(school, kind="flexi_schooling", start=date(2026, 9, 7))
    make_visit(visitor, "review_meeting", date(2026, 10, 1), placement=placement)  # not a flexi review
    assert only(placement, date(2026, 12, 19), "flexi_review")["overdue"] is True
    make_review(visitor, "flexi_review", date(2026, 11, 20), placement=placement)
    due = only(placement, date(2026, 12, 19), "flexi_review")
    assert (due["due_on"], due["overdue"]) == (date(2027, 3, 26), False)


# --- Welfare checks on days a part-time pupil is not on site (§9.6) --------------------------

def part_timer(school, start=date(2026, 11, 2)):
    # On site Monday to Thursday mornings; Fridays at home.
    return make_placement(school, kind="part_time_timetable", start=start,
                          sessions=("mon_am", "tue_am", "wed_am", "thu_am"))


def test_a_part_time_pupil_owes_a_welfare_check_on_each_school_day_not_on_site(school, visitor):
    placement = part_timer(school)
    make_visit(visitor, "welfare_check", date(2026, 11, 6), placement=placement, mode="home_visit")
    missed, upcoming = items(placement, date(2026, 11, 16), "welfare_check")
    assert (missed["due_on"], missed["overdue"]) == (date(2026, 11, 13), True)
    assert "1 day" in missed["label"]
    assert (upcoming["due_on"], upcoming["overdue"]) == (date(2026, 11, 20), False)


def test_a_welfare_check_day_is_due_on_the_day_and_overdue_from_the_next(school):
    placement = part_timer(school)
    [today] = items(placement, date(2026, 11, 6), "welfare_check")
    assert (today["due_on"], today["overdue"]) == (date(2026, 11, 6), False)
    assert items(placement, date(2026, 11, 7), "welfare_check")[0]["overdue"] is True


def test_no_welfare_check_is_owed_in_the_holidays(school):
    placement = part_timer(school, start=date(2026, 10, 19))
    missed, upcoming = items(placement, date(2026, 11, 3), "welfare_check")
    assert "1 day" in missed["label"] and missed["due_on"] == date(2026, 10, 23)   # not Friday 30 October
    assert upcoming["due_on"] == date(2026, 11, 6)


def test_a_pupil_on_site_every_day_owes_no_welfare_checks(school):
    placement = make_placement(school, kind="part_time_timetable", start=date(2026, 11, 2),
                               sessions=("mon_am", "tue_am", "wed_am", "thu_am", "fri_am"))
    assert items(placement, date(2026, 11, 20), "welfare_check") == []


def test_only_part_time_timetables_owe_welfare_checks(school):
    placement = make_placement(school, kind="off_site_ap", start=date(2026, 11, 2), sessions=("mon_am",))
    assert items(placement, date(2026, 11, 20), "welfare_check") == []


# --- QA visits as commissioned (§8.3) --------------------------------------------------------

def test_qa_visits_are_due_every_commissioned_number_of_weeks_from_the_start(school):
    placement = make_placement(school, start=date(2026, 9, 7), qa_visit_every_weeks=4)
    item = only(placement, date(2026, 9, 20), "qa_visit")
    assert (item["due_on"], item["overdue"]) == (date(2026, 10, 5), False)
    assert only(placement, date(2026, 10, 6), "qa_visit")["overdue"] is True


def test_the_next_qa_visit_counts_from_the_last_one_and_skips_the_holiday(school, visitor):
    placement = make_placement(school, start=date(2026, 9, 7), qa_visit_every_weeks=4)
    make_visit(visitor, "qa_visit", date(2026, 10, 1), placement=placement)
    # 1 October + 4 weeks = 29 October, in the half-term holiday: due the next school day.
    item = only(placement, date(2026, 10, 20), "qa_visit")
    assert (item["due_on"], item["overdue"]) == (date(2026, 11, 2), False)


def test_without_a_qa_frequency_only_an_off_site_placement_owes_one(school):
    # §8.1: off site, none owed is never silent (tests/rollup/test_agreement.py); on site, nothing.
    on_site = make_placement(school, kind="on_site_ap", start=date(2026, 9, 7))
    assert items(on_site, date(2026, 12, 1), "qa_visit") == []
    off_site = only(make_placement(school, start=date(2026, 9, 7)), date(2026, 12, 1), "qa_visit")
    assert off_site["label"].startswith("Set how often QA visits happen") and off_site["overdue"]


# --- Off-site direction (§6.2) ----------------------------------------------------------------

def test_an_off_site_direction_is_due_for_review_on_its_review_date(school):
    placement = make_placement(school, kind="off_site_direction", start=date(2026, 9, 7),
                               direction_review_on=date(2026, 11, 27))
    assert only(placement, date(2026, 11, 27), "direction_review")["overdue"] is False
    assert only(placement, date(2026, 11, 28), "direction_review")["overdue"] is True


def test_an_off_site_direction_without_a_review_date_is_overdue(school):
    placement = make_placement(school, kind="off_site_direction", start=date(2026, 9, 7))
    item = only(placement, date(2026, 9, 8), "direction_review")
    assert item["overdue"] is True and "Set the date" in item["label"]


# --- Risk assessment and provider evidence (§7.8, §7.9) ---------------------------------------

def test_a_risk_assessment_is_due_for_review_when_its_twelve_months_run_out(school):
    provider = make_provider(school)
    make_risk_assessment(provider, date(2025, 11, 20))
    placement = make_placement(school, provider=provider, start=date(2026, 9, 7))
    assert only(placement, date(2026, 11, 20), "risk_assessment")["overdue"] is False
    item = only(placement, date(2026, 11, 21), "risk_assessment")
    assert (item["due_on"], item["overdue"]) == (date(2026, 11, 20), True)


def test_the_latest_risk_assessment_is_the_one_that_counts(school):
    provider = make_provider(school)
    make_risk_assessment(provider, date(2025, 6, 1))
    make_risk_assessment(provider, date(2026, 6, 1))
    placement = make_placement(school, provider=provider, start=date(2026, 9, 7))
    assert only(placement, date(2026, 11, 1), "risk_assessment")["due_on"] == date(2027, 6, 1)


def test_a_material_change_makes_the_risk_assessment_due_for_review_within_two_weeks(school):
    provider = make_provider(school)
    assessment = make_risk_assessment(provider, date(2026, 6, 1))
    assessment.review_requested_at = at(date(2026, 11, 2), 9)
    assessment.review_reason = "New site on the industrial estate"
    placement = make_placement(school, provider=provider, start=date(2026, 9, 7))
    found = items(placement, date(2026, 11, 17), "risk_assessment")
    change = next(item for item in found if "material change" in item["label"])
    assert (change["due_on"], change["overdue"]) == (date(2026, 11, 16), True)
    assert "New site" in change["label"]


def test_a_review_requested_just_after_midnight_in_summer_counts_from_englands_day(school):
    # 23:30 UTC on 1 July is 00:30 on 2 July in England: the fortnight runs from 2 July.
    provider = make_provider(school)
    assessment = make_risk_assessment(provider, date(2026, 6, 1))
    assessment.review_requested_at = at(date(2026, 7, 1), 23, 30)
    placement = make_placement(school, provider=provider, start=date(2026, 6, 8))
    found = items(placement, date(2026, 7, 10), "risk_assessment")
    change = next(item for item in found if "material change" in item["label"])
    assert change["due_on"] == date(2026, 7, 16)
    assert risk_assessments.status(assessment, date(2026, 7, 10)) == (
        "review_requested", "Review requested on 2 Jul 2026; due by 16 Jul 2026")


def test_a_provider_without_a_risk_assessment_is_overdue_once_the_placement_has_started(school):
    placement = make_placement(school, start=date(2026, 9, 7))
    item = only(placement, date(2026, 9, 7), "risk_assessment")
    assert (item["due_on"], item["overdue"]) == (date(2026, 9, 6), True)


def test_evidence_expiry_counts_only_the_latest_document_of_each_kind(school):
    provider = make_provider(school)
    make_risk_assessment(provider, date(2026, 6, 1))
    make_evidence(provider, "insurance", date(2026, 10, 1))              # replaced by the next one
    make_evidence(provider, "insurance", date(2027, 10, 1))
    make_evidence(provider, "staff_checks_confirmation", date(2026, 11, 20))
    make_evidence(provider, "other", date(2026, 11, 1), description="Forklift certificate")
    placement = make_placement(school, provider=provider, start=date(2026, 9, 7))
    found = {item["label"]: item for item in items(placement, date(2026, 11, 10), "provider_evidence")}
    assert found == {
        "Forklift certificate expired": {"kind": "provider_evidence", "label": "Forklift certificate expired",
                                         "due_on": date(2026, 11, 1), "overdue": True},
        "Written confirmation of staff checks expires": {
            "kind": "provider_evidence", "label": "Written confirmation of staff checks expires",
            "due_on": date(2026, 11, 20), "overdue": False},
        "Insurance expires": {"kind": "provider_evidence", "label": "Insurance expires",
                              "due_on": date(2027, 10, 1), "overdue": False},
    }


# --- Actions and attendance (§8.6, §4.5) ------------------------------------------------------

def test_open_follow_up_actions_are_due_on_their_date_and_done_ones_drop_off(school, visitor):
    placement = make_placement(school, start=date(2026, 9, 7))
    open_one = make_action(school, date(2026, 11, 5), placement=placement, description="Book a careers interview")
    done = make_action(school, date(2026, 11, 1), placement=placement, description="Send the timetable")
    done.done_at, done.done_by_id = at(date(2026, 11, 1)), visitor.id
    [item] = items(placement, date(2026, 11, 6), "action")
    assert item["overdue"] is True and item["label"].startswith("Book a careers interview")
    assert open_one.due_on == item["due_on"]


def test_each_attended_session_without_an_attendance_record_is_overdue(school, visitor):
    from server.models import AttendanceRecord
    placement = make_placement(school, start=date(2026, 11, 2), sessions=("mon_am", "mon_pm", "wed_am"))
    for on_date, session in [(date(2026, 11, 2), "am"), (date(2026, 11, 2), "pm")]:
        db.session.add(AttendanceRecord(placement_id=placement.id, on_date=on_date, session=session, code="B",
                                        recorded_by_id=visitor.id, recorded_at=at(on_date)))
    db.session.flush()
    item = only(placement, date(2026, 11, 10), "attendance")
    # Wednesday 4 Nov AM, Monday 9 Nov AM and PM; today's (10 Nov) is not owed yet.
    assert (item["due_on"], item["overdue"]) == (date(2026, 11, 4), True)
    assert "3 sessions" in item["label"]


# --- Batched: the phone's bootstrap asks for every placement at once -------------------------

def test_due_items_for_many_placements_take_a_constant_number_of_queries(app, school, visitor):
    def queries_for(count):
        placements = []
        for index in range(count):
            kind = ("part_time_timetable", "off_site_ap", "flexi_schooling")[index % 3]
            placement = make_placement(school, kind=kind,
                                       start=date(2026, 9, 7), qa_visit_every_weeks=4,
                                       sessions=("mon_am", "tue_am"))
            make_review(visitor, "review_meeting", date(2026, 10, 1), placement=placement)
            make_action(school, date(2026, 11, 1), placement=placement)
            placements.append(placement)
        db.session.flush()
        with statements_sent() as statements:
            result = placement_due_items(placements, date(2026, 11, 10))
        assert set(result) == {p.id for p in placements}
        assert all(result[p.id] for p in placements)
        return len(statements)

    assert queries_for(3) == queries_for(30)


def test_a_school_without_term_dates_still_gets_the_deadlines_that_need_no_calendar(app, visitor):
    bare = make_school(years=())
    placement = make_placement(bare, start=date(2026, 9, 7), qa_visit_every_weeks=2)
    kinds = {item["kind"] for item in items(placement, date(2026, 11, 1))}
    assert kinds == {"qa_visit", "risk_assessment"}
    assert SchoolCalendar([]).last_day is None
    assert only(placement, date(2026, 11, 1), "qa_visit")["due_on"] == date(2026, 9, 7) + timedelta(weeks=2)
