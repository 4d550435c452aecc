"""National scale: 3,500 schools, 50,000 placements and 2,000,000 visits in one PostgreSQL
database. For one school: the p95 server time and the number of SQL queries of the pages its
staff open most (the AP leader's home page, a placement's record, the DSL's concern queue, the
phone's bootstrap). Target: p95 under 100 ms, and the same number of reads as on a small
database (queries constant, whatever the size).

The data comes from the synthetic generator (COPY). Generating the full size takes minutes, so
the database (ap_bench_national_*) is kept and reused by later runs; `BENCH_SCALE=0.1` runs a
tenth of the size for a quick look. Pages are measured in this process with Flask's test
client, so the time is the server's own, without the network.
"""
import os
import time
from dataclasses import dataclass

import sqlalchemy as sa

from bench.common import (app_for, database_exists, database_url, flask, fresh_database, get_ok, percentile,
                          query_value, signed_in_client, table, verdict, write_section)

SCHOOLS, PLACEMENTS, VISITS = 3_500, 50_000, 2_000_000
TARGET_P95_MS = 100
REQUESTS = 40
WARM_UP = 3


@dataclass
class Subject:
    """The school measured, and the records its pages are about."""

    school_id: int
    placement_uuid: object


# (what, whose page, the path). Adding a page is one line here.
PAGES = [
    ("AP leader's home page", "ap_leader", lambda s: "/office/"),
    ("placement record", "ap_leader", lambda s: f"/office/placements/{s.placement_uuid}/record"),
    ("DSL's concern queue", "dsl", lambda s: "/office/concerns"),
    ("review queue", "ap_leader", lambda s: "/office/review"),
    ("phone bootstrap (JSON)", "visiting_staff", lambda s: "/api/bootstrap"),
]
EMAILS = {"ap_leader": "ap.leader.0", "dsl": "dsl.1", "visiting_staff": "visiting.staff.4"}


def run():
    scale = float(os.environ.get("BENCH_SCALE", "1"))
    schools, placements, visits = (max(1, round(n * scale)) for n in (SCHOOLS, PLACEMENTS, VISITS))
    started = time.monotonic()
    big, made = _database(f"ap_bench_national_{schools}", schools, placements / schools, visits // placements)
    generated = time.monotonic() - started
    small, _ = _database("ap_bench_national_small", 2, 10, 12)
    small_counts = {name: figures[1] for name, figures in _measure(small, requests=1).items()}
    results = _measure(big, requests=REQUESTS)

    rows, all_met = [], True
    for name, (times, queries) in results.items():
        p95 = percentile(times, 95)
        met = p95 < TARGET_P95_MS and queries == small_counts[name]
        all_met &= met
        rows.append([name, f"{percentile(times, 50):.1f}", f"{p95:.1f}", f"{p95 / TARGET_P95_MS:.2f}",
                     queries, small_counts[name], verdict(met)])
    skipped = [name for name, _, _ in PAGES if name not in results]
    body = (
        f"{schools:,} schools, {placements:,} placements, {visits:,} visits (plus each provider's pre-placement "
        f"check) in one PostgreSQL database; the database was {'generated' if made else 'kept from an earlier run'}"
        f" ({generated:.0f} s). {REQUESTS} requests per page for one school, after {WARM_UP} to warm up; server "
        f"time in-process. Target: p95 under {TARGET_P95_MS} ms (ratio = p95 / {TARGET_P95_MS} ms, under 1 "
        "is met) and the same number of reads (SELECT statements) as on a small database (2 schools, 20 "
        "placements, 240 visits).\n\n"
        + table(["page", "p50 ms", "p95 ms", "p95 / target", "reads", "reads (small)", "target"], rows)
        + (f"\n\nNot measured (the page does not exist yet): {', '.join(skipped)}." if skipped else "")
        + f"\n\nAll targets {verdict(all_met)}."
    )
    write_section("national_scale", "National scale: office pages and bootstrap at 2,000,000 visits", body)


def _database(name, schools, placements_per_school, visits_per_placement):
    """(url, generated now?) of the benchmark database of this size: kept from an earlier run when
    it is complete (migrated to head, with every visit), else generated."""
    url = database_url(name)
    expected = round(schools * placements_per_school) * visits_per_placement
    if database_exists(name):
        flask("db", "upgrade", database=url)
        if query_value(url, "SELECT count(*) FROM visit WHERE placement_id IS NOT NULL") == expected:
            return url, False
    url = fresh_database(name)
    print(f"Generating {name}: {schools} schools, {expected:,} visits...", flush=True)
    flask("synthesize", "--schools", str(schools), "--placements-per-school", str(placements_per_school),
          "--visits-per-placement", str(visits_per_placement), database=url)
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sa.text("VACUUM ANALYZE"))  # fresh statistics and visibility, as autovacuum would
    engine.dispose()
    return url, True


def _measure(url, requests):
    """{page: (server times in ms, queries per request)} for the pages that exist."""
    app = app_for(url)
    from server.extensions import db
    with app.app_context():
        subject = _subject(db)
        queries = []
        # Reads, as in tests/scale/test_query_counts.py: audit rows for what a page shows are writes.
        sa.event.listen(db.engine, "before_cursor_execute", lambda connection, cursor, statement, *args:
                        queries.append(1) if statement.lstrip().upper().startswith("SELECT") else None)
    routes = app.url_map.bind("localhost")
    results = {}
    from server.dev.synthetic import PASSWORD
    clients = {role: signed_in_client(app, f"{EMAILS[role]}@school{subject.school_id}.example", PASSWORD)
               for role in EMAILS}
    for name, role, path_of in PAGES:
        path = path_of(subject)
        try:
            routes.match(path.split("?")[0])
        except Exception:  # noqa: BLE001 (NotFound or MethodNotAllowed: the page is not built yet)
            continue
        client = clients[role]
        for _ in range(WARM_UP):
            get_ok(client, path)
        times, counts = [], []
        for _ in range(requests):
            queries.clear()
            started = time.perf_counter()
            get_ok(client, path)
            times.append((time.perf_counter() - started) * 1000)
            counts.append(len(queries))
        results[name] = (times, max(counts))
    with app.app_context():
        db.engine.dispose()
    return results


def _subject(db):
    """The school in the middle of the id range, and its placement with the most visits."""
    school_id = db.session.execute(sa.text(
        "SELECT id FROM school WHERE name LIKE 'Synthetic School %' ORDER BY id "
        "OFFSET (SELECT count(*) / 2 FROM school WHERE name LIKE 'Synthetic School %') LIMIT 1")).scalar()
    placement = db.session.execute(sa.text(
        "SELECT p.uuid FROM placement p JOIN visit v ON v.placement_id = p.id WHERE p.school_id = :school "
        "AND p.status = 'active' GROUP BY p.id, p.uuid ORDER BY count(*) DESC, p.id LIMIT 1"),
        {"school": school_id}).scalar()
    db.session.remove()
    return Subject(school_id, placement)

