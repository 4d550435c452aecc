"""A school's calendar, built from its own term dates (TermPeriod rows) and INSET days: which days
are school days, which half term or term a date belongs to, and the windows deadlines are counted
in. The one home of "school day": every rule that counts school days (welfare checks, attendance,
review windows, QA visits) asks a calendar from `load_calendars()`.

School days are Monday to Friday inside a half term, except the bank holidays of England and
Wales (from the `holidays` package, which ships the dates, so nothing is fetched at run time) and
the school's own INSET days.

Windows: a half term's *window* runs from the day after the previous half term ended to the
last day of this one, so the holiday before a half term belongs to it. "At least once every
half term" then means at least once in every window, and a review held in the holiday counts
for the half term that follows. A term's window works the same way with whole terms.
"""
from bisect import bisect_left, bisect_right
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import holidays
import sqlalchemy as sa

from server.extensions import db
from server.models import InsetDay, TermPeriod

WEEKDAY_CODES = ("mon", "tue", "wed", "thu", "fri")


@dataclass(frozen=True)
class Window:
    """One half term (or one term) and the window it is counted in."""

    label: str
    starts_on: date       # first school day
    ends_on: date         # last school day: the deadline
    window_start: date    # the day after the previous one ended (its own start for the first)

    def contains(self, day):
        return self.window_start <= day <= self.ends_on


def load_calendars(school_ids):
    """{school id: SchoolCalendar} for these schools, in two queries however many there are."""
    periods, inset_days = defaultdict(list), defaultdict(set)
    for period in db.session.execute(
            sa.select(TermPeriod).where(TermPeriod.school_id.in_(school_ids))).scalars():
        periods[period.school_id].append(period)
    for school_id, day in db.session.execute(
            sa.select(InsetDay.school_id, InsetDay.on_date).where(InsetDay.school_id.in_(school_ids))):
        inset_days[school_id].add(day)
    return {school_id: SchoolCalendar(periods[school_id], inset_days[school_id]) for school_id in school_ids}


def calendar_for(school_id):
    return load_calendars([school_id])[school_id]


@lru_cache(maxsize=64)
def bank_holidays(year):
    """The bank holidays of England and Wales in `year` (they are the same in both)."""
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


class SchoolCalendar:
    def __init__(self, periods, inset_days=()):
        """`periods`: the school's TermPeriod rows (any order); `inset_days`: its INSET dates."""
        self.periods = sorted(periods, key=lambda p: p.starts_on)
        self.half_terms = _windows([(p.label, p.starts_on, p.ends_on) for p in self.periods])
        self.terms = _windows(_whole_terms(self.periods))
        closed = set(inset_days)
        for year in {year for p in self.periods for year in range(p.starts_on.year, p.ends_on.year + 1)}:
            closed |= bank_holidays(year)
        # Every school day, in order, once: the deadline rules count and look up days for every
        # placement of a school, so they bisect this list instead of walking the calendar.
        self._days = sorted({day for p in self.periods for day in _weekdays(p.starts_on, p.ends_on)} - closed)
        self._day_set = set(self._days)

    @property
    def last_day(self):
        return self.periods[-1].ends_on if self.periods else None

    def is_school_day(self, day):
        return day in self._day_set

    def school_days(self, first, last):
        """Every school day from `first` to `last`, both included."""
        return self._days[bisect_left(self._days, first):bisect_right(self._days, last)]

    def count_school_days(self, first, last):
        return max(0, bisect_right(self._days, last) - bisect_left(self._days, first))

    def next_school_day(self, day):
        """`day` itself if it is a school day, else the first school day after it (None if the
        term dates run out first)."""
        index = bisect_left(self._days, day)
        return self._days[index] if index < len(self._days) else None

    def window_of(self, windows, day):
        """The window (from `self.half_terms` or `self.terms`) that `day` falls in, or None
        when the term dates do not reach that far."""
        return next((w for w in windows if w.contains(day)), None)


def weekday_code(day):
    return WEEKDAY_CODES[day.weekday()] if day.weekday() < 5 else None


def _weekdays(first, last):
    day = first
    while day <= last:
        if day.weekday() < 5:
            yield day
        day += timedelta(days=1)


def _windows(spans):
    windows = []
    previous_end = None
    for label, starts_on, ends_on in spans:
        window_start = previous_end + timedelta(days=1) if previous_end else starts_on
        windows.append(Window(label=label, starts_on=starts_on, ends_on=ends_on, window_start=window_start))
        previous_end = ends_on
    return windows


def _whole_terms(periods):
    """(label, first day, last day) of each term, from its halves."""
    terms = {}
    for period in periods:
        key = (period.academic_year, period.term)
        first, last = terms.get(key, (period.starts_on, period.ends_on))
        terms[key] = (min(first, period.starts_on), max(last, period.ends_on))
    spans = [(f"{term.title()} term {year}/{(year + 1) % 100:02d}", first, last)
             for (year, term), (first, last) in terms.items()]
    return sorted(spans, key=lambda span: span[1])
