"""The placement record as a PDF, at the size of a long placement: 60 visits and 120 photos
(with their answers, actions and a concern). Time and peak Python memory to produce the PDF,
against rendering the very same Document as the printable HTML page (Jinja) in the same run.

Both sides do the same work before drawing (load the record, lay out every visit from its
form); the PDF then reads and embeds each photo's thumbnail, where the page only links to it.
Times are the median CPU time of REPEATS runs after one warm-up (wall time beside it); peak
memory is measured on a separate run under tracemalloc (which slows things down, so it is never
timed). SQLite in a scratch
folder; takes about half a minute.
"""
import statistics
import tempfile
import time
import tracemalloc
from datetime import date, datetime, timedelta, timezone

VISITS = 60
PHOTOS_PER_VISIT = 2
REPEATS = 5


def run():
    with tempfile.TemporaryDirectory(prefix="bench-documents-") as scratch:
        app = _app(scratch)
        with app.app_context():
            placement_uuid, author_id = _long_placement()
            with app.test_request_context():
                results = {name: _measure(produce, placement_uuid, author_id)
                           for name, produce in (("PDF", _pdf), ("HTML", _html))}
    _report(results)


def _app(scratch):
    from server import create_app
    from server.extensions import db
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{scratch}/bench.sqlite3", "DATA_DIR": scratch,
                      "PHOTO_DIR": f"{scratch}/photos", "TESTING": True})
    with app.app_context():
        db.create_all()
    return app


def _long_placement():
    """The demo trust, and Riverside's first placement given VISITS QA visits with photos."""
    import io
    import hashlib
    import random
    import uuid

    from PIL import Image

    from server.demo import seed_demo
    from server.extensions import db
    from server.models import FollowUpAction, Photo, Placement, SafeguardingConcern, User, Visit, VisitVersion
    from server.services.photo_store import get_photo_store

    seed_demo()
    db.session.flush()
    placement = db.session.query(Placement).order_by(Placement.id).first()
    author = db.session.query(User).filter_by(email="visiting.staff@riverside.example").one()
    store = get_photo_store()
    rng = random.Random(7)
    answers = {
        "people_present": {"value": [{"name": "Workshop lead", "role": "Provider staff"}]},
        "spoke_with_staff": {"value": "yes"}, "spoke_with_pupil": {"value": "yes"},
        "spoke_with_parents": {"value": "na"}, "work_reviewed": {"value": "yes"},
        "lessons_observed": {"value": "yes"}, "unstructured_time_observed": {"value": "yes"},
        "findings": {"value": "Settled and engaged in the workshop; finished the brake-pad job with help. " * 3},
        "pupil_voice": {"value": "Likes the practical work, finds the writing hard."},
        "concern_raised": {"value": "no"},
    }
    first_day = date.today() - timedelta(days=7 * VISITS)
    for number in range(VISITS):
        day = first_day + timedelta(days=7 * number)
        received = datetime.combine(day, datetime.min.time(), tzinfo=timezone.utc) + timedelta(hours=15)
        visit = Visit(uuid=uuid.uuid4(), school_id=placement.school_id, kind="qa_visit", placement=placement,
                      provider_id=placement.provider_id, author_id=author.id, visit_date=day, received_at=received,
                      complete=True, review_status="signed_off")
        db.session.add(visit)
        db.session.flush()
        manifest = []
        for index in range(PHOTOS_PER_VISIT):
            photo_uuid = uuid.uuid4()
            image = Image.effect_noise((320, 240), 40 + rng.random() * 40).convert("RGB")
            buffer = io.BytesIO()
            image.save(buffer, format="JPEG", quality=80)
            data = buffer.getvalue()
            digest = hashlib.sha256(data).hexdigest()
            key = f"bench/{photo_uuid}"
            store.put(f"{key}.jpg", data)
            store.put(f"{key}.thumb.jpg", data)
            manifest.append({"uuid": str(photo_uuid), "item_key": "work_photos", "caption": f"Folder page {index + 1}",
                             "sha256": digest, "size": len(data), "type": "image/jpeg"})
            db.session.add(Photo(uuid=photo_uuid, visit=visit, item_key="work_photos",
                                 caption=f"Folder page {index + 1}",
                                 declared_sha256=digest, declared_size=len(data), media_type="image/jpeg",
                                 stored_at=received, storage_key=f"{key}.jpg", thumbnail_key=f"{key}.thumb.jpg",
                                 width=320, height=240, stored_bytes=len(data)))
        db.session.add(VisitVersion(visit=visit, version=1, form_id="qa_visit", form_version=1, mode="in_person",
                                    visit_date=day, answers=answers, photo_manifest=manifest, author_id=author.id,
                                    device_started_at=received, device_completed_at=received, received_at=received,
                                    content_sha256=hashlib.sha256(str(visit.uuid).encode()).hexdigest()))
        if number % 6 == 0:
            db.session.add(FollowUpAction(school_id=placement.school_id, placement_id=placement.id, visit_id=visit.id,
                                          description="Send the pupil's timetable to parents", owner_name="AP leader",
                                          due_on=day + timedelta(days=14)))
        if number == VISITS // 2:
            db.session.add(SafeguardingConcern(
                uuid=uuid.uuid4(), school_id=placement.school_id, visit_id=visit.id, placement_id=placement.id,
                pupil_id=placement.pupil_id, raised_by_id=author.id, raised_at_device=received, received_at=received,
                text="Said an older boy at the bus stop takes his dinner money.",
                immediate_action="Told the provider's DSL."))
    db.session.commit()
    leader = db.session.query(User).filter_by(email="ap.leader@riverside.example").one()
    return placement.uuid, leader.id


