"""Dates and times a phone sends, checked against a window around the server's clock.

A phone's clock is evidence (when the visit started, when the concern was raised), so a
plausible value is kept exactly as sent. An absurd one (year 1, year 9999, an offset that
carries it past the ends of the calendar) is refused at the wire with `validation_failed`
naming the field, so it can never reach the database and break the pages that show it.

The window (docs/sync-protocol.md):
- back to PHONE_CLOCK_PAST before now: a phone left offline over the summer holiday, or
  one waiting for its user to sign in again, still syncs everything it holds;
- forward to CLOCK_SKEW after now: a phone whose clock runs a little fast is not refused.
"""
from datetime import timedelta, timezone

from marshmallow import fields

from server.dates import school_today
from server.models.base import utcnow

PHONE_CLOCK_PAST = timedelta(days=400)
CLOCK_SKEW = timedelta(days=1)
# How far ahead a follow-up action may fall due: the longest a pupil stays in a secondary
# school. Anything later is a mistyped year.
DUE_DATE_HORIZON = timedelta(days=5 * 366)


class PhoneDateTime(fields.AwareDateTime):
    """A moment on the phone's clock, with its UTC offset, inside the window."""

    default_error_messages = {
        "out_of_window": "The phone's clock gave {value}; it must be between {earliest} and {latest} (UTC). "
                         "Check the date and time on the phone.",
    }

    def _deserialize(self, value, attr, data, **kwargs):
        moment = super()._deserialize(value, attr, data, **kwargs)
        now = utcnow()
        earliest, latest = now - PHONE_CLOCK_PAST, now + CLOCK_SKEW
        try:
            # Converting is what overflows for an offset past the calendar's ends.
            in_range = earliest <= moment.astimezone(timezone.utc) <= latest
        except OverflowError:
            in_range = False
        if not in_range:
            raise self.make_error("out_of_window", value=value, earliest=f"{earliest:%Y-%m-%d %H:%M}",
                                  latest=f"{latest:%Y-%m-%d %H:%M}")
        return moment


class PhoneDate(fields.Date):
    """A calendar date from the phone, from PHONE_CLOCK_PAST before England's today up to
    `ahead` after it. `ahead=None` leaves the upper bound to a rule with its own error code
    (a visit dated after today is `visit_date_in_future`, decided by the sync service)."""

    default_error_messages = {
        "too_early": "{value} is too long ago; the earliest date accepted is {earliest}.",
        "too_late": "{value} is too far ahead; the latest date accepted is {latest}.",
    }

    def __init__(self, ahead=None, **kwargs):
        super().__init__(**kwargs)
        self.ahead = ahead

    def _deserialize(self, value, attr, data, **kwargs):
        day = super()._deserialize(value, attr, data, **kwargs)
        today = school_today()
        earliest = today - PHONE_CLOCK_PAST
        if day < earliest:
            raise self.make_error("too_early", value=day.isoformat(), earliest=earliest.isoformat())
        if self.ahead is not None and day > today + self.ahead:
            raise self.make_error("too_late", value=day.isoformat(), latest=(today + self.ahead).isoformat())
        return day
