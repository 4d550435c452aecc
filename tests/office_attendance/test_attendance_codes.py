"""The register's DfE codes (2024 regulations): the code suggested for each session from its
placement, the codes refused for a session they cannot be right for (nothing written), and the
register's CSV for the MIS: its exact content, this school's marks only, who may download it."""
import csv
import io
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from server.dates import school_today
from server.extensions import db
from server.models import AttendanceRecord, AuditEvent
from server.services.attendance import EXPORT_MAX_DAYS, code_refusal, suggested_code
from server.services.documents.attendance import GROUPS
from server.vocabulary import ATTENDANCE_CODES, labels
from tests.office_attendance.test_attendance_register import last_weekday


def placement(kind, provider=True):
    return SimpleNamespace(kind=kind, provider_id=7 if provider else None,
                           pupil=SimpleNamespace(full_name="Ada Pupil"))


# --- The suggestion rule ------------------------------------------------------------------------

@pytest.mark.parametrize("kind, provider, half, agreed, code", [
    ("off_site_ap", True, "am", True, "B"),
    ("off_site_ap", True, "pm", True, "B"),
    ("off_site_direction", True, "am", True, "B"),
    ("on_site_ap", True, "am", True, "/"),
    ("on_site_ap", True, "pm", True, "\\"),
    ("part_time_timetable", False, "am", True, "/"),      # the agreed sessions, in school
    ("part_time_timetable", False, "pm", True, "\\"),
    ("part_time_timetable", True, "am", True, "B"),       # the agreed sessions, at a provider
    ("part_time_timetable", False, "pm", False, "C2"),    # outside the agreed sessions
    ("part_time_timetable", True, "am", False, "C2"),
    ("flexi_schooling", False, "am", True, "/"),          # the school days
    ("flexi_schooling", False, "pm", False, "C"),         # the home days: leave, not C2
    ("off_site_ap", True, "pm", False, None),             # not on the register at all
    ("on_site_ap", True, "am", False, None),
])
def test_the_suggested_code_for_each_placement_kind_and_session(kind, provider, half, agreed, code):
    assert suggested_code(placement(kind, provider), half, agreed) == code


def test_every_suggestion_is_a_code_of_the_list_and_every_code_counts_in_one_group():
    for kind in labels("placement_kinds"):
        for half in ("am", "pm"):
            for agreed in (True, False):
                code = suggested_code(placement(kind), half, agreed)
                assert code is None or code in ATTENDANCE_CODES
    assert set(GROUPS) == set(ATTENDANCE_CODES)
    assert all(len(code) <= 2 for code in ATTENDANCE_CODES)
    # The 2024 codes, and the earlier list's codes still there (stored rows keep their meaning).
    assert {"K", "C1", "C2", "J1", "Q", "Y1", "Y7", "L"} <= set(ATTENDANCE_CODES)
    assert set("/\\BDIMCEGOUN") <= set(ATTENDANCE_CODES)
    assert "H" not in ATTENDANCE_CODES and "J" not in ATTENDANCE_CODES and "Y" not in ATTENDANCE_CODES


@pytest.mark.parametrize("kind, half, code, agreed, refused", [
    ("off_site_ap", "am", "/", True, False),
    ("off_site_ap", "pm", "/", True, True),        # the morning's present mark in the afternoon
    ("off_site_ap", "am", "\\", True, True),
    ("off_site_ap", "am", "C2", True, True),       # C2 only for a part-time timetable
    ("flexi_schooling", "pm", "C2", False, True),  # flexi-schooling is not a part-time timetable
    ("part_time_timetable", "am", "C2", True, True),   # an agreed session missed has its own reason
    ("part_time_timetable", "pm", "C2", False, False),
    ("part_time_timetable", "pm", "I", False, False),
    ("off_site_ap", "am", "K", True, False),
    ("off_site_ap", "am", "ZZ", True, True),
])
def test_a_code_that_cannot_be_right_for_its_session_is_refused(kind, half, code, agreed, refused):
    assert bool(code_refusal(placement(kind), half, code, agreed)) is refused


# --- The register page --------------------------------------------------------------------------

@pytest.fixture
def officer(office, demo):
    office.sign_in(demo.email("attendance_officer"))
    return office


def active(demo, kind):
    return next(p for p in demo.placements() if p.kind == kind and p.status == "active")


def marks():
    return db.session.execute(sa.select(sa.func.count()).select_from(AttendanceRecord)).scalar()


