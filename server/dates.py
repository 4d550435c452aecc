"""England's dates: the schools' time zone and today, academic years, and how a date is written.

Every date rule on the server reads today from `school_today()`, never the server's own clock
(on a UTC host it is still yesterday for an hour after midnight in summer), and every page,
letter and document writes a date in words through `long_date()`.
"""
from datetime import date, datetime
from zoneinfo import ZoneInfo

from server.services.refusal import Refused

SCHOOLS_TIME_ZONE = ZoneInfo("Europe/London")


def now_in_england():
    """The time where the schools are. The one clock every date rule reads, so a test can move
    it (tests/conftest.py, `england_clock`) and see what happens at midnight."""
    return datetime.now(SCHOOLS_TIME_ZONE)


def school_today():
    """Today's date where the schools are, whatever the server's own time zone: a deadline
    passes at midnight in England, not at midnight UTC."""
    return now_in_england().date()


def academic_year_of(day):
    """2026 for any day from 1 August 2026 to 31 July 2027."""
    return day.year if day.month >= 8 else day.year - 1


def refuse_unless_happened(day, since, today, field, missing, future, early):
    """The day something was done (notice given, a letter sent) is a date, not after today and
    not before `since` (the placement's start); else Refused on `field` with the message for
    the rule it breaks: `missing`, `future` or `early`."""
    if not isinstance(day, date):
        raise Refused("validation_failed", missing, field=field)
    if day > today:
        raise Refused("validation_failed", future, field=field)
    if day < since:
        raise Refused("validation_failed", early, field=field)


def in_england(value):
    """An aware datetime in England's time, or None when that would fall off the calendar's ends
    (a phone clock's year 1, from before phone times were bounded)."""
    try:
        return value.astimezone(SCHOOLS_TIME_ZONE)
    except OverflowError:
        return None


def england_day(moment):
    """The day an aware datetime falls on in England: a request made at 00:30 on a summer night
    was made that day, not the day before as its UTC date says."""
    local = in_england(moment)
    return local.date() if local else None


def long_date(day):
    """3 March 2027: the way a letter to a parent would write it."""
    return f"{day.day} {day:%B %Y}"


def medium_date(day):
    """3 Mar 2027: where a table or a sentence has less room."""
    return f"{day.day} {day:%b %Y}"


def short_date(day):
    """Wed 3 Mar: a day this term, in a list of days."""
    return f"{day:%a} {day.day} {day:%b}"
