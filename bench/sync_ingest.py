"""Sync ingest: visits accepted per second through the real protocol (PUT /api/visits/<uuid>, a
fresh UUID each, gunicorn with the production config on PostgreSQL, wrk on loopback), before and
after: the code of BENCH_BEFORE_REF (default `main`, exported with `git archive` into the
scratch folder) and this tree, each on its own database, in alternating rounds so both see the
same load on a shared machine.

Beside visits per second and latency: the server CPU per accepted visit (utime + stime from
/proc of the gunicorn master and every worker), how it split across workers (all keep-alive
connections landing on one worker shows here), and the PostgreSQL CPU per visit (/proc of the
backends serving the database). The peer's row is ODK Central's backend measured elsewhere on
the same kind of machine (issue 17), for reference only.
"""
import os
import statistics
import subprocess
from pathlib import Path

import sqlalchemy as sa

from bench.common import (PROJECT_ROOT, PUT_VISIT_LUA, SCRATCH, SYNC_DATABASE, query_value, signed_in_sync_server,
                          table, wrk, write_section)

CONNECTIONS = 8
SECONDS = int(os.environ.get("BENCH_SECONDS", "15"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
BEFORE_REF = os.environ.get("BENCH_BEFORE_REF", "main")
# ODK Central (Node, 2 processes), 8 keep-alive clients, same kind of 2-core machine: issue 17.
PEER = {"rate": 132, "p95_ms": 108, "server_cpu_ms": 7, "db_cpu_ms": 8}
GOAL_RATE = 2 * PEER["rate"]
TICKS = os.sysconf("SC_CLK_TCK")


def run():
    before_root = _export(BEFORE_REF)
    sides = {"before": (before_root, f"{SYNC_DATABASE}_before"), "after": (PROJECT_ROOT, SYNC_DATABASE)}
    results = {name: [] for name in sides}
    with signed_in_sync_server(*reversed(sides["before"])) as before, \
            signed_in_sync_server(*reversed(sides["after"])) as after:
        runs = {"before": before, "after": after}
        for name in runs:  # warm both: first requests build caches and open connections
            wrk(runs[name].server.url, PUT_VISIT_LUA, 3, CONNECTIONS, env=_fresh_uuids(runs[name].env))
        for _ in range(ROUNDS):
            for name, sync in runs.items():
                results[name].append(_round(sync))
    body = _report(results, _commit(BEFORE_REF), _commit("HEAD"))
    write_section("sync_ingest", "Sync ingest: visits accepted per second, before and after", body)


def _round(sync):
    database = sa.engine.make_url(sync.database).database
    workers = _gunicorn_processes(sync.server.process.pid)
    backends = _backends(sync.database, database)
    visits_before = _visits(sync.database)
    cpu_before = {pid: _cpu_seconds(pid) for pid in workers + backends}
    figures = wrk(sync.server.url, PUT_VISIT_LUA, SECONDS, CONNECTIONS, env=_fresh_uuids(sync.env))
    backends = sorted(set(backends) | set(_backends(sync.database, database)))
    accepted = _visits(sync.database) - visits_before
    spent = {pid: _cpu_seconds(pid) - cpu_before.get(pid, 0.0) for pid in workers + backends}
    worker_cpu = [spent[pid] for pid in workers]
    return {
        "rate": accepted / figures["seconds"], "p50_ms": figures["p50_ms"], "p95_ms": figures["p95_ms"],
        "errors": figures["errors"], "accepted": accepted,
        "server_cpu_ms": 1000 * sum(worker_cpu) / max(accepted, 1),
        "db_cpu_ms": 1000 * sum(spent[pid] for pid in backends) / max(accepted, 1),
        "busiest_share": max(worker_cpu) / max(sum(worker_cpu), 1e-9),
        "processes": len(workers),
    }


def _fresh_uuids(env):
    """wrk's UUIDs come from a seeded generator: a new seed per run, or a round would resend the
    visits of the one before (identical resends, 200, nothing stored)."""
    return dict(env, BENCH_SEED=str(int.from_bytes(os.urandom(4), "big")))


def _report(results, before_commit, after_commit):
    def median(name, key):
        return statistics.median(r[key] for r in results[name])

    rows = []
    for name, label in (("before", f"before (`{BEFORE_REF}`, {before_commit})"),
                        ("after", f"after (this tree, {after_commit})")):
        rows.append([label, f"{median(name, 'rate'):.0f}", f"{median(name, 'rate') / PEER['rate']:.2f}",
                     f"{median(name, 'p50_ms'):.0f}", f"{median(name, 'p95_ms'):.0f}",
                     f"{median(name, 'server_cpu_ms'):.1f}", f"{median(name, 'db_cpu_ms'):.1f}",
                     f"{median(name, 'busiest_share') * 100:.0f}%",
                     f"{sum(r['accepted'] for r in results[name]):,}",
                     f"{sum(r['errors'] for r in results[name]):.0f}"])
    rows.append(["ODK Central (measured elsewhere, issue 17)", f"{PEER['rate']}", "1.00", "", f"{PEER['p95_ms']}",
                 f"{PEER['server_cpu_ms']}", f"{PEER['db_cpu_ms']}", "", "", ""])
    speedup = median("after", "rate") / median("before", "rate")
    cpu_ratio = median("after", "server_cpu_ms") / median("before", "server_cpu_ms")
    rounds = "\n".join(
        f"- round {i + 1}: before {b['rate']:.0f}/s (p95 {b['p95_ms']:.0f} ms), "
        f"after {a['rate']:.0f}/s (p95 {a['p95_ms']:.0f} ms)"
        for i, (b, a) in enumerate(zip(results["before"], results["after"])))
    return (
        f"{CONNECTIONS} keep-alive connections, every PUT a new visit; {ROUNDS} alternating rounds of {SECONDS} s "
        "per side, medians shown. Each side is its own gunicorn (its own `server/gunicorn_conf.py`) on its own "
        "PostgreSQL database of the same cluster. CPU per visit: the gunicorn processes' (master and workers) and "
        "the database backends' utime + stime over the round, divided by the visits accepted. \"Busiest worker\": "
        "that worker's share of all worker CPU (100% means one worker did everything).\n\n"
        + table(["server", "visits / s", "× peer", "p50 ms", "p95 ms", "server CPU ms / visit",
                 "PostgreSQL CPU ms / visit", "busiest worker", "visits", "errors"], rows)
        + f"\n\nAfter ÷ before: {speedup:.2f}× the visits per second, {cpu_ratio:.2f}× the server CPU per visit. "
        f"Goal (issue 17): {GOAL_RATE} visits / s (2× the peer) with a p95 under {PEER['p95_ms']} ms.\n\n"
        + rounds
    )


def _export(ref):
    """The tree of `ref`, exported (not checked out: the working tree is left alone)."""
    target = SCRATCH / "before"
    subprocess.run(["rm", "-rf", str(target)], check=True)
    target.mkdir(parents=True)
    archive = subprocess.run(["git", "archive", ref], cwd=PROJECT_ROOT, check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    return target


def _commit(ref):
    return subprocess.run(["git", "rev-parse", "--short", ref], cwd=PROJECT_ROOT, check=True,
                          capture_output=True, text=True).stdout.strip()


def _gunicorn_processes(master):
    """The gunicorn master and its workers."""
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == master:
                    children.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    return [master] + children


def _cpu_seconds(pid):
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime


def _backends(url, database):
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        pids = connection.execute(sa.text(
            "SELECT pid FROM pg_stat_activity WHERE datname = :name AND pid <> pg_backend_pid()"),
            {"name": database}).scalars().all()
    engine.dispose()
    return list(pids)


def _visits(url):
    return query_value(url, "SELECT count(*) FROM visit")
