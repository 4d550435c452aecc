"""One calendar for every school-day rule: weekdays inside the school's half terms, less the
bank holidays of England and Wales and the school's own INSET days. Welfare checks, attendance
and review windows all follow it."""
from datetime import date

import pytest
from dateutil.easter import easter

from rollup.factories import make_placement, make_school, make_user, make_visit
from server.extensions import db
from server.models import InsetDay
from server.services import attendance
from server.services.deadlines import placement_due_items
from server.services.school_calendar import load_calendars
from server.services.school_settings import usual_term_dates


def inset(school, *days):
    for day in days:
        db.session.add(InsetDay(school=school, on_date=day))
    db.session.flush()


def due(placement, today, kind):
    return [item for item in placement_due_items([placement], today)[placement.id] if item["kind"] == kind]


def test_bank_holidays_in_england_and_wales_are_not_school_days(school):
    calendar = load_calendars([school.id])[school.id]
    assert not calendar.is_school_day(date(2027, 5, 3))      # Early May bank holiday, inside Summer 1
    assert calendar.count_school_days(date(2027, 5, 3), date(2027, 5, 7)) == 4
    assert calendar.next_school_day(date(2027, 5, 3)) == date(2027, 5, 4)


def test_an_inset_day_is_not_a_school_day_for_its_school_only(school):
    other = make_school()
    inset(school, date(2026, 11, 2))
    calendars = load_calendars([school.id, other.id])
    assert not calendars[school.id].is_school_day(date(2026, 11, 2))
    assert calendars[school.id].next_school_day(date(2026, 11, 2)) == date(2026, 11, 3)
    assert calendars[other.id].is_school_day(date(2026, 11, 2))
    assert not attendance.is_school_day(school.id, date(2026, 11, 2))
    assert attendance.is_school_day(other.id, date(2026, 11, 2))


def test_no_welfare_check_is_owed_on_an_inset_day(school):
    visitor = make_user(school)
    # On site Monday to Thursday mornings; Fridays at home, and Friday 13 November is an INSET day.
    placement = make_placement(school, kind="part_time_timetable", start=date(2026, 11, 2),
                               sessions=("mon_am", "tue_am", "wed_am", "thu_am"))
    make_visit(visitor, "welfare_check", date(2026, 11, 6), placement=placement, mode="home_visit")
    inset(school, date(2026, 11, 13))
    [upcoming] = due(placement, date(2026, 11, 16), "welfare_check")
    assert (upcoming["due_on"], upcoming["overdue"]) == (date(2026, 11, 20), False)


def test_no_attendance_is_owed_on_a_bank_holiday(school):
    placement = make_placement(school, start=date(2027, 4, 26), sessions=("mon_am", "mon_pm"))
    [item] = due(placement, date(2027, 5, 4), "attendance")
    assert "2 sessions" in item["label"] and item["due_on"] == date(2027, 4, 26)


def test_an_inset_day_does_not_count_towards_the_days_a_half_term_owes_a_review(school):
    # From Monday 12 October there are exactly ten school days left in Autumn 1 (enough to owe
    # its review); an INSET day on the 16th leaves nine, so the first review is owed in Autumn 2.
    inset(school, date(2026, 10, 16))
    placement = make_placement(school, start=date(2026, 10, 12))
    [item] = due(placement, date(2026, 10, 12), "formal_review")
    assert item["due_on"] == date(2026, 12, 18)


@pytest.mark.parametrize("year", [2026, 2027, 2030, 2037])
def test_the_suggested_easter_holiday_is_around_easter_sunday(year):
    spring_2, summer_1 = usual_term_dates(year)[3:5]
    sunday = easter(year + 1)
    assert spring_2["ends_on"] < sunday < summer_1["starts_on"]
    assert (summer_1["starts_on"] - spring_2["ends_on"]).days == 17
