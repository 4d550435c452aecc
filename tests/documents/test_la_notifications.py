"""The local-authority notifications list: new off-site placements (§7.12), part-time timetables
(§9.7) and flexi-schooling (§10.7) in the period, with what the LA needs and where to send it;
and "LA informed on <date>", recorded only by the people who may, only for the school's own
placements, and audited."""
import csv
import io
from datetime import date, timedelta

import sqlalchemy as sa

from rollup.factories import make_placement
from server.extensions import db
from server.models import Placement
from tests.documents.conftest import audit_rows


def listed_kinds(html, demo):
    return {p.kind for p in demo.placements() if p.pupil.full_name in html and str(p.uuid) in html}


def test_the_list_has_what_the_la_needs(riverside_record, office_as, demo):
    response = office_as("ap_leader").get("/office/reports/la-notifications")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "ap-notifications@riverside-la.example" in html
    assert "Northshire County Council" in html
    assert listed_kinds(html, demo) == {"off_site_ap", "off_site_direction", "part_time_timetable",
                                        "flexi_schooling"}
    on_site = next(p for p in demo.placements() if p.kind == "on_site_ap")
    assert str(on_site.uuid) not in html
    for text in ("New off-site alternative provision (§7.12)", "Part-time timetable (§9.7)",
                 "Flexi-schooling (§10.7)", "EHCP", "Looked after"):
        assert text in html
    # Five active placements and Alfie's planned one, which the LA hears about before it starts.
    assert audit_rows("la_notifications.read")[-1].details["rows"] == 6


def test_an_off_site_placement_that_started_before_the_period_is_not_new(riverside_record, office_as, demo):
    start = demo.placements()[0].start_date
    html = office_as("ap_leader").get(
        f"/office/reports/la-notifications?from={start + timedelta(days=1)}&to={date.today()}").get_data(as_text=True)
    assert listed_kinds(html, demo) == {"part_time_timetable", "flexi_schooling"}


def test_the_csv_carries_the_same_rows(riverside_record, office_as, demo):
    response = office_as("admin").get("/office/reports/la-notifications.csv", buffered=True)
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"), newline="")))
    assert rows[0] == ["Reason", "Pupil", "Date of birth", "Year group", "EHCP", "Looked after", "Kind", "Provider",
                       "Start date", "Sessions a week", "LA informed on"]
    alfie = next(row for row in rows[1:] if row[1] == "Alfie Brennan" and row[7] == "Oakfield Independent School")
    pupil = demo.placements()[0].pupil
    assert alfie[2] == pupil.date_of_birth.isoformat() and alfie[4] == "Yes" and alfie[9] == "4"
    assert len(rows) == 1 + 6


def test_recording_that_the_la_was_told_sets_the_date_and_is_audited(riverside_record, office_as, demo):
    fresh = make_placement(demo.school(), kind="part_time_timetable", start=date.today() - timedelta(days=3),
                           pupil=demo.placements()[0].pupil)
    db.session.commit()
    told = date.today() - timedelta(days=1)
    response = office_as("ap_leader").post("/office/reports/la-notifications/informed",
                                           data={"placement": [str(fresh.uuid)], "informed_on": told.isoformat()})
    assert response.status_code == 302
    assert db.session.get(Placement, fresh.id).la_informed_on == told
    row = audit_rows("placement.la_informed", fresh.uuid)[-1]
    assert row.actor_id == demo.user("ap_leader").id and row.details == {"informed_on": told.isoformat(),
                                                                        "before": None}


def test_a_refused_record_changes_nothing(riverside_record, office_as, demo):
    ours = demo.placements()[4]
    theirs = demo.placements("hillcrest")[4]
    before = (ours.la_informed_on, theirs.la_informed_on)
    client = office_as("ap_leader")
    cases = [
        ({"placement": [str(ours.uuid)], "informed_on": (date.today() + timedelta(days=1)).isoformat()},
         "cannot be in the future"),
        ({"placement": [str(ours.uuid), str(theirs.uuid)], "informed_on": date.today().isoformat()},
         "not this school"),
        ({"informed_on": date.today().isoformat()}, "Tick the placements"),
        ({"placement": ["not-a-uuid"], "informed_on": date.today().isoformat()}, "Nothing was recorded"),
        ({"placement": [str(ours.uuid)], "informed_on": "yesterday"}, "Enter a date like"),
        ({"placement": [str(ours.uuid)], "informed_on": date.today().isoformat(), "extra": "x"},
         "Nothing was recorded"),
    ]
    for data, message in cases:
        response = client.post("/office/reports/la-notifications/informed", data=data)
        assert response.status_code == 422, data
        assert message in response.get_data(as_text=True), data
    db.session.expire_all()
    assert (db.session.get(Placement, ours.id).la_informed_on, db.session.get(Placement, theirs.id).la_informed_on) \
        == before
    assert audit_rows("placement.la_informed") == []


def test_only_the_people_who_tell_the_la_may_record_it(riverside_record, office_as, demo):
    ours = demo.placements()[4]
    for role in ("dsl", "trust_lead", "governor", "visiting_staff", "attendance_officer"):
        response = office_as(role).post("/office/reports/la-notifications/informed",
                                        data={"placement": [str(ours.uuid)], "informed_on": date.today().isoformat()})
        assert response.status_code == 403, role
    assert db.session.execute(sa.select(Placement.la_informed_on).where(Placement.id == ours.id)).scalar() \
        == ours.la_informed_on
