"""The daily attendance register for placements (§4.5): the attendance officer records each
session, confirmed with the provider, with the DfE register code the register suggests or another
they pick; and downloads the marks as CSV for the school's MIS."""
from datetime import date, timedelta

from flask import abort, g, render_template, request, url_for
from flask_login import current_user

from server.dates import school_today
from server.extensions import db
from server.office import office
from server.office.access import may, office_page
from server.office.form_input import submit
from server.office.reports import csv_response
from server.schemas.attendance import AttendanceRegisterSchema
from server.schemas.base import CALENDAR_YEARS
from server.services import audit
from server.services import attendance as register_service
from server.services.attendance import is_school_day, record_register, register_for
from server.services.documents import csv_exports
from server.services.refusal import Refused
from server.vocabulary import labels


def _day_from(value):
    """The register day `value` names (today when it names none); None for a day outside any
    school's calendar, which has no register."""
    try:
        day = date.fromisoformat(value) if value else school_today()
    except ValueError:
        return school_today()
    return day if day.year in CALENDAR_YEARS else None


@office.get("/attendance")
@office_page("attendance.register")
def attendance():
    day = _day_from(request.args.get("date"))
    if day is None:
        abort(404)
    return _render(day)


@office.post("/attendance")
@office_page("attendance.register")
def attendance_save():
    form = request.form
    marks = []
    for key, code in form.items():
        if not key.startswith("mark-") or not code:
            continue
        placement_id, _, session = key.removeprefix("mark-").rpartition("-")
        marks.append({"placement_id": placement_id, "session": session, "code": code,
                      "confirmed": form.get(f"confirmed-{placement_id}") == "on"})
    entered = {"on_date": form.get("on_date", ""), "marks": marks}

    def save(register):
        return register, record_register(g.school.id, register["on_date"], register["marks"],
                                         current_user._get_current_object())

    def refuse(refusal):
        # A service's refusal in its own words; marshmallow's, which name list indexes, would not help here.
        message = " ".join(refusal.errors.values()) if refusal.code else "Some marks were not valid; nothing was saved."
        return _render(_day_from(form.get("on_date")) or school_today(), error=message), 422

    return submit(AttendanceRegisterSchema(), save, refuse, read=lambda schema: schema.load(entered),
                  done=lambda saved: url_for("office.attendance", date=saved[0]["on_date"].isoformat()),
                  message=lambda saved: f"Register saved: {saved[1]} mark{'s' if saved[1] != 1 else ''} changed.")


@office.get("/attendance.csv")
@office_page("attendance.export")
def attendance_csv():
    """The recorded marks from `from` to `to` (each a date; both the day shown when left out), one
    row per pupil, day and session, for the MIS. A range longer than EXPORT_MAX_DAYS, backwards or
    into the future is refused on the register page."""
    day = _day_from(request.args.get("date")) or school_today()
    try:
        starts_on = _export_day(request.args.get("from"), day)
        ends_on = _export_day(request.args.get("to"), starts_on)
        register_service.export_range(starts_on, ends_on)
    except Refused as refused:
        return _render(day, export_error=refused.message,
                       export_days=(request.args.get("from", ""), request.args.get("to", ""))), 422
    audit.record("attendance.csv", g.school, school_id=g.school.id, **{"from": starts_on.isoformat(),
                                                                       "to": ends_on.isoformat()})
    db.session.commit()
    rows = register_service.export_rows(g.school.id, starts_on, ends_on)
    name = f"attendance-{starts_on}" + (f"-to-{ends_on}" if ends_on != starts_on else "") + ".csv"
    return csv_response(csv_exports.stream(register_service.EXPORT_HEADER, rows), name)


def _export_day(value, default):
    if not value:
        return default
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise Refused("validation_failed", "Enter dates like 2026-10-14.", field="from") from None
    if day.year not in CALENDAR_YEARS:
        raise Refused("validation_failed", "Enter a date in a school year this register keeps.", field="from")
    return day


def _render(day, error=None, export_error=None, export_days=None):
    codes = labels("attendance_codes")
    export_from, export_to = export_days or (day.isoformat(), day.isoformat())
    return render_template(
        "office/attendance.html", day=day, rows=register_for(g.school.id, day), error=error,
        export_error=export_error, export_from=export_from, export_to=export_to, may_export=may("attendance.export"),
        school_day=is_school_day(g.school.id, day), codes=codes,
        placement_kinds=labels("placement_kinds"), previous=_weekday_step(day, -1), following=_weekday_step(day, 1),
        today=school_today(), export_max_days=register_service.EXPORT_MAX_DAYS)


def _weekday_step(day, step):
    """The next weekday before or after `day`: registers are kept on weekdays."""
    day += timedelta(days=step)
    while day.weekday() >= 5:
        day += timedelta(days=step)
    return day
