"""Jinja filters the record, review and concern pages share: times in UK local time (the
server stores UTC), dates written out, and "in 3 days" / "5 days overdue". They write times the
way documents do (server/services/documents/wording.py), so no stored value stops a page."""
from datetime import date, datetime

from server.dates import medium_date, short_date
from server.office import office
from server.services.documents.wording import day, moment, on_uk_day

# 14 Oct 2026, 10:12 — in UK time.
office.add_app_template_filter(moment, "uk_datetime")
# 14 October 2026 — the day in England for a time.
office.add_app_template_filter(day, "long_date")
# 3 Mar 2027, and Wed 3 Mar.
office.add_app_template_filter(medium_date, "medium_date")
office.add_app_template_filter(short_date, "short_date")


@office.app_template_filter("uk_date")
def uk_date(value):
    """Wed 14 Oct 2026."""
    return on_uk_day(value, lambda on: f"{on:%a} {medium_date(on)}")


@office.app_template_filter("days_from")
def days_from(value, today):
    """How far a date is from today, in words."""
    if not isinstance(value, date):
        return ""
    days = (value - today).days
    if days == 0:
        return "today"
    if days == 1:
        return "tomorrow"
    if days == -1:
        return "1 day overdue"
    if days < 0:
        return f"{-days} days overdue"
    return f"in {days} days"


@office.app_template_filter("age")
def age(value, now):
    """How long ago a time was: "moments", "40 minutes", "5 hours", "3 days"."""
    if not isinstance(value, datetime):
        return ""
    minutes = int((now - value).total_seconds() // 60)
    if minutes < 1:
        return "moments"
    if minutes < 60:
        return f"{max(minutes, 0)} minute{'s' if minutes != 1 else ''}"
    if minutes < 48 * 60:
        hours = minutes // 60
        return f"{hours} hour{'s' if hours != 1 else ''}"
    return f"{minutes // (24 * 60)} days"
