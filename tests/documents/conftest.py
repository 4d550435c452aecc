"""Fixtures for the document tests: the demo trust, a Riverside placement with visits, photos
(real JPEG bytes in the photo store), a safeguarding concern, actions and attendance, and
helpers that read a PDF back. Office clients signed in by role are `office_as` in tests/conftest.py."""
import io
import subprocess
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from rollup.factories import make_action, make_concern, make_placement, make_pupil, make_visit
from server.extensions import db
from server.models import AttendanceRecord, AuditEvent
from server.services.photo_store import get_photo_store
from tests import payloads
from tests.conftest import ARTIFACTS

CONCERN_TEXT = "Said an older boy at the bus stop takes his dinner money."


def add_visits(placement, author, count, photos_each, first_day):
    """`count` QA visits on `placement`, a week apart, each with `photos_each` stored photos."""
    store = get_photo_store()
    answers = payloads.qa_visit(placement.uuid)["answers"]
    visits = []
    for number in range(count):
        visit = make_visit(author, "qa_visit", first_day + timedelta(days=7 * number), placement=placement,
                           answers=answers,
                           photos=[{"item_key": "work_photos", "caption": f"Folder, visit {number + 1} photo {n + 1}"}
                                   for n in range(photos_each)])
        for index, photo in enumerate(visit.photos):
            image = payloads.jpeg_bytes(320, 240, colour=(30 + 40 * index % 200, 110, 60 + 25 * number % 180))
            store.put(photo.storage_key, image)
            store.put(photo.thumbnail_key, image)
        visits.append(visit)
    return visits


def add_pupils_at(school, provider, count):
    """`count` more pupils in off-site AP at `provider`, started ten days ago."""
    for number in range(count):
        pupil = make_pupil(school, first=f"Extra{number}", last=f"Learner{number}")
        make_placement(school, kind="off_site_ap", start=date.today() - timedelta(days=10), provider=provider,
                       pupil=pupil)


@pytest.fixture
def riverside_record(app, demo):
    """Riverside's first placement: 3 QA visits with 2 photos each, a concern on the second,
    two actions (one done), and a fortnight of attendance."""
    placement = demo.placements()[0]
    visitor = demo.user("visiting_staff")
    visits = add_visits(placement, visitor, 3, 2, date.today() - timedelta(days=40))
    concern = make_concern(visits[1], text=CONCERN_TEXT)
    make_action(demo.school(), date.today() + timedelta(days=5), placement=placement, visit=visits[0],
                description="Send the pupil's timetable to parents")
    done = make_action(demo.school(), date.today() - timedelta(days=5), placement=placement, visit=visits[2],
                       description="Ask the provider for the fire drill log")
    leader = demo.user("ap_leader")
    done.done_at, done.done_by_id = datetime.now(timezone.utc), leader.id
    recorder = demo.user("attendance_officer")
    for offset in range(1, 15):
        day = date.today() - timedelta(days=offset)
        for session, code in (("am", "/"), ("pm", "\\" if offset % 5 else "O")):
            db.session.add(AttendanceRecord(placement_id=placement.id, on_date=day, session=session, code=code,
                                            confirmed_with_provider=True, recorded_by_id=recorder.id,
                                            recorded_at=datetime.now(timezone.utc)))
    db.session.commit()
    return {"placement": placement, "visits": visits, "concern": concern}


def pdf_text(data):
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def pdf_image_count(data):
    return sum(len(page.images) for page in PdfReader(io.BytesIO(data)).pages)


def pdf_pages(data):
    return len(PdfReader(io.BytesIO(data)).pages)


def render_pages(data, name, resolution=60):
    """Render the PDF's pages to PNG under test-artifacts/pdf/NAME-N.png, for a person to look at."""
    folder = ARTIFACTS / "pdf"
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob(f"{name}-*.png"):
        old.unlink()
    source = folder / f"{name}.pdf"
    source.write_bytes(data)
    subprocess.run(["pdftoppm", "-png", "-r", str(resolution), str(source), str(folder / name)], check=True,
                   timeout=120)
    return sorted(Path(folder).glob(f"{name}-*.png"))


def audit_rows(action, object_id=None):
    query = sa.select(AuditEvent).where(AuditEvent.action == action)
    if object_id is not None:
        query = query.where(AuditEvent.object_id == str(object_id))
    return db.session.execute(query).scalars().all()
