"""Sync latency: p50/p95 of one visit PUT under load, against the app's bare JSON endpoints
under the same load (GET /readyz: a database round trip; GET /api/me: a signed-in session
check), on the same gunicorn (2 workers) and PostgreSQL, with wrk on loopback.
Target: the visit PUT's p95 within 3× the bare endpoint's.
"""
import os

from bench.common import GET_LUA, PUT_VISIT_LUA, signed_in_sync_server, table, verdict, wrk, write_section

CONNECTIONS = 4
SECONDS = int(os.environ.get("BENCH_SECONDS", "15"))
TARGET = 3.0


def run():
    with signed_in_sync_server() as sync:
        server, env = sync.server, sync.env
        figures = {
            "GET /readyz": wrk(server.url + "/readyz", GET_LUA, SECONDS, CONNECTIONS, env=env),
            "GET /api/me": wrk(server.url + "/api/me", GET_LUA, SECONDS, CONNECTIONS, env=env),
            "PUT /api/visits/<uuid>": wrk(server.url, PUT_VISIT_LUA, SECONDS, CONNECTIONS, env=env),
        }
    put = figures["PUT /api/visits/<uuid>"]
    rows = []
    for name, figure in figures.items():
        ratio = put["p95_ms"] / figure["p95_ms"]
        target = "" if name.startswith("PUT") else f"≤ {TARGET:.0f} {verdict(ratio <= TARGET)}"
        rows.append([name, f"{figure['requests'] / figure['seconds']:.0f}", f"{figure['p50_ms']:.1f}",
                     f"{figure['p95_ms']:.1f}", f"{figure['p99_ms']:.1f}", f"{figure['errors']:.0f}",
                     "" if name.startswith("PUT") else f"{ratio:.2f}", target])
    body = (
        f"wrk, {CONNECTIONS} connections, {SECONDS} s per endpoint, against gunicorn with 2 workers × 8 threads "
        "on PostgreSQL; every PUT is a new visit (a fresh UUID), so each one is a full ingest: session, CSRF, "
        "validation, the form checker, three inserts (visit, version, audit entry) and the change counter.\n\n"
        + table(["endpoint", "requests / s", "p50 ms", "p95 ms", "p99 ms", "errors", "PUT p95 / this p95",
                 "target"], rows)
    )
    write_section("sync_latency", "Sync latency: one visit PUT against bare endpoints", body)
