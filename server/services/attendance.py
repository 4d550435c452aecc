"""The daily attendance register (§4.5): each session of each active placement, confirmed with
the provider, with the DfE register code the school enters in its own register (the School
Attendance (Pupil Registration) (England) Regulations 2024). Writing is an upsert keyed by
(placement, day, session), so saving the same register twice changes nothing.

The register suggests each session's code from the placement (`suggested_code`); a person
confirms it or picks another, and only what they chose is saved. A code that cannot be right for
its session is refused (`code_refusal`). docs/rollup.md, "Attendance codes", states both rules."""

from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import aliased, selectinload

from server.dates import school_today
from server.extensions import db
from server.models import AttendanceRecord, Placement, Provider, Pupil, School, User
from server.models.base import utcnow
from server.services import audit
from server.services.refusal import Refused
from server.services.school_calendar import calendar_for, weekday_code
from server.vocabulary import ATTENDANCE_CODES, labels

HALVES = ("am", "pm")
PRESENT = {"am": "/", "pm": "\\"}
# Kinds whose pupil is on the school's register for every session while only some are agreed:
# the register lists each weekday's two sessions, and those outside the agreed ones carry the
# code for why the pupil is not there (C2: a part-time timetable; C: flexi-schooling's home days).
WHOLE_DAY_KINDS = {"part_time_timetable": "C2", "flexi_schooling": "C"}
# The longest stretch the register's CSV covers at once: a month of school days.
EXPORT_MAX_DAYS = 31


def suggested_code(placement, half, agreed=True):
    """The code a school enters for `placement`'s `half` ("am"/"pm") session: B for off-site
    alternative provision and off-site directions (an approved educational activity off site),
    present (/ or \\) on site, C2 for a part-time timetable's sessions outside the agreed ones,
    C for flexi-schooling's home sessions. None for a session that is not on the register."""
    if not agreed:
        return WHOLE_DAY_KINDS.get(placement.kind)
    if placement.kind in ("off_site_ap", "off_site_direction"):
        return "B"
    if placement.kind in WHOLE_DAY_KINDS and placement.provider_id is not None:
        return "B"
    return PRESENT[half]


def code_refusal(placement, half, code, agreed):
    """Why `code` cannot be entered for this session, or None when it can."""
    if code not in ATTENDANCE_CODES:
        return f"{code!r} is not a register code."
    if code in ("/", "\\") and code != PRESENT[half]:
        marks_half = "morning" if code == "/" else "afternoon"
        return (f"{placement.pupil.full_name} {half.upper()}: {code} is the {marks_half} present mark; "
                f"use {PRESENT[half]} for the {'morning' if half == 'am' else 'afternoon'}.")
    if code == "C2" and (placement.kind != "part_time_timetable" or agreed):
        where = ("is only for a pupil on a part-time timetable" if placement.kind != "part_time_timetable"
                 else "is for the sessions outside the agreed timetable; for an agreed session use the reason "
                      "the pupil was absent")
        return f"{placement.pupil.full_name} {half.upper()}: C2 (part-time timetable) {where}."
    return None


def _halves(placement, weekday):
    agreed = [half for half in HALVES if f"{weekday}_{half}" in (placement.sessions or ())]
    if weekday is None:
        return agreed, []
    return agreed, (list(HALVES) if placement.kind in WHOLE_DAY_KINDS else agreed)


def register_for(school_id, day):
    """Rows for the register on `day`: active placements with a session that weekday (every
    weekday for part-time timetables and flexi-schooling). Each row: the placement, the sessions
    on the register, those agreed, the suggested code and the saved mark of each session."""
    placements = db.session.execute(
        sa.select(Placement).join(Pupil)
        .where(Placement.school_id == school_id, Placement.status == "active", Placement.start_date <= day,
               sa.or_(Placement.end_date.is_(None), Placement.end_date >= day))
        .order_by(Pupil.last_name, Pupil.first_name)
        .options(selectinload(Placement.pupil), selectinload(Placement.provider))
    ).scalars().all()
    weekday = weekday_code(day) if day.weekday() < 5 else None
    scheduled = [(p, *_halves(p, weekday)) for p in placements]
    scheduled = [(p, agreed, halves) for p, agreed, halves in scheduled if halves]
    ids = [p.id for p, _, _ in scheduled]
    records = db.session.execute(
        sa.select(AttendanceRecord).where(AttendanceRecord.placement_id.in_(ids), AttendanceRecord.on_date == day)
    ).scalars().all() if ids else []
    marks = {(r.placement_id, r.session): r for r in records}
    return [{"placement": p, "sessions": halves, "agreed": agreed,
             "suggested": {h: suggested_code(p, h, h in agreed) for h in halves},
             "marks": {h: marks.get((p.id, h)) for h in halves}}
            for p, agreed, halves in scheduled]


