"""Escalation and the morning digest, on a controlled clock: the functions the scheduler runs,
called with the moment they believe it is."""
import uuid
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from server.extensions import db
from server.models import Alert, AlertChoice, AuditEvent, Placement, Pupil, SafeguardingConcern
from server.services.alert_schedule import escalate_unopened, send_digests
from server.dates import SCHOOLS_TIME_ZONE
from server.services.school_calendar import calendar_for
from tests import payloads


def school_day(demo, after=date(2026, 11, 1)):
    day = calendar_for(demo.school().id).next_school_day(after)
    assert day is not None
    return day


def at(day, hour, minute=0):
    return datetime.combine(day, time(hour, minute), tzinfo=SCHOOLS_TIME_ZONE)


def concern_received(staff, placement, when):
    body = payloads.qa_visit(placement.uuid, concern=payloads.concern())
    response = staff.put(f"/api/visits/{uuid.uuid4()}", json=body)
    assert response.status_code == 201
    concern = db.session.execute(sa.select(SafeguardingConcern)).scalar_one()
    concern.received_at = when
    db.session.commit()
    return concern


def escalations():
    return db.session.execute(sa.select(Alert).where(Alert.kind == "concern_escalated")).scalars().all()


def test_a_concern_no_dsl_opens_in_two_school_hours_goes_to_the_headteacher_and_trust_lead(
        staff, placement, demo, office_as):
    day = school_day(demo)
    concern = concern_received(staff, placement, at(day, 9))
    assert escalate_unopened(at(day, 10, 59)) == 0 and not escalations()
    assert escalate_unopened(at(day, 11)) == 1
    assert {a.recipient.email for a in escalations()} == {demo.email("headteacher"), demo.email("trust_lead")}
    assert all(a.subject_id == str(concern.uuid) for a in escalations())
    event = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "concern.escalated")).scalar_one()
    assert set(event.details["told"]) == {demo.user("headteacher").full_name, demo.user("trust_lead").full_name}
    assert escalate_unopened(at(day, 15)) == 0 and len(escalations()) == 2  # once only
    db.session.commit()
    page = office_as("dsl").get(f"/office/concerns/{concern.uuid}").get_data(as_text=True)
    assert "Escalated" in page and demo.user("headteacher").full_name in page


def test_only_school_time_counts_towards_escalation(staff, placement, demo):
    day = school_day(demo)
    following = calendar_for(demo.school().id).next_school_day(day + timedelta(days=1))
    concern_received(staff, placement, at(day, 15, 30))  # one school hour left that day
    assert escalate_unopened(at(day, 23)) == 0
    assert escalate_unopened(at(following, 9, 29)) == 0
    assert escalate_unopened(at(following, 9, 30)) == 1


def test_a_concern_the_dsl_has_opened_is_not_escalated(staff, placement, demo, office_as):
    day = school_day(demo)
    concern = concern_received(staff, placement, at(day, 9))
    office_as("ap_leader").get(f"/office/concerns/{concern.uuid}")  # a reader, not the DSL: still escalates later
    assert office_as("dsl").get(f"/office/concerns/{concern.uuid}").status_code == 200
    assert escalate_unopened(at(day, 16)) == 0 and not escalations()


def digests():
    return db.session.execute(sa.select(Alert).where(Alert.kind == "morning_digest")).scalars().all()


def test_the_morning_digest_goes_to_the_ap_leader_once_on_a_school_day_and_names_no_pupil(demo):
    day = school_day(demo)
    assert send_digests(at(day, 6, 59)) == 0
    assert send_digests(at(day, 7, 5)) >= 1
    riverside = [a for a in digests() if a.school_id == demo.school().id]
    assert [a.recipient.email for a in riverside] == [demo.email("ap_leader")]
    body = riverside[0].body
    assert "Overdue" in body or "Due today" in body
    assert "/office/placements/" in body or "/office/providers/" in body
    for pupil in db.session.execute(sa.select(Pupil)).scalars():
        assert pupil.last_name not in body and pupil.date_of_birth.isoformat() not in body
    count = len(digests())
    assert send_digests(at(day, 9)) == 0 and len(digests()) == count


def test_no_digest_on_a_day_off_when_turned_off_or_when_nothing_is_due(demo):
    saturday = school_day(demo) + timedelta(days=(5 - school_day(demo).weekday()) % 7 or 7)
    assert saturday.weekday() == 5 and send_digests(at(saturday, 8)) == 0
    day = school_day(demo)
    db.session.add(AlertChoice(user_id=demo.user("ap_leader").id, kind="morning_digest", wanted=False))
    db.session.commit()
    send_digests(at(day, 8))
    assert demo.email("ap_leader") not in {a.recipient.email for a in digests()}
    db.session.execute(sa.delete(AlertChoice))
    db.session.execute(sa.update(Placement).values(status="cancelled"))
    db.session.commit()
    assert send_digests(at(day, 8)) == 0
