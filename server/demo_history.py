"""A few weeks of history for the demo schools, so a newcomer sees a working record rather than
a wall of overdue items: reviews in each half term so far, progress information sent to
parents each half term before this one, QA visits every four weeks, a
signed-off visit and one awaiting review, the attendance register kept, one open safeguarding
concern and a follow-up action. Every visit goes through the real sync ingest, so its answers
satisfy the same form checks as a phone's."""
import uuid
from datetime import datetime, time, timedelta, timezone
from random import Random

import sqlalchemy as sa

from server.dev.synthetic import templates_by_form
from server.extensions import db
from server.models import AttendanceRecord, ParentProgressReport, Visit
from server.models.base import utcnow
from server.services.school_calendar import calendar_for, weekday_code
from server.services.sync import ingest_visit

REVIEW_KIND = {"flexi_schooling": "flexi_review", "part_time_timetable": "part_time_review"}
UNRECORDED_DAYS = 2  # the last school days' register is left for the attendance officer to fill


def seed_history(school, placements, users, today):
    templates = templates_by_form(Random(school.id), with_photos=False, variants=2)
    calendar = calendar_for(school.id)
    author, leader = users["visiting_staff"], users["ap_leader"]
    first = True
    for placement in (p for p in placements if p.status == "active"):
        kind = REVIEW_KIND.get(placement.kind, "review_meeting")
        windows = calendar.terms if kind == "flexi_review" else calendar.half_terms
        for window in windows:
            if window.ends_on < placement.start_date or window.starts_on >= today:
                continue
            day = _school_day_before(calendar, min(window.ends_on, today - timedelta(days=3)))
            if day and day >= placement.start_date:
                _visit(author, placement, kind, day, templates, signed_off_by=leader)
                # The pupil risk assessment is reviewed at each formal review (§4.3), except the
                # first placement's: its review after the latest one is still to do, and shows as due.
                if not first:
                    placement.pupil_risk_reviewed_on = day
        _progress_to_parents(placement, calendar, today, leader)
        for week in range(1, 60, placement.qa_visit_every_weeks or 4):
            day = _school_day_before(calendar, placement.start_date + timedelta(weeks=week))
            if day is None or day >= today:
                break
            _visit(author, placement, "qa_visit", day, templates, signed_off_by=None if first else leader,
                   concern=first, action=first)
            first = False
        _attendance(placement, calendar, today, author)


def _progress_to_parents(placement, calendar, today, leader):
    """A report home at the end of every half term already over (§4.3): the current one is due."""
    for number, window in enumerate(calendar.half_terms):
        if window.ends_on < placement.start_date or window.ends_on >= today:
            continue
        day = _school_day_before(calendar, window.ends_on - timedelta(days=2))
        if day and day >= placement.start_date:
            db.session.add(ParentProgressReport(
                school_id=placement.school_id, placement_id=placement.id, sent_on=day,
                method=("written_report", "email", "meeting")[number % 3], sent_by_name=f"{leader.full_name}, AP leader",
                summary="Attendance, progress against the planned outcomes and the next steps.",
                recorded_by_id=leader.id, recorded_at=utcnow()))


def _school_day_before(calendar, day):
    for _ in range(10):
        if calendar.is_school_day(day):
            return day
        day -= timedelta(days=1)
    return None


def _visit(author, placement, kind, day, templates, signed_off_by=None, concern=False, action=False):
    template = templates[kind][0][0]
    at = datetime.combine(day, time(10, 30), tzinfo=timezone.utc).isoformat()
    answers = dict(template.answers)
    if concern:
        answers["concern_raised"] = {"value": "yes"}
    raw = {
        "kind": kind, "placement_id": str(placement.uuid), "provider_id": None,
        "form_id": template.form["form_id"], "form_version": template.form["version"], "mode": template.mode,
        "visit_date": day.isoformat(), "started_at": at, "completed_at": at, "answers": answers, "photos": [],
        "actions": [{"uuid": str(uuid.uuid4()), "item_key": None, "owner_name": "AP leader",
                     "description": "Agree a plan for the pupil's afternoon sessions with the provider.",
                     "due_on": (day + timedelta(days=14)).isoformat()}] if action else [],
        "concern": {"uuid": str(uuid.uuid4()), "raised_at": at, "immediate_action": "Told the provider's DSL.",
                    "text": "Pupil said an older pupil at the bus stop has been taking his dinner money."}
        if concern else None,
        "base_version": None,
    }
    visit_uuid = uuid.uuid4()
    ingest_visit(author, visit_uuid, raw)
    if signed_off_by is not None:
        visit = db.session.execute(sa.select(Visit).where(Visit.uuid == visit_uuid)).scalar_one()
        visit.review_status, visit.reviewed_by_id, visit.reviewed_at = "signed_off", signed_off_by.id, utcnow()


def _attendance(placement, calendar, today, recorder):
    days = calendar.school_days(max(placement.start_date, today - timedelta(days=28)), today - timedelta(days=1))
    for day in days[:-UNRECORDED_DAYS] if len(days) > UNRECORDED_DAYS else []:
        for half in ("am", "pm"):
            if f"{weekday_code(day)}_{half}" in (placement.sessions or ()):
                code = "O" if (day.day + len(placement.sessions)) % 13 == 0 else ("/" if half == "am" else "\\")
                db.session.add(AttendanceRecord(placement_id=placement.id, on_date=day, session=half, code=code,
                                                confirmed_with_provider=True, recorded_by_id=recorder.id,
                                                recorded_at=utcnow()))
