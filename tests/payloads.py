"""Visit payloads as a phone sends them, and real image bytes, for API and end-to-end tests."""
import hashlib
import io
import uuid
from datetime import datetime, timedelta, timezone

from PIL import Image

from server.dates import school_today


def jpeg_bytes(width=640, height=480, colour=(40, 120, 200)):
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, format="JPEG", quality=80)
    return buffer.getvalue()


def phone_clock_now():
    """The phone's clock now, as it sends it: every time a test sends stays inside the server's
    window (server/schemas/phone_clock.py) however long after it was written the test runs."""
    return datetime.now(timezone.utc).isoformat()


def days_from_today(days):
    """A date `days` after England's today (before it, if negative), as the phone sends it."""
    return (school_today() + timedelta(days=days)).isoformat()


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def manifest_entry(data, item_key="work_photos", caption="Pupil's folder", media_type="image/jpeg"):
    return {"uuid": str(uuid.uuid4()), "item_key": item_key, "caption": caption, "sha256": sha256(data),
            "size": len(data), "type": media_type}


def qa_visit(placement_uuid, photos=(), concern=None, actions=(), findings="Settled, engaged in the workshop."):
    """A valid quality-assurance visit; `photos` are manifest entries (see manifest_entry)."""
    answers = {
        "people_present": {"value": [{"name": "Workshop lead", "role": "Provider staff"}]},
        "spoke_with_staff": {"value": "yes"},
        "spoke_with_pupil": {"value": "yes"},
        "spoke_with_parents": {"value": "na"},
        "work_reviewed": {"value": "yes"},
        "lessons_observed": {"value": "yes"},
        "unstructured_time_observed": {"value": "yes"},
        "findings": {"value": findings},
        "pupil_voice": {"value": "Likes the practical work."},
        "concern_raised": {"value": "yes" if concern else "no"},
    }
    return visit("qa_visit", answers, placement_uuid=placement_uuid, photos=photos, actions=actions, concern=concern)


def provider_check(provider_uuid, answers, actions=(), mode="online", visit_date=None):
    """A pre-placement check of a provider (the answers are the test's: see
    tests/office_review/scenario.py)."""
    return visit("provider_check", answers, provider_uuid=provider_uuid, mode=mode, actions=actions,
                 visit_date=visit_date)


def visit(form_id, answers, placement_uuid=None, provider_uuid=None, mode="in_person", photos=(), actions=(),
          concern=None, visit_date=None):
    """A new visit on form `form_id` (version 1), started and completed now, dated England's
    today unless `visit_date` (an ISO date) says otherwise."""
    now = phone_clock_now()
    return {
        "kind": form_id, "placement_id": placement_uuid and str(placement_uuid),
        "provider_id": provider_uuid and str(provider_uuid),
        "form_id": form_id, "form_version": 1, "mode": mode,
        "visit_date": visit_date or days_from_today(0), "started_at": now, "completed_at": now,
        "answers": answers, "photos": list(photos), "actions": list(actions), "concern": concern,
        "base_version": None,
    }


def concern(text="Pupil said an older boy at the bus stop takes his money."):
    return {"uuid": str(uuid.uuid4()), "text": text, "immediate_action": "Told the provider's DSL.",
            "raised_at": phone_clock_now()}


def action(description="Send the pupil's timetable to parents.", owner="AP leader", due=None):
    return {"uuid": str(uuid.uuid4()), "item_key": None, "description": description, "owner_name": owner,
            "due_on": due or days_from_today(45)}
