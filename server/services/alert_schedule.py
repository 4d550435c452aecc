"""Alerts that time raises rather than an event: a concern nobody has opened, and the morning
digest. The scheduler (server/scheduler.py) runs both every few minutes; each is idempotent, so
a run missed or repeated (two worker machines) changes nothing.

- Escalation: an open concern that no DSL has opened or acted on within ESCALATE_AFTER_MINUTES
  of school time (school days only, between SCHOOL_DAY_STARTS and SCHOOL_DAY_ENDS, England's
  clock) goes to those holding "alert.concern_escalated"; the concern's record shows it.
- Digest: from DIGEST_AT on each school day, each person who receives it (on by default for
  the AP leader, "alert.morning_digest"; they may turn it off, and others who read records
  may turn it on) gets what is overdue and due
  today across the school's placements, as kinds of work and links, never pupils' names.
  Nothing is sent when nothing is due.

Callers pass `now` (aware), so tests move the clock. Nothing here commits.
"""
from datetime import datetime, time, timedelta

import sqlalchemy as sa
from flask import current_app

from server.dates import SCHOOLS_TIME_ZONE, long_date, short_date
from server.extensions import db
from server.models import AuditEvent, Membership, SafeguardingConcern, School
from server.permissions import roles_with
from server.services import alerts
from server.services.deadlines import KIND_LABELS
from server.services.school_calendar import calendar_for
from server.services.todo import school_due_entries

OPENED = ("concern.read", "concern.note_added", "concern.closed")


def _clock(name):
    return time.fromisoformat(current_app.config[name])


def school_time_between(calendar, start, end):
    """How much school-day time passed from `start` to `end` (aware datetimes)."""
    start, end = start.astimezone(SCHOOLS_TIME_ZONE), end.astimezone(SCHOOLS_TIME_ZONE)
    opens, closes = _clock("SCHOOL_DAY_STARTS"), _clock("SCHOOL_DAY_ENDS")
    total = timedelta()
    day = start.date()
    while day <= end.date():
        if _is_school_day(calendar, day):
            day_open = datetime.combine(day, opens, tzinfo=SCHOOLS_TIME_ZONE)
            day_close = datetime.combine(day, closes, tzinfo=SCHOOLS_TIME_ZONE)
            overlap = min(end, day_close) - max(start, day_open)
            total += max(overlap, timedelta())
        day += timedelta(days=1)
    return total


def _is_school_day(calendar, day):
    # A school that has not entered its term dates yet still has its weekdays.
    return calendar.is_school_day(day) if calendar.last_day else day.weekday() < 5


def escalate_unopened(now):
    """Escalates every concern due for it; returns how many."""
    limit = timedelta(minutes=current_app.config["ESCALATE_AFTER_MINUTES"])
    candidates = db.session.execute(sa.select(SafeguardingConcern).where(SafeguardingConcern.closed_at.is_(None))
                                    .order_by(SafeguardingConcern.id)).scalars().all()
    done = _escalated_ids()
    calendars = {}
    count = 0
    for concern in candidates:
        if str(concern.uuid) in done or _opened_by_dsl(concern):
            continue
        calendar = calendars.setdefault(concern.school_id, calendar_for(concern.school_id))
        waited = school_time_between(calendar, concern.received_at, now)
        if waited >= limit:
            alerts.concern_escalated(concern, concern.raised_by, waited)
            count += 1
    return count


def _escalated_ids():
    return set(db.session.execute(sa.select(AuditEvent.object_id).where(
        AuditEvent.action == "concern.escalated")).scalars())


def _opened_by_dsl(concern):
    """Whether someone who acts on concerns in its school has opened or written on it."""
    return db.session.execute(
        sa.select(AuditEvent.id).join(Membership, Membership.user_id == AuditEvent.actor_id).where(
            AuditEvent.object_type == "safeguarding_concern", AuditEvent.object_id == str(concern.uuid),
            AuditEvent.action.in_(OPENED), Membership.school_id == concern.school_id,
            Membership.role.in_(roles_with("concern.act"))).limit(1)).first() is not None


def send_digests(now):
    """Writes today's digest for each school and reader, once, from DIGEST_AT; returns how many."""
    local = now.astimezone(SCHOOLS_TIME_ZONE)
    if local.time() < _clock("DIGEST_AT"):
        return 0
    today = local.date()
    count = 0
    for school in db.session.execute(sa.select(School).order_by(School.id)).scalars():
        if not _is_school_day(calendar_for(school.id), today):
            continue
        readers = alerts.recipients(school.id, "morning_digest")
        if not readers:
            continue
        entries, _ = school_due_entries(school.id, today)
        overdue = [e for e in entries if e.due.overdue]
        due_today = [e for e in entries if not e.due.overdue and e.due.due_on == today]
        if not overdue and not due_today:
            continue  # nothing due: nothing sent
        body = _digest_body(school, today, overdue, due_today)
        for person in readers:
            count += alerts.morning_digest(school.id, person, today, body)
    return count


def _digest_body(school, today, overdue, due_today):
    lines = [f"What {school.name} owes on {today:%A} {long_date(today)}.", ""]
    for title, entries in (("Overdue", overdue), ("Due today", due_today)):
        if not entries:
            continue
        lines.append(f"{title}: {len(entries)}")
        for entry in entries:
            path = (f"/office/placements/{entry.placement_uuid}/record" if entry.placement_uuid
                    else f"/office/providers/{entry.provider_uuid}/record")
            lines.append(f"- {KIND_LABELS[entry.due.kind]}, due {short_date(entry.due.due_on)}: "
                         f"{alerts.link(path)}")
        lines.append("")
    lines.append(f"Everything due: {alerts.link('/office/')}")
    return "\n".join(lines)