def test_the_register_shows_a_part_time_timetables_other_session_with_c2_suggested(officer, demo):
    monday = last_weekday("mon")
    part_time = active(demo, "part_time_timetable")   # Monday AM agreed, PM not
    page = officer.get(f"/office/attendance?date={monday.isoformat()}").text
    pm = f'id="mark-{part_time.uuid}-pm-hint">Outside the agreed sessions. Suggested: <strong>C2</strong>'
    assert pm in page
    assert f'id="mark-{part_time.uuid}-am-hint">Suggested: <strong>/</strong>' in page
    off_site = active(demo, "off_site_ap")
    assert f'id="mark-{off_site.uuid}-am-hint">Suggested: <strong>B</strong>' in page
    assert "C2 · Leave: part-time timetable (suggested)" in page
    # The part-time pupil's afternoon takes C2, and is saved.
    response = officer.post("/office/attendance", data={"on_date": monday.isoformat(),
                                                        f"mark-{part_time.uuid}-am": "/",
                                                        f"mark-{part_time.uuid}-pm": "C2"})
    assert response.status_code == 302
    assert marks() == 2


@pytest.mark.parametrize("kind, half, code, message", [
    ("part_time_timetable", "am", "C2", "outside the agreed timetable"),
    ("off_site_ap", "am", "C2", "only for a pupil on a part-time timetable"),
    ("off_site_ap", "pm", "/", "use \\ for the afternoon"),
    ("off_site_ap", "am", "H", "Some marks were not valid"),      # a code the 2024 list dropped
    ("off_site_ap", "am", "B'; --", "Some marks were not valid"),
])
def test_the_register_refuses_a_wrong_code_with_a_message_and_writes_nothing(officer, demo, kind, half, code, message):
    monday = last_weekday("mon")
    chosen = active(demo, kind)
    other = active(demo, "on_site_ap")
    response = officer.post("/office/attendance", data={
        "on_date": monday.isoformat(), f"mark-{other.uuid}-am": "/",   # a good mark beside it is not kept either
        f"mark-{chosen.uuid}-{half}": code})
    assert response.status_code == 422
    assert message in response.text
    assert marks() == 0


# --- The CSV for the MIS ------------------------------------------------------------------------

RECORDED_AT = datetime(2026, 10, 5, 9, 41, tzinfo=timezone.utc)  # 10:41 in England (BST)


def seed_day(demo, day):
    """Three marks at Riverside and one at Hillcrest on `day`; one pupil's name would be a formula."""
    officer, theirs = demo.user("attendance_officer"), demo.user("attendance_officer", "hillcrest")
    off_site, on_site = active(demo, "off_site_ap"), active(demo, "on_site_ap")
    on_site.pupil.first_name = "=HYPERLINK(\"http://x\")"
    other_school = demo.placements("hillcrest")[0]
    other_school.pupil.first_name, other_school.pupil.mis_id = "Hillcrestonly", "HILL-ONLY"
    rows = [(off_site, "pm", "B", True, officer), (off_site, "am", "I", False, officer),
            (on_site, "am", "/", True, officer), (other_school, "am", "O", True, theirs)]
    for p, half, code, confirmed, by in rows:
        db.session.add(AttendanceRecord(placement_id=p.id, on_date=day, session=half, code=code,
                                        confirmed_with_provider=confirmed, recorded_by_id=by.id,
                                        recorded_at=RECORDED_AT))
    db.session.commit()
    return off_site, on_site, other_school


def test_the_csv_holds_exactly_the_days_marks_for_the_mis(officer, demo):
    monday = last_weekday("mon")
    off_site, on_site, other_school = seed_day(demo, monday)
    response = officer.get(f"/office/attendance.csv?from={monday.isoformat()}&to={monday.isoformat()}",
                           buffered=True)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == f'attachment; filename="attendance-{monday}.csv"'
    by = demo.user("attendance_officer").full_name
    rows = sorted([(off_site.pupil, "AM", "I", "Illness", off_site.provider.name, "No"),
                   (off_site.pupil, "PM", "B", "Other approved educational activity off site",
                    off_site.provider.name, "Yes"),
                   (on_site.pupil, "AM", "/", "Present (AM)", on_site.provider.name, "Yes")],
                  key=lambda row: (row[0].last_name, row[0].first_name, row[1]))
    expected = io.StringIO()
    writer = csv.writer(expected)
    writer.writerow(["UPN or MIS ID", "Pupil", "Date", "Session", "Code", "Meaning", "Provider",
                     "Confirmed with provider", "Recorded by", "Recorded (UK time)"])
    for pupil, half, code, meaning, provider, confirmed in rows:
        name = pupil.full_name if not pupil.first_name.startswith("=") else "'" + pupil.full_name
        writer.writerow([pupil.mis_id, name, monday.isoformat(), half, code, meaning, provider, confirmed, by,
                         "2026-10-05 10:41"])
    assert response.get_data(as_text=True) == "\ufeff" + expected.getvalue()
    text = response.get_data(as_text=True)
    assert other_school.pupil.full_name not in text and other_school.pupil.mis_id not in text
    assert ',"=HYPERLINK' not in text and ",=HYPERLINK" not in text
    event = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "attendance.csv")).scalar_one()
    assert event.details["from"] == monday.isoformat() and event.details["to"] == monday.isoformat()


