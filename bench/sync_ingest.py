"""Sync ingest: visits accepted per second through the real protocol (PUT /api/visits/<uuid>,
gunicorn with 2 workers on PostgreSQL, wrk on loopback), against the same rows (visit, its
version, its audit entry) inserted straight into PostgreSQL with INSERT ... ON CONFLICT DO
NOTHING through psycopg, one transaction per visit, at the same concurrency.
Target: the protocol accepts at least 30% of the direct rate.

Two reference rows show how far any one-visit-per-request protocol on this stack could go: the
same gunicorn answering GET /readyz (no session; a SELECT 1 and the other readiness checks) and
GET /api/me (the session check every signed-in request makes, and nothing else), at the same
concurrency.
"""
import json
import os
import threading
import time
import uuid
from datetime import datetime, timezone

import psycopg
import sqlalchemy as sa

from bench.common import GET_LUA, PUT_VISIT_LUA, signed_in_sync_server, table, verdict, visit_body, wrk, write_section

CONNECTIONS = 8
SECONDS = int(os.environ.get("BENCH_SECONDS", "20"))
TARGET = 0.30


def run():
    with signed_in_sync_server() as sync:
        url, server, env = sync.database, sync.server, sync.env
        before = _visits(url)
        figures = wrk(server.url, PUT_VISIT_LUA, SECONDS, CONNECTIONS, env=env)
        accepted = _visits(url) - before
        references = {path: wrk(server.url + path, GET_LUA, SECONDS, CONNECTIONS, env=env)
                      for path in ("/readyz", "/api/me")}
    protocol_rate = accepted / figures["seconds"]
    direct_rate, direct_count = _direct_inserts(url, sync.placement, sync.email)
    ratio = protocol_rate / direct_rate
    body = (
        f"{CONNECTIONS} concurrent connections for {SECONDS} s each way, one visit per transaction, on the same "
        "PostgreSQL. The protocol path includes the session check, CSRF, marshmallow, the form checker, the "
        "change counter and the audit entry; the direct path inserts the same three rows.\n\n"
        + table(["path", "visits", "visits / s", "ratio to direct", "target"], [
            ["PUT /api/visits/<uuid> (gunicorn, 2 workers × 8 threads)", f"{accepted:,}", f"{protocol_rate:.0f}",
             f"{ratio:.2f}", f"≥ {TARGET:.2f} {verdict(ratio >= TARGET)}"],
            ["INSERT … ON CONFLICT DO NOTHING (psycopg)", f"{direct_count:,}", f"{direct_rate:.0f}", "1.00", ""],
        ])
        + "\n\nFor reference, requests per second the same gunicorn answers that store nothing:\n\n"
        + table(["request", "requests / s", "ratio to direct"], [
            [name, f"{rate:.0f}", f"{rate / direct_rate:.2f}"] for name, rate in (
                ("GET /readyz (no session; SELECT 1)", _rate(references["/readyz"])),
                ("GET /api/me (the session check alone)", _rate(references["/api/me"])))])
        + f"\n\nwrk: {figures['requests']:.0f} requests, {figures['errors']:.0f} errors or non-2xx answers; "
        f"p50 {figures['p50_ms']:.1f} ms, p95 {figures['p95_ms']:.1f} ms."
    )
    write_section("sync_ingest", "Sync ingest: visits accepted per second", body)


def _rate(figures):
    return figures["requests"] / figures["seconds"]


def _visits(url):
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        count = connection.execute(sa.text("SELECT count(*) FROM visit")).scalar()
    engine.dispose()
    return count


def _direct_inserts(url, placement_uuid, email):
    """(visits per second, visits) inserting the rows the protocol writes, straight into PostgreSQL."""
    conninfo = sa.engine.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo) as connection:
        school_id, placement_id, provider_id, author_id = connection.execute(
            "SELECT p.school_id, p.id, p.provider_id, u.id FROM placement p, user_account u "
            "WHERE p.uuid = %s AND u.email = %s", (placement_uuid, email)).fetchone()
    payload = json.loads(visit_body(placement_uuid))
    answers = json.dumps(payload["answers"])
    deadline = time.monotonic() + SECONDS
    counts = [0] * CONNECTIONS

    def insert_visits(slot):
        with psycopg.connect(conninfo) as connection:
            while time.monotonic() < deadline:
                now = datetime.now(timezone.utc).replace(tzinfo=None)
                visit_uuid = uuid.uuid4()
                with connection.transaction():
                    visit_id = connection.execute(
                        "INSERT INTO visit (uuid, school_id, kind, placement_id, provider_id, author_id, visit_date, "
                        "current_version, received_at, complete, review_status, created_at, updated_at, change_seq) "
                        "VALUES (%s, %s, 'qa_visit', %s, %s, %s, %s, 1, %s, true, 'awaiting_review', %s, %s, 0) "
                        "ON CONFLICT (uuid) DO NOTHING RETURNING id",
                        (visit_uuid, school_id, placement_id, provider_id, author_id, now.date(), now, now, now),
                    ).fetchone()[0]
                    connection.execute(
                        "INSERT INTO visit_version (visit_id, version, form_id, form_version, mode, visit_date, answers, "
                        "photo_manifest, author_id, device_started_at, device_completed_at, received_at, content_sha256) "
                        "VALUES (%s, 1, 'qa_visit', 1, 'in_person', %s, %s, '[]', %s, %s, %s, %s, %s) "
                        "ON CONFLICT (visit_id, version) DO NOTHING",
                        (visit_id, now.date(), answers, author_id, now, now, now, visit_uuid.hex * 2))
                    connection.execute(
                        "INSERT INTO audit_event (at, actor_id, school_id, action, object_type, object_id, details) "
                        "VALUES (%s, %s, %s, 'visit.created', 'visit', %s, '{\"version\": 1}') ON CONFLICT DO NOTHING",
                        (now, author_id, school_id, str(visit_uuid)))
                counts[slot] += 1

    started = time.monotonic()
    threads = [threading.Thread(target=insert_visits, args=(slot,)) for slot in range(CONNECTIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    return sum(counts) / elapsed, sum(counts)

