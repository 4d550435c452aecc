"""The daily attendance register for placements (§4.5): the attendance officer records each
attended session, confirmed with the provider, with a register code."""
from datetime import date, timedelta

from flask import abort, g, render_template, request, url_for
from flask_login import current_user

from server.dates import school_today
from server.office import office
from server.office.access import office_page
from server.office.form_input import submit
from server.schemas.attendance import AttendanceRegisterSchema
from server.schemas.base import CALENDAR_YEARS
from server.services.attendance import is_school_day, record_register, register_for
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


def _render(day, error=None):
    return render_template(
        "office/attendance.html", day=day, rows=register_for(g.school.id, day), error=error,
        school_day=is_school_day(g.school.id, day), codes=labels("attendance_codes"),
        placement_kinds=labels("placement_kinds"), previous=_weekday_step(day, -1), following=_weekday_step(day, 1),
        today=school_today())


def _weekday_step(day, step):
    """The next weekday before or after `day`: registers are kept on weekdays."""
    day += timedelta(days=step)
    while day.weekday() >= 5:
        day += timedelta(days=step)
    return day
