"""Jinja filters the record, review and concern pages share: times in UK local time (the
server stores UTC), dates written out, and "in 3 days" / "5 days overdue"."""
from datetime import date, datetime
from zoneinfo import ZoneInfo

from server.office import office

UK = ZoneInfo("Europe/London")


@office.app_template_filter("uk_datetime")
def uk_datetime(value):
    """14 Oct 2026, 10:12 — in UK time."""
    if not isinstance(value, datetime):
        return "—"
    local = value.astimezone(UK)
    return f"{local.day} {local:%b %Y, %H:%M}"


@office.app_template_filter("uk_date")
def uk_date(value):
    """Wed 14 Oct 2026."""
    if not isinstance(value, date):
        return "—"
    if isinstance(value, datetime):
        value = value.astimezone(UK).date()
    return f"{value:%a} {value.day} {value:%b %Y}"


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