def _document(placement_uuid, author_id):
    from server.extensions import db
    from server.models import Placement, User
    from server.services import placement_record
    from server.services.documents.record_pdf import record_document
    db.session.expire_all()  # every run loads the record afresh, as a request does
    placement = db.session.query(Placement).filter_by(uuid=placement_uuid).one()
    now = datetime.now(timezone.utc)
    record = placement_record.build(placement, now.date(), with_concerns=True)
    return record_document(record, db.session.get(User, author_id), now)


def _pdf(placement_uuid, author_id):
    from server.services.documents import pdf_layout
    return pdf_layout.render(_document(placement_uuid, author_id))


def _html(placement_uuid, author_id):
    from flask import render_template
    return render_template("office/documents_document.html", document=_document(placement_uuid, author_id),
                           links=[]).encode("utf-8")


def _measure(produce, placement_uuid, author_id):
    output = produce(placement_uuid, author_id)  # warm-up: imports, fonts, templates, caches
    times, walls = [], []
    for _ in range(REPEATS):
        started, wall = time.process_time(), time.perf_counter()
        produce(placement_uuid, author_id)
        times.append(time.process_time() - started)
        walls.append(time.perf_counter() - wall)
    tracemalloc.start()
    produce(placement_uuid, author_id)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"median": statistics.median(times), "max": max(times), "wall": statistics.median(walls), "peak": peak,
            "bytes": len(output), "output": output}


def _report(results):
    from bench.common import table, write_section
    pdf, html = results["PDF"], results["HTML"]
    pages = _page_count(pdf["output"])
    rows = [[name, f"{r['median'] * 1000:.0f}", f"{r['max'] * 1000:.0f}", f"{r['wall'] * 1000:.0f}",
             f"{r['peak'] / 2**20:.1f}", f"{r['bytes'] / 1024:.0f}"] for name, r in (("PDF", pdf), ("HTML page", html))]
    rows.append(["PDF ÷ HTML", f"{pdf['median'] / html['median']:.1f}×", f"{pdf['max'] / html['max']:.1f}×",
                 f"{pdf['wall'] / html['wall']:.1f}×", f"{pdf['peak'] / html['peak']:.1f}×",
                 f"{pdf['bytes'] / html['bytes']:.1f}×"])
    body = (f"One placement with {VISITS} QA visits and {VISITS * PHOTOS_PER_VISIT} photos (320×240 JPEG "
            f"thumbnails), its actions and a concern; the PDF has {pages} pages. Median of {REPEATS} runs after a "
            "warm-up, each loading the record afresh, as CPU time of this process (the machine is shared, so wall "
            "time is shown beside it); peak Python memory (tracemalloc) on a separate run. The PDF embeds every "
            "thumbnail; the HTML page links to them.\n\n"
            + table(["output", "median CPU ms", "max CPU ms", "median wall ms", "peak MiB", "size KiB"], rows))
    write_section("documents_pdf", "Placement record: PDF against the same content as an HTML page", body)


def _page_count(data):
    import io

    from pypdf import PdfReader
    return len(PdfReader(io.BytesIO(data)).pages)