def is_school_day(school_id, day):
    return calendar_for(school_id).is_school_day(day)


def record_register(school_id, day, entries, user):
    """Save `entries` ([{placement_id (uuid), session, code, confirmed}]) for `day`. Every entry
    must name a session on that day's register, with a code that can be right for it; otherwise
    Refused and nothing is written. Returns how many marks changed."""
    if day > school_today():
        raise Refused("register_day_in_future", "Attendance cannot be recorded for a day that has not happened yet.")
    rows = {str(row["placement"].uuid): row for row in register_for(school_id, day)}
    for entry in entries:
        row = rows.get(str(entry["placement_id"]))
        if row is None or entry["session"] not in row["sessions"]:
            raise Refused("validation_failed",
                          "A mark was for a placement or session not on this day's register.", field="marks")
        refusal = code_refusal(row["placement"], entry["session"], entry["code"],
                               entry["session"] in row["agreed"])
        if refusal:
            raise Refused("validation_failed", refusal + " Nothing was saved.", field="marks")
    changed = 0
    for entry in entries:
        row = rows[str(entry["placement_id"])]
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


# --- The register as CSV for the school's MIS --------------------------------------------------

EXPORT_HEADER = ["UPN or MIS ID", "Pupil", "Date", "Session", "Code", "Meaning", "Provider",
                 "Confirmed with provider", "Recorded by", "Recorded (UK time)"]


def export_range(starts_on, ends_on):
    """Refused unless `starts_on`..`ends_on` is a forward range of at most EXPORT_MAX_DAYS days,
    none of them after today."""
    if ends_on < starts_on:
        raise Refused("validation_failed", "The last day is before the first.", field="to")
    if ends_on > school_today():
        raise Refused("validation_failed", "The register cannot be exported for a day that has not happened yet.",
                      field="to")
    if (ends_on - starts_on) > timedelta(days=EXPORT_MAX_DAYS - 1):
        raise Refused("validation_failed", f"Export at most {EXPORT_MAX_DAYS} days at once.", field="to")


def export_rows(school_id, starts_on, ends_on):
    """Every mark recorded for the school's placements from `starts_on` to `ends_on`, one row per
    pupil, day and session, ordered by day, pupil and session (AM first). Sessions nobody has
    marked are left out: an MIS import must never overwrite its own mark with a blank."""
    meanings = labels("attendance_codes")
    recorder = aliased(User)
    query = (
        sa.select(Pupil.mis_id, Pupil.first_name, Pupil.last_name, AttendanceRecord.on_date,
                  AttendanceRecord.session, AttendanceRecord.code, Provider.name,
                  AttendanceRecord.confirmed_with_provider, recorder.full_name, AttendanceRecord.recorded_at)
        .join(Placement, Placement.id == AttendanceRecord.placement_id)
        .join(Pupil, Pupil.id == Placement.pupil_id)
        .outerjoin(Provider, Provider.id == Placement.provider_id)
        .join(recorder, recorder.id == AttendanceRecord.recorded_by_id)
        .where(Placement.school_id == school_id, AttendanceRecord.on_date.between(starts_on, ends_on))
        .order_by(AttendanceRecord.on_date, Pupil.last_name, Pupil.first_name, Pupil.id, AttendanceRecord.session))
    for (mis_id, first, last, on, half, code, provider, confirmed, by, at) in db.session.execute(
            query.execution_options(yield_per=200)):
        yield [mis_id, f"{first} {last}", on, half.upper(), code, meanings.get(code, "As recorded"), provider,
               confirmed, by, at]
