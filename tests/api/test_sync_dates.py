"""Dates and times a phone sends: kept as evidence while they are plausible, refused with a 422
naming the field when they are absurd (year 1, year 9999, offsets that overflow UTC), and a visit
dated after England's today is refused outright. Nothing is stored on a refusal."""
import uuid
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from server.dates import school_today
from server.extensions import db
from server.models import AuditEvent, FollowUpAction, SafeguardingConcern, Visit, VisitVersion
from tests import payloads

ABSURD_MOMENTS = ["0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "9999-12-31T23:59:59-23:59",
                  "0001-01-01T00:00:00+23:59"]


def count(model):
    return db.session.execute(sa.select(sa.func.count()).select_from(model)).scalar()


def nothing_stored():
    return all(count(model) == 0 for model in (Visit, VisitVersion, SafeguardingConcern, FollowUpAction))


def iso(moment):
    return moment.isoformat()


def visit_with(placement, field, value):
    """A QA visit with a concern and an action, one of whose date fields is `value`."""
    body = payloads.qa_visit(placement.uuid, concern=payloads.concern(), actions=[payloads.action()])
    if field == "raised_at":
        body["concern"]["raised_at"] = value
    elif field == "due_on":
        body["actions"][0]["due_on"] = value
    else:
        body[field] = value
    return body


def refused(response, *path):
    """The 422 validation_failed answer, whose details name the field at `path`."""
    assert response.status_code == 422, response.get_json()
    body = response.get_json()
    assert body["code"] == "validation_failed"
    details = body["details"]
    for key in path:
        assert key in details, details
        details = details[key]
    return details


@pytest.mark.parametrize("value", ABSURD_MOMENTS)
@pytest.mark.parametrize("field", ["started_at", "completed_at"])
def test_an_absurd_visit_time_is_refused_naming_the_field(staff, placement, field, value):
    response = staff.put(f"/api/visits/{uuid.uuid4()}", json=visit_with(placement, field, value))
    refused(response, field)
    assert nothing_stored()


@pytest.mark.parametrize("value", ABSURD_MOMENTS)
def test_an_absurd_concern_time_is_refused_naming_the_field(staff, placement, value):
    response = staff.put(f"/api/visits/{uuid.uuid4()}", json=visit_with(placement, "raised_at", value))
    refused(response, "concern", "raised_at")
    assert nothing_stored()


@pytest.mark.parametrize("value", ABSURD_MOMENTS)
def test_an_absurd_discard_confirmation_time_is_refused(staff, value):
    response = staff.post("/api/visits/discarded", json={"visit_ids": [str(uuid.uuid4())], "confirmed_at": value})
    refused(response, "confirmed_at")
    assert db.session.execute(sa.select(AuditEvent).where(
        AuditEvent.action == "visit.discarded_on_phone")).first() is None


@pytest.mark.parametrize("field", ["started_at", "completed_at", "raised_at"])
def test_times_just_inside_the_window_are_kept_as_the_phone_sent_them(staff, placement, field):
    now = datetime.now(timezone.utc).replace(microsecond=0)
    for moment in (now - timedelta(days=399), now + timedelta(hours=20)):
        response = staff.put(f"/api/visits/{uuid.uuid4()}", json=visit_with(placement, field, iso(moment)))
        assert response.status_code == 201, response.get_json()
        version = db.session.execute(sa.select(VisitVersion).order_by(VisitVersion.id.desc())).scalars().first()
        concern = db.session.execute(
            sa.select(SafeguardingConcern).order_by(SafeguardingConcern.id.desc())).scalars().first()
        stored = {"started_at": version.device_started_at, "completed_at": version.device_completed_at,
                  "raised_at": concern.raised_at_device}[field]
        assert stored == moment


@pytest.mark.parametrize("field", ["started_at", "completed_at", "raised_at"])
def test_times_just_outside_the_window_are_refused(staff, placement, field):
    now = datetime.now(timezone.utc)
    for moment in (now - timedelta(days=401), now + timedelta(days=2)):
        response = staff.put(f"/api/visits/{uuid.uuid4()}", json=visit_with(placement, field, iso(moment)))
        assert response.status_code == 422 and response.get_json()["code"] == "validation_failed"
    assert nothing_stored()


def test_a_time_with_an_offset_is_judged_in_utc(staff, placement):
    """Half past midnight tomorrow at +14:00 is still this morning in UTC: accepted."""
    now = datetime.now(timezone.utc).replace(microsecond=0)
    far_east = now.astimezone(timezone(timedelta(hours=14)))
    response = staff.put(f"/api/visits/{uuid.uuid4()}", json=visit_with(placement, "started_at", iso(far_east)))
    assert response.status_code == 201
    assert db.session.execute(sa.select(VisitVersion.device_started_at)).scalar_one() == now


def test_a_visit_dated_after_englands_today_is_refused(staff, placement):
    tomorrow = (school_today() + timedelta(days=1)).isoformat()
    response = staff.put(f"/api/visits/{uuid.uuid4()}", json=visit_with(placement, "visit_date", tomorrow))
    assert response.status_code == 422 and response.get_json()["code"] == "visit_date_in_future"
    assert response.get_json()["details"]["visit_date"] == tomorrow
    assert nothing_stored()


def test_a_visit_dated_in_year_9999_is_refused_as_in_the_future(staff, placement):
    response = staff.put(f"/api/visits/{uuid.uuid4()}", json=visit_with(placement, "visit_date", "9999-12-31"))
    assert response.status_code == 422 and response.get_json()["code"] == "visit_date_in_future"
    assert nothing_stored()


def test_a_visit_dated_today_in_england_is_accepted(staff, placement):
    today = school_today().isoformat()
    response = staff.put(f"/api/visits/{uuid.uuid4()}", json=visit_with(placement, "visit_date", today))
    assert response.status_code == 201


@pytest.mark.parametrize("value", ["0001-01-01", "2000-01-01"])
def test_a_visit_dated_before_the_window_is_refused(staff, placement, value):
    refused(staff.put(f"/api/visits/{uuid.uuid4()}", json=visit_with(placement, "visit_date", value)), "visit_date")
    assert nothing_stored()


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31"])
def test_an_absurd_action_due_date_is_refused_naming_the_field(staff, placement, value):
    response = staff.put(f"/api/visits/{uuid.uuid4()}", json=visit_with(placement, "due_on", value))
    refused(response, "actions", "0", "due_on")
    assert nothing_stored()


def test_a_correction_with_an_absurd_time_leaves_the_stored_visit_alone(staff, placement):
    visit_id = uuid.uuid4()
    body = visit_with(placement, "started_at", iso(datetime.now(timezone.utc)))
    assert staff.put(f"/api/visits/{visit_id}", json=body).status_code == 201
    corrected = dict(body, started_at="0001-01-01T00:00:00+23:59", base_version=1)
    refused(staff.put(f"/api/visits/{visit_id}", json=corrected), "started_at")
    assert count(VisitVersion) == 1
    assert staff.get(f"/api/visits/{visit_id}").get_json()["version"] == 1
