"""How dates, times, money and flags are written in documents: UK time, dates in words, so a
printed record reads the same to a social worker as the office page does to staff.

Writing a stored value never fails: a time at the very ends of the calendar (a phone clock's
year 1, from before phone times were bounded) cannot be moved into UK time, so it is written as
the ISO text the database holds instead of stopping the page or document."""
from datetime import date, datetime

from server.dates import england_day, in_england, long_date, medium_date
from server.vocabulary import labels

PUPIL_FLAGS = (("ehcp", "EHCP"), ("looked_after", "Looked after"), ("has_social_worker", "Social worker"),
               ("send_support", "SEND support"), ("fsm_eligible", "Free school meals"))


def uk_day(value):
    """The day a date or time falls on in the UK; None for a time that cannot be put in UK time."""
    return england_day(value) if isinstance(value, datetime) else value


def day(value):
    """14 October 2026 ("—" for none)."""
    return on_uk_day(value, long_date)


def on_uk_day(value, write):
    """`write(the UK day of a date or time)`; "—" for none."""
    return _in_uk(value, date, uk_day, write)


def moment(value):
    """14 Oct 2026, 10:12 in UK time ("—" for none)."""
    return _in_uk(value, datetime, in_england, lambda local: f"{medium_date(local)}, {local:%H:%M}")


def _in_uk(value, kind, to_uk, write):
    """`write` applied to the value moved into UK time by `to_uk`; "—" for a value that is not a
    `kind`, and the ISO text for one that cannot be moved."""
    if not isinstance(value, kind):
        return "—"
    local = to_uk(value)
    return value.isoformat() if local is None else write(local)


def money(pence, basis=None):
    if pence is None:
        return None
    amount = f"£{pence // 100:,}.{pence % 100:02d}"
    return f"{amount} {basis}" if basis else amount


def yes_no(value):
    return "Yes" if value else "No"


def flags(pupil):
    """The pupil's flags as words, e.g. "EHCP, Looked after"; "None recorded" when none."""
    shown = [text for name, text in PUPIL_FLAGS if getattr(pupil, name)]
    return ", ".join(shown) or "None recorded"


def sessions(codes):
    """["mon_am", "mon_pm"] → "Monday AM, Monday PM (2 sessions a week)"."""
    names = labels("sessions")
    ordered = [code for code in names if code in set(codes or ())]
    if not ordered:
        return "None recorded"
    plural = "session" if len(ordered) == 1 else "sessions"
    return f"{', '.join(names[code] for code in ordered)} ({len(ordered)} {plural} a week)"
