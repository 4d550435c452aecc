"""Visits sent through the real sync API by the demo's visiting staff member, as a phone would
send them: a QA visit with a photo, an action and a safeguarding concern, and a pre-placement
check of the online provider. The office tests then review them. `absurd_dates_stored` writes
dates no phone can send any more straight into the database, as rows from before the window
(server/schemas/phone_clock.py) may hold them."""
import uuid
from datetime import date, datetime, timezone

import sqlalchemy as sa

from server.extensions import db
from server.models import FollowUpAction, Provider, SafeguardingConcern, Visit, VisitVersion
from tests import payloads


def send_visit(api, payload):
    visit_uuid = str(uuid.uuid4())
    response = api.put(f"/api/visits/{visit_uuid}", json=payload)
    assert response.status_code == 201, response.get_json()
    return visit_uuid, response.get_json()


def send_photo(api, visit_uuid, entry, data):
    response = api.put(f"/api/visits/{visit_uuid}/photos/{entry['uuid']}", data=data,
                       headers={"Content-Type": "image/jpeg", "X-Content-SHA256": entry["sha256"]})
    assert response.status_code in (200, 201), response.get_json()
    return response.get_json()


def qa_visit_with_concern(api, placement, photo_count=1, send_photos=True, concern_text=None):
    """A QA visit on `placement` with photos of the pupil's work, an action and a concern."""
    images = [payloads.jpeg_bytes(colour=(40 + 60 * i, 120, 200)) for i in range(photo_count)]
    entries = [payloads.manifest_entry(data, caption=f"Pupil's folder, page {i + 1}") for i, data in enumerate(images)]
    payload = payloads.qa_visit(placement.uuid, photos=entries,
                                concern=payloads.concern(concern_text) if concern_text else payloads.concern(),
                                actions=[payloads.action(due=payloads.days_from_today(3))])
    visit_uuid, receipt = send_visit(api, payload)
    if send_photos:
        for entry, data in zip(entries, images):
            receipt = send_photo(api, visit_uuid, entry, data)
    return visit_uuid, receipt


def provider_check_answers(weak_policy="policy_anti_bullying"):
    def choice(key):
        if key == weak_policy:
            return {"value": "weak", "note": "Last reviewed in 2019."}
        return {"value": "in_place"}

    answers = {
        "online_only_provider": {"value": "yes"},
        "people_met": {"value": [{"name": "Jo Reed", "role": "Head of centre"}]},
        "registration_confirmed": {"value": "yes"},
        "reports_reviewed": {"value": "yes"},
        "website_reviewed": {"value": "yes"},
        "staff_checks_confirmed": {"value": "yes"},
        "attendance_daily_notice": {"value": "yes"},
        "qa_arrangements": {"value": "Termly online observation and a monthly work sample."},
        "risk_rating": {"value": "medium"},
        "missing_or_weak": {"value": "Anti-bullying policy is out of date."},
        "concern_raised": {"value": "no"},
    }
    for key in ("policy_safeguarding", "policy_safer_recruitment", "policy_data_protection", "policy_health_safety",
                "policy_complaints", "policy_attendance", "policy_behaviour", "policy_anti_bullying",
                "curriculum_offer", "personal_development", "qualifications_record", "enrolment_exam_entry",
                "insurance_certificates", "attendance_recording", "communication"):
        answers[key] = choice(key)
    return answers


def provider_check(api, provider, visit_date=None):
    return send_visit(api, payloads.provider_check(
        provider.uuid, provider_check_answers(), visit_date=visit_date and visit_date.isoformat(), actions=[
            payloads.action("Ask for the updated anti-bullying policy", due=payloads.days_from_today(10))
            | {"item_key": "policy_anti_bullying"},
            payloads.action("Agree a QA visit schedule", due=payloads.days_from_today(17))
            | {"item_key": "risk_rating"}]))


def online_provider(school):
    return db.session.execute(sa.select(Provider).where(
        Provider.school_id == school.id, Provider.registration_status == "online_only")).scalar_one()


# The two ends of the calendar, as a database may hold them from before phone times were bounded.
ABSURD = {"year 1": (datetime(1, 1, 1, tzinfo=timezone.utc), date(1, 1, 1)),
          "year 9999": (datetime(9999, 12, 31, 23, 59, 59, tzinfo=timezone.utc), date(9999, 12, 31))}


def absurd_dates_stored(visit_uuid, end):
    """Every date and time the phone sent with this visit (its date, its clock times, its
    concern's time and its actions' due dates) set to one end of the calendar, with UPDATE
    statements that bypass the API."""
    moment, day = ABSURD[end]
    visit_id = db.session.execute(sa.select(Visit.id).where(Visit.uuid == uuid.UUID(visit_uuid))).scalar_one()
    for statement in (
            sa.update(Visit).where(Visit.id == visit_id).values(visit_date=day),
            sa.update(VisitVersion).where(VisitVersion.visit_id == visit_id).values(
                visit_date=day, device_started_at=moment, device_completed_at=moment),
            sa.update(SafeguardingConcern).where(SafeguardingConcern.visit_id == visit_id).values(
                raised_at_device=moment),
            sa.update(FollowUpAction).where(FollowUpAction.visit_id == visit_id).values(due_on=day)):
        db.session.execute(statement.execution_options(synchronize_session=False))
    db.session.commit()
    db.session.expire_all()