def test_a_range_of_days_is_capped_and_a_bad_range_is_refused_on_the_page(officer, demo):
    today = school_today()
    longest = today - timedelta(days=EXPORT_MAX_DAYS - 1)
    assert officer.get(f"/office/attendance.csv?from={longest}&to={today}", buffered=True).status_code == 200
    for query, message in [(f"from={longest - timedelta(days=1)}&to={today}", f"at most {EXPORT_MAX_DAYS} days"),
                           (f"from={today}&to={today - timedelta(days=1)}", "before the first"),
                           (f"from={today}&to={today + timedelta(days=1)}", "not happened yet"),
                           ("from=yesterday", "Enter dates like"),
                           ("from=1066-10-14", "a school year")]:
        response = officer.get(f"/office/attendance.csv?{query}")
        assert response.status_code == 422, query
        assert "text/html" in response.content_type and message in response.text, query
    assert db.session.execute(sa.select(sa.func.count()).select_from(AuditEvent)
                              .where(AuditEvent.action == "attendance.csv")).scalar() == 1


@pytest.mark.parametrize("role, status", [("attendance_officer", 200), ("ap_leader", 200), ("headteacher", 200),
                                          ("admin", 200), ("visiting_staff", 403), ("governor", 403),
                                          ("dsl", 403), ("trust_lead", 403)])
def test_who_may_download_the_register(office_as, demo, role, status):
    response = office_as(role).get("/office/attendance.csv", buffered=True)
    assert response.status_code == status
    if status == 403:
        assert "text/csv" not in response.content_type


# --- In a browser -------------------------------------------------------------------------------

SHOTS = "/work/shots/attendance"


def test_the_register_in_a_browser_at_phone_and_desktop_size(browser, live_server):
    """At 390 px each session's drop-down keeps its width (the table scrolls sideways rather than
    squash it), the page passes axe at both sizes, and the CSV downloads from its button."""
    from pathlib import Path

    from tests.conftest import PHONE, office_sign_in
    from tests.e2e.axe import violations
    Path(SHOTS).mkdir(parents=True, exist_ok=True)
    context = browser.new_context(**{**PHONE, "is_mobile": False}, bypass_csp=True, accept_downloads=True)
    try:
        page = context.new_page()
        office_sign_in(page, live_server.url, "attendance.officer@riverside.example")
        page.goto(f"{live_server.url}/office/attendance?date={last_weekday('mon').isoformat()}")
        am = page.locator("select[name$='-am']").first
        assert am.bounding_box()["width"] >= 200
        assert violations(page) == []
        page.screenshot(path=f"{SHOTS}/register-390.png", full_page=True)
        page.set_viewport_size({"width": 1280, "height": 900})
        assert violations(page) == []
        am.select_option("B")
        page.check("input[type=checkbox] >> nth=0")
        page.click("text=Save register")
        assert page.get_by_text("Register saved: 1 mark changed.").is_visible()
        page.screenshot(path=f"{SHOTS}/register-1280.png", full_page=True)
        with page.expect_download() as download:
            page.click("text=Download CSV")
        text = Path(download.value.path()).read_text(encoding="utf-8-sig")
        assert text.splitlines()[0].startswith("UPN or MIS ID,Pupil,Date,Session,Code")
        assert len(text.splitlines()) == 2 and ",AM,B,Other approved educational activity off site," in text
        page.fill("#export-from", (school_today() - timedelta(days=60)).isoformat())
        page.fill("#export-to", school_today().isoformat())
        page.click("text=Download CSV")
        assert page.get_by_text(f"Export at most {EXPORT_MAX_DAYS} days at once.").is_visible()
        assert page.input_value("#export-from") == (school_today() - timedelta(days=60)).isoformat()
        page.set_viewport_size(PHONE["viewport"])
        assert violations(page) == []
        page.screenshot(path=f"{SHOTS}/register-export-refused-390.png", full_page=True)
    finally:
        context.close()
