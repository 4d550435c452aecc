"""Office pages with a large school's data: the number of SQL queries each page makes, and its
server time against a bare `SELECT 1` page measured in the same run.

One school with 200 placements and 20,000 visits (100 a placement: QA visits, welfare checks,
reviews, most signed off, some with photos, actions and concerns), written with bulk inserts.
The same pages are then measured on a school with 20 placements (2,000 visits): the query
counts must be the same at both sizes, since a page whose queries grow with the data does not
survive a big school. Times are in-process (Flask's test client), so they are the server's own.

SQLite in a scratch folder by default; BENCH_DATABASE_URL=postgresql://... measures PostgreSQL
(the database is emptied first). Takes about a minute.
"""
import hashlib
import io
import os
import statistics
import tempfile
import time
import uuid
from datetime import date, datetime, time as clock, timedelta, timezone

import sqlalchemy as sa

from bench.common import get_ok, signed_in_client

VISITS_PER_PLACEMENT = 100
SIZES = (20, 200)
REQUESTS = 15
WARM_UP = 2
KINDS = ("qa_visit", "welfare_check", "review_meeting", "qa_visit", "welfare_check")
PLACEMENT_KINDS = ("off_site_ap", "part_time_timetable", "off_site_direction", "flexi_schooling", "on_site_ap")
PASSWORD = "bench-password-2026"


def run():
    rows = {}
    for size in SIZES:
        started = time.monotonic()
        app, subject = _app_with_school(size)
        built = time.monotonic() - started
        rows[size] = _measure(app, subject)
        print(f"   {size} placements, {size * VISITS_PER_PLACEMENT:,} visits: built in {built:.0f} s, "
              f"measured in {time.monotonic() - started - built:.0f} s", flush=True)
    _report(rows)


# --- The data -----------------------------------------------------------------------------------

def _app_with_school(placement_count):
    from server import create_app
    from server.extensions import db
    url = os.environ.get("BENCH_DATABASE_URL")
    scratch = tempfile.mkdtemp(prefix="ap-bench-office-")
    if not url:
        url = f"sqlite:///{scratch}/bench.sqlite3"
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "DATA_DIR": scratch, "PHOTO_DIR": f"{scratch}/photos",
                      "LOGIN_RATE_LIMIT": "10000 per minute"})
    app.add_url_rule("/bench/select-1", "bench_select_1", _select_one)
    with app.app_context():
        db.drop_all()
        db.create_all()
        subject = _fill(placement_count)
        db.session.commit()
    return app, subject


def _jpeg():
    from PIL import Image
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), (40, 120, 200)).save(buffer, format="JPEG")
    return buffer.getvalue()


def _select_one():
    """The baseline: a request that makes one trivial query and renders nothing."""
    from server.extensions import db
    return str(db.session.execute(sa.text("SELECT 1")).scalar())


