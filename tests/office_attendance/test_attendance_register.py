"""The attendance register: marks for each attended session, saved once however often the
form is sent, refused for sessions a pupil does not attend, scoped to the school and role."""
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from server.extensions import db
from server.models import AttendanceRecord, AuditEvent


def last_weekday(weekday_code):
    day = date.today() - timedelta(days=1)
    while day.strftime("%a").lower()[:3] != weekday_code:
        day -= timedelta(days=1)
    return day


@pytest.fixture
def officer(office, demo):
    office.sign_in(demo.email("attendance_officer"))
    return office


def test_the_register_lists_placements_attending_that_day_and_saves_marks_once(officer, demo):
    monday = last_weekday("mon")
    page = officer.get(f"/office/attendance?date={monday.isoformat()}")
    assert page.status_code == 200
    alfie = next(p for p in demo.placements() if p.pupil.first_name == "Alfie" and p.status == "active")
    assert "Alfie Brennan" in page.text
    form = {"on_date": monday.isoformat(), f"mark-{alfie.uuid}-am": "/", f"mark-{alfie.uuid}-pm": "O",
            f"confirmed-{alfie.uuid}": "on"}
    assert officer.post("/office/attendance", data=form).status_code == 302
    assert officer.post("/office/attendance", data=form).status_code == 302
    marks = db.session.execute(sa.select(AttendanceRecord.session, AttendanceRecord.code,
                                         AttendanceRecord.confirmed_with_provider)
                               .where(AttendanceRecord.placement_id == alfie.id)).all()
    assert sorted(marks) == [("am", "/", True), ("pm", "O", True)]
    assert db.session.execute(sa.select(sa.func.count()).select_from(AuditEvent)
                              .where(AuditEvent.action == "attendance.recorded")).scalar() == 1


def test_a_mark_for_a_session_the_pupil_does_not_attend_is_refused_and_nothing_saved(officer, demo):
    friday = last_weekday("fri")
    alfie = next(p for p in demo.placements() if p.pupil.first_name == "Alfie" and p.status == "active")
    response = officer.post("/office/attendance", data={"on_date": friday.isoformat(),
                                                        f"mark-{alfie.uuid}-am": "/"})
    assert response.status_code == 422
    assert db.session.execute(sa.select(sa.func.count()).select_from(AttendanceRecord)).scalar() == 0


@pytest.mark.parametrize("bad", [{"mark-not-a-uuid-am": "/"}, {"on_date": "yesterday"}, {"on_date": "2099-01-05"}])
def test_bad_register_input_changes_nothing(officer, demo, bad):
    form = {"on_date": last_weekday("mon").isoformat()}
    form.update(bad)
    assert officer.post("/office/attendance", data=form).status_code == 422
    assert db.session.execute(sa.select(sa.func.count()).select_from(AttendanceRecord)).scalar() == 0


def test_another_schools_placement_cannot_be_marked(officer, demo):
    monday = last_weekday("mon")
    theirs = demo.placements("hillcrest")[0]
    response = officer.post("/office/attendance", data={"on_date": monday.isoformat(),
                                                        f"mark-{theirs.uuid}-am": "/"})
    assert response.status_code == 422
    assert db.session.execute(sa.select(sa.func.count()).select_from(AttendanceRecord)).scalar() == 0


@pytest.mark.parametrize("role, status", [("attendance_officer", 200), ("ap_leader", 200), ("visiting_staff", 403),
                                          ("governor", 403), ("dsl", 403)])
def test_who_may_open_the_register(office, demo, role, status):
    office.sign_in(demo.email(role))
    assert office.get("/office/attendance").status_code == status


def test_a_post_without_the_csrf_token_is_refused(officer, demo):
    alfie = demo.placements()[0]
    response = officer.client.post("/office/attendance", data={"on_date": last_weekday("mon").isoformat(),
                                                               f"mark-{alfie.uuid}-am": "/"})
    assert response.status_code == 403


@pytest.mark.e2e
def test_the_register_in_a_browser(live_server, desktop_context):
    from tests.conftest import office_sign_in, screenshot
    page = desktop_context.new_page()
    office_sign_in(page, live_server.url, "attendance.officer@riverside.example")
    page.goto(f"{live_server.url}/office/attendance?date={last_weekday('mon').isoformat()}")
    page.select_option("select[name$='-am'] >> nth=0", "/")
    page.check("input[type=checkbox] >> nth=0")
    page.click("text=Save register")
    assert page.get_by_text("Register saved: 1 mark changed.").is_visible()
    screenshot(page, "office-attendance-desktop")
