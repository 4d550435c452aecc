"""gunicorn's worker class, count, threads and connection balancing, chosen from figures: the
code of this tree on one PostgreSQL database, each option its own gunicorn (the production
config file, options set through its environment variables), 8 keep-alive clients sending new
visits, in alternating rounds so every option sees the same load on a shared machine.

"Busiest worker" is that worker's share of all worker CPU: with every keep-alive connection on
one worker it is 100%, and the other worker idles.
"""
import os
import statistics
from contextlib import ExitStack

from bench.common import (PUT_VISIT_LUA, SYNC_DATABASE, Server, SyncRun, cookie_header, prepare_sync_database,
                          sign_in, table, visit_body, visiting_staff, wrk, write_section)
from bench.sync_ingest import CONNECTIONS, PEER, ROUNDS, SECONDS, _fresh_uuids, _round

# (label, WEB_CONCURRENCY, environment)
OPTIONS = [
    ("2 gthread × 8 threads, one shared socket (before)", 2, {"GUNICORN_THREADS": "8", "GUNICORN_REUSE_PORT": "0"}),
    ("2 gthread × 8 threads, reuse_port", 2, {"GUNICORN_THREADS": "8", "GUNICORN_REUSE_PORT": "1"}),
    ("2 gthread × 4 threads, reuse_port", 2, {"GUNICORN_THREADS": "4", "GUNICORN_REUSE_PORT": "1"}),
    ("4 gthread × 4 threads, reuse_port", 4, {"GUNICORN_THREADS": "4", "GUNICORN_REUSE_PORT": "1"}),
    ("4 sync workers, one shared socket", 4, {"GUNICORN_WORKER_CLASS": "sync", "GUNICORN_REUSE_PORT": "0"}),
]


def run():
    from server.dev.synthetic import PASSWORD
    url = prepare_sync_database(f"{SYNC_DATABASE}_gunicorn")
    email, placements = visiting_staff(url)
    results = {label: [] for label, _, _ in OPTIONS}
    with ExitStack() as stack:
        runs = {}
        for label, workers, env in OPTIONS:
            server = stack.enter_context(Server(url, workers=workers, **env))
            http, csrf = sign_in(server.url, email, PASSWORD)
            runs[label] = SyncRun(url, server, email, placements[0], {
                "BENCH_BODY": visit_body(placements[0]), "BENCH_COOKIE": cookie_header(http), "BENCH_CSRF": csrf,
                "BENCH_SEED": "1"})
            wrk(server.url, PUT_VISIT_LUA, 2, CONNECTIONS, env=_fresh_uuids(runs[label].env))
        for _ in range(ROUNDS):
            for label, sync in runs.items():
                results[label].append(_round(sync))
                print(f"{label}: {results[label][-1]['rate']:.0f}/s, load {os.getloadavg()[0]:.1f}", flush=True)
    load = os.getloadavg()[0]
    write_section("gunicorn_options", "gunicorn: worker class, count and connection balancing",
                  _report(results) + f"\n\nLoad average at the end of the run: {load:.1f} (2 cores).")


def _report(results):
    def median(label, key):
        return statistics.median(r[key] for r in results[label])

    baseline = OPTIONS[0][0]
    rows = [[label, f"{median(label, 'rate'):.0f}", f"{median(label, 'rate') / median(baseline, 'rate'):.2f}",
             f"{median(label, 'rate') / PEER['rate']:.2f}", f"{median(label, 'p50_ms'):.0f}",
             f"{median(label, 'p95_ms'):.0f}", f"{median(label, 'server_cpu_ms'):.1f}",
             f"{median(label, 'busiest_share') * 100:.0f}%", f"{sum(r['errors'] for r in results[label]):.0f}"]
            for label in results]
    rounds = "\n".join(f"- {label}: " + ", ".join(f"{r['rate']:.0f}/s (busiest {r['busiest_share'] * 100:.0f}%)"
                                                   for r in results[label]) for label in results)
    return (
        f"This tree's code on one PostgreSQL database; {CONNECTIONS} keep-alive connections, every PUT a new "
        f"visit; {ROUNDS} alternating rounds of {SECONDS} s per option, medians shown. Every option is "
        "`server/gunicorn_conf.py` with its environment (`WEB_CONCURRENCY`, `GUNICORN_THREADS`, "
        "`GUNICORN_WORKER_CLASS`, `GUNICORN_REUSE_PORT`). \"Busiest worker\": that worker's share of all worker CPU. "
        "The sync worker class has no keep-alive: each request is a new connection.\n\n"
        + table(["gunicorn", "visits / s", "× before", "× peer", "p50 ms", "p95 ms", "server CPU ms / visit",
                 "busiest worker", "errors"], rows)
        + "\n\nEach round:\n\n" + rounds
    )


if __name__ == "__main__":
    run()
