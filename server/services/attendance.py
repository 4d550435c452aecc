"""The daily attendance register (§4.5): each attended session of each active placement,
confirmed with the provider, with the code from the school's attendance policy. Writing is an
upsert keyed by (placement, day, session), so saving the same register twice changes nothing."""

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from server.dates import school_today
from server.extensions import db
from server.models import AttendanceRecord, Placement, Pupil, School
from server.models.base import utcnow
from server.services import audit
from server.services.refusal import Refused
from server.services.school_calendar import calendar_for, weekday_code


def register_for(school_id, day):
    """Rows for the register on `day`: active placements with at least one session that weekday."""
    placements = db.session.execute(
        sa.select(Placement).join(Pupil)
        .where(Placement.school_id == school_id, Placement.status == "active", Placement.start_date <= day,
               sa.or_(Placement.end_date.is_(None), Placement.end_date >= day))
        .order_by(Pupil.last_name, Pupil.first_name)
        .options(selectinload(Placement.pupil), selectinload(Placement.provider))
    ).scalars().all()
    weekday = weekday_code(day) if day.weekday() < 5 else None
    scheduled = [(p, [half for half in ("am", "pm") if f"{weekday}_{half}" in (p.sessions or ())])
                 for p in placements]
    scheduled = [(p, halves) for p, halves in scheduled if halves]
    ids = [p.id for p, _ in scheduled]
    records = db.session.execute(
        sa.select(AttendanceRecord).where(AttendanceRecord.placement_id.in_(ids), AttendanceRecord.on_date == day)
    ).scalars().all() if ids else []
    marks = {(r.placement_id, r.session): r for r in records}
    return [{"placement": p, "sessions": halves, "marks": {h: marks.get((p.id, h)) for h in halves}}
            for p, halves in scheduled]


def is_school_day(school_id, day):
    return calendar_for(school_id).is_school_day(day)


def record_register(school_id, day, entries, user):
    """Save `entries` ([{placement_id (uuid), session, code, confirmed}]) for `day`. Every entry
    must name a session that placement attends that day. Returns how many marks changed."""
    if day > school_today():
        raise Refused("register_day_in_future", "Attendance cannot be recorded for a day that has not happened yet.")
    rows = {str(row["placement"].uuid): row for row in register_for(school_id, day)}
    changed = 0
    for entry in entries:
        row = rows.get(str(entry["placement_id"]))
        if row is None or entry["session"] not in row["sessions"]:
            raise Refused("validation_failed",
                          "A mark was for a placement or session not on this day's register.", field="marks")
        existing = row["marks"][entry["session"]]
        if existing is None:
            db.session.add(AttendanceRecord(
                placement_id=row["placement"].id, on_date=day, session=entry["session"], code=entry["code"],
                confirmed_with_provider=entry["confirmed"], recorded_by_id=user.id, recorded_at=utcnow()))
            changed += 1
        elif (existing.code, existing.confirmed_with_provider) != (entry["code"], entry["confirmed"]):
            existing.code, existing.confirmed_with_provider = entry["code"], entry["confirmed"]
            existing.recorded_by_id, existing.recorded_at = user.id, utcnow()
            changed += 1
    if changed:
        db.session.flush()
        audit.record("attendance.recorded", db.session.get(School, school_id), school_id=school_id,
                     day=day.isoformat(), marks=changed)
    return changed
