"""The period a report or export covers: from and to dates chosen on the page, or by default
this academic year as the school's own term dates set it out (first day of its first half term
to the last day of its last)."""
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from server.dates import academic_year_of, long_date
from server.extensions import db
from server.models import TermPeriod
from server.services.refusal import Refused

# A report over more than this many days is almost certainly a typing slip (2062 for 2026).
MAX_DAYS = 366 * 5


@dataclass(frozen=True)
class Period:
    starts_on: date
    ends_on: date

    def covers(self, day):
        return day is not None and self.starts_on <= day <= self.ends_on

    @property
    def label(self):
        return f"{long_date(self.starts_on)} to {long_date(self.ends_on)}"

    def as_query(self):
        return {"from": self.starts_on.isoformat(), "to": self.ends_on.isoformat()}


def this_academic_year(school_id, today):
    """This academic year from the school's term dates; 1 September to 31 July without them."""
    year = academic_year_of(today)
    first, last = db.session.execute(
        sa.select(sa.func.min(TermPeriod.starts_on), sa.func.max(TermPeriod.ends_on))
        .where(TermPeriod.school_id == school_id, TermPeriod.academic_year == year)).one()
    if first is None:
        return Period(date(year, 9, 1), date(year + 1, 7, 31))
    return Period(first, last)


def chosen_period(school_id, query, today):
    """The Period for a loaded PeriodQuerySchema (server/schemas/office_forms.py); missing ends
    come from this academic year."""
    default = this_academic_year(school_id, today)
    first = query.get("starts_on") or default.starts_on
    last = query.get("ends_on") or default.ends_on
    if last < first:
        raise Refused("validation_failed", "The end date is before the start date.", field="to")
    return Period(first, last)