def _fill(placement_count):
    """A school like a big one: staff, providers with evidence and risk assessments, pupils,
    placements of every kind, and their visits. Returns what the pages are measured on."""
    from server.dates import school_today
    from server.demo import academic_year_of, seed_term_dates
    from server.extensions import db
    from server.models import (AuditEvent, FollowUpAction, Photo, Placement, Provider, ProviderEvidence, Pupil,
                               RiskAssessment, SafeguardingConcern, School, Visit, VisitVersion)
    from server.services.accounts import create_user, hash_password
    from server.services import second_factor
    from server.services.photo_store import get_photo_store
    from server.services.second_factor import DEMO_TOTP_SECRET

    today = school_today()
    school = School(name="Bench Academy")
    db.session.add(school)
    seed_term_dates(school, range(academic_year_of(today) - 1, academic_year_of(today) + 2))
    password_hash = hash_password(PASSWORD)
    staff = {role: create_user(f"{role}@bench.example", role.replace("_", " ").title(), None, [(school, role)],
                               password_hash=password_hash) for role in ("ap_leader", "dsl", "visiting_staff")}
    for user in staff.values():
        if second_factor.requires_second_factor(user):
            second_factor.set_fixed_secret(user, DEMO_TOTP_SECRET)
    db.session.flush()
    author = staff["visiting_staff"].id

    providers = [Provider(school=school, name=f"Provider {n}", registration_status="registered_other")
                 for n in range(max(2, placement_count // 10))]
    db.session.add_all(providers)
    db.session.flush()
    for provider in providers:
        db.session.add(RiskAssessment(provider=provider, rating="low", assessed_on=today - timedelta(days=300),
                                      valid_until=today + timedelta(days=65)))
        for kind, days in (("insurance", 10), ("staff_checks_confirmation", 200), ("safeguarding_policy", -5)):
            db.session.add(ProviderEvidence(provider=provider, kind=kind, expires_on=today + timedelta(days=days)))

    start = today - timedelta(days=VISITS_PER_PLACEMENT * 3)
    placements = []
    for n in range(placement_count):
        kind = PLACEMENT_KINDS[n % len(PLACEMENT_KINDS)]
        pupil = Pupil(school=school, first_name=f"Pupil{n}", last_name=f"Bench{n}", date_of_birth=date(2012, 1, 1),
                      year_group=9)
        placements.append(Placement(
            school=school, pupil=pupil, kind=kind, status="active", start_date=start,
            provider=None if kind in ("part_time_timetable", "flexi_schooling") else providers[n % len(providers)],
            sessions=["mon_am", "tue_am", "wed_am", "thu_am"], qa_visit_every_weeks=4,
            direction_review_on=today + timedelta(days=20) if kind == "off_site_direction" else None))
    db.session.add_all(placements)
    db.session.flush()

    visits, versions, photos, actions, concerns, audits = [], [], [], [], [], []
    next_id = 1
    now = datetime.now(timezone.utc)
    for placement in placements:
        for n in range(VISITS_PER_PLACEMENT):
            day = start + timedelta(days=3 * n)
            received = datetime.combine(day, clock(16), tzinfo=timezone.utc)
            kind = KINDS[n % len(KINDS)]
            status = "awaiting_review" if n >= VISITS_PER_PLACEMENT - 2 else "signed_off"
            visit_uuid = uuid.uuid4()
            visits.append(dict(id=next_id, uuid=visit_uuid, school_id=school.id, kind=kind, placement_id=placement.id,
                               provider_id=placement.provider_id, author_id=author, visit_date=day, current_version=1,
                               received_at=received, complete=True, review_status=status,
                               reviewed_by_id=staff["ap_leader"].id if status == "signed_off" else None,
                               reviewed_at=received + timedelta(days=1) if status == "signed_off" else None))
            versions.append(dict(visit_id=next_id, version=1, form_id=kind, form_version=1,
                                 mode="home_visit" if kind == "welfare_check" else "in_person", visit_date=day,
                                 answers={"findings": {"value": "Settled and working well."}}, photo_manifest=[],
                                 author_id=author, device_started_at=received - timedelta(hours=3),
                                 device_completed_at=received - timedelta(hours=2), received_at=received,
                                 content_sha256=hashlib.sha256(visit_uuid.bytes).hexdigest()))
            if status == "signed_off":
                audits.append(dict(at=received + timedelta(days=1), actor_id=staff["ap_leader"].id,
                                   school_id=school.id, action="visit.signed_off", object_type="visit",
                                   object_id=str(visit_uuid), details={"version": 1, "comment": None}))
            if n % 10 == 0:
                photo_uuid = uuid.uuid4()
                photos.append(dict(uuid=photo_uuid, visit_id=next_id, item_key="work_photos", caption="Work",
                                   declared_sha256=hashlib.sha256(photo_uuid.bytes).hexdigest(), declared_size=1000,
                                   media_type="image/jpeg", stored_at=received, storage_key="bench/photo.jpg",
                                   thumbnail_key="bench/photo.jpg", width=640, height=480, stored_bytes=1000))
            if n % 20 == 0:
                actions.append(dict(uuid=uuid.uuid4(), school_id=school.id, placement_id=placement.id,
                                    provider_id=placement.provider_id, visit_id=next_id, description="Follow up",
                                    owner_name="AP leader", due_on=day + timedelta(days=14),
                                    done_at=now if n < VISITS_PER_PLACEMENT - 20 else None,
                                    done_by_id=staff["ap_leader"].id if n < VISITS_PER_PLACEMENT - 20 else None))
            if n % 50 == 25:
                closed = n < VISITS_PER_PLACEMENT - 50
                concerns.append(dict(uuid=uuid.uuid4(), school_id=school.id, visit_id=next_id,
                                     placement_id=placement.id, pupil_id=placement.pupil_id, raised_by_id=author,
                                     raised_at_device=received - timedelta(hours=2), received_at=received,
                                     text="A concern raised on the visit.", closed_at=now if closed else None,
                                     closed_by_id=staff["dsl"].id if closed else None,
                                     outcome="Handled." if closed else None))
            next_id += 1
    for model, batch in ((Visit, visits), (VisitVersion, versions), (Photo, photos), (FollowUpAction, actions),
                         (SafeguardingConcern, concerns), (AuditEvent, audits)):
        for offset in range(0, len(batch), 5000):
            db.session.execute(sa.insert(model.__table__), batch[offset:offset + 5000])
    get_photo_store().put("bench/photo.jpg", _jpeg())

    busiest = placements[0]
    awaiting = next(v for v in visits if v["placement_id"] == busiest.id and v["review_status"] == "awaiting_review")
    open_concern = next(c for c in concerns if c["closed_at"] is None)
    return {
        "placement": busiest.uuid, "provider": busiest.provider.uuid, "visit": awaiting["uuid"],
        "concern": open_concern["uuid"], "photo": photos[0]["uuid"],
    }


# --- Measuring ----------------------------------------------------------------------------------

# (page, who opens it, path). Adding a page is one line here.
PAGES = [
    ("SELECT 1 (baseline)", "ap_leader", lambda s: "/bench/select-1"),
    ("AP leader's home (to-do)", "ap_leader", lambda s: "/office/"),
    ("review queue", "ap_leader", lambda s: "/office/review"),
    ("visit review", "ap_leader", lambda s: f"/office/review/{s['visit']}"),
    ("placement record (100 visits)", "ap_leader", lambda s: f"/office/placements/{s['placement']}/record"),
    ("provider record", "ap_leader", lambda s: f"/office/providers/{s['provider']}/record"),
    ("DSL's concern queue", "dsl", lambda s: "/office/concerns"),
    ("concern", "dsl", lambda s: f"/office/concerns/{s['concern']}"),
    ("photo thumbnail", "ap_leader", lambda s: f"/office/photos/{s['photo']}/thumb"),
]


def _measure(app, subject):
    """{page: (query count, [milliseconds])}"""
    from server.extensions import db
    clients = {role: signed_in_client(app, f"{role}@bench.example", PASSWORD, office_form=True)
               for role in {role for _, role, _ in PAGES}}
    results = {}
    with app.app_context():
        engine = db.engine
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    for name, role, path in PAGES:
        url = path(subject)
        for _ in range(WARM_UP):
            get_ok(clients[role], url)
        sa.event.listen(engine, "before_cursor_execute", listener)
        try:
            statements.clear()
            get_ok(clients[role], url)
            queries = len(statements)
        finally:
            sa.event.remove(engine, "before_cursor_execute", listener)
        times = []
        for _ in range(REQUESTS):
            started = time.perf_counter()
            get_ok(clients[role], url)
            times.append((time.perf_counter() - started) * 1000)
        results[name] = (queries, times)
    return results


def _report(rows):
    small, large = SIZES
    baseline = statistics.median(rows[large]["SELECT 1 (baseline)"][1])
    print(f"\nQueries per page at {small} and {large} placements ({small * VISITS_PER_PLACEMENT:,} and "
          f"{large * VISITS_PER_PLACEMENT:,} visits); server time at {large} placements, median of {REQUESTS}, "
          f"as a ratio to the SELECT 1 page ({baseline:.2f} ms):\n")
    header = (f"{'page':32} {'queries':>8} {'queries':>8} {'constant':>9} {'median ms':>10} {'p95 ms':>8} "
              f"{'× SELECT 1':>11}")
    print(header)
    print(f"{'':32} {f'@{small}':>8} {f'@{large}':>8}")
    print("-" * len(header))
    all_constant = True
    for name, _, _ in PAGES:
        queries_small, _ = rows[small][name]
        queries_large, times = rows[large][name]
        constant = queries_small == queries_large
        all_constant &= constant
        median = statistics.median(times)
        p95 = sorted(times)[max(0, round(0.95 * (len(times) - 1)))]
        print(f"{name:32} {queries_small:>8} {queries_large:>8} {'yes' if constant else 'NO':>9} "
              f"{median:>10.1f} {p95:>8.1f} {median / baseline:>11.1f}")
    print(f"\nQuery counts constant from {small} to {large} placements: {'yes' if all_constant else 'NO'}.", flush=True)
