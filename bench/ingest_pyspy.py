"""Where a gunicorn worker's CPU goes under sync load: py-spy samples every worker of the real
server (production config, PostgreSQL) while wrk sends new visits over 8 keep-alive
connections. Unlike the in-process profile (ingest_profile), this sees gunicorn, the access log
and the real socket work, and adds no overhead to the calls it measures.

py-spy is a tool, not a dependency of the app: `pip install py-spy` (or set PY_SPY to its
path). It reads other processes' memory, so it needs root or ptrace permission; `--nonblocking`
keeps it from pausing the workers.
"""
import os
import shutil
import subprocess
import sys
from collections import Counter

from bench.common import PUT_VISIT_LUA, SCRATCH, signed_in_sync_server, table, wrk, write_section
from bench.sync_ingest import CONNECTIONS, _fresh_uuids, _gunicorn_processes

SECONDS = int(os.environ.get("BENCH_SECONDS", "15"))
TOP = 15


def run():
    py_spy = os.environ.get("PY_SPY") or shutil.which("py-spy")
    if py_spy is None:
        raise SystemExit("py-spy is needed: pip install py-spy (or set PY_SPY)")
    output = SCRATCH / "py-spy.txt"
    with signed_in_sync_server() as sync:
        wrk(sync.server.url, PUT_VISIT_LUA, 3, CONNECTIONS, env=_fresh_uuids(sync.env))
        workers = _gunicorn_processes(sync.server.process.pid)[1:]
        load = subprocess.Popen(["wrk", "-t", "1", "-c", str(CONNECTIONS), "-d", f"{SECONDS + 4}s", "--timeout", "30s",
                                 "-s", str(SCRATCH / "load.lua"), sync.server.url],
                                env=dict(os.environ, **_fresh_uuids(sync.env)), stdout=subprocess.DEVNULL)
        try:
            recorders = [subprocess.Popen([py_spy, "record", "--nonblocking", "--format", "raw", "--rate", "200",
                                           "--duration", str(SECONDS), "--output", f"{output}.{pid}", "--pid", str(pid)],
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for pid in workers]
            for recorder in recorders:
                recorder.wait(timeout=SECONDS + 60)
        finally:
            load.wait(timeout=SECONDS + 60)
    _write(output, workers)


def _write(output, workers):
    stacks = Counter()
    for pid in workers:
        path = f"{output}.{pid}"
        if os.path.exists(path):
            for line in open(path):
                frames, _, count = line.rstrip().rpartition(" ")
                if frames:
                    stacks[frames] += int(count)
    write_section("ingest_pyspy", "Where a worker's CPU goes under sync load (py-spy)",
                  _report(stacks, len(workers), os.getloadavg()[0]))


def _frame_name(frame):
    # py-spy's raw frames read "function (path/to/file.py:line)".
    name, _, where = frame.partition(" (")
    where = where.rstrip(")")
    for marker in ("site-packages/", "/server/", "/lib/python3.11/"):
        if marker in where:
            where = where.split(marker, 1)[1]
            break
    return f"`{where.rsplit(':', 1)[0]} {name}`"


def _library(frame):
    where = frame.partition(" (")[2]
    if "site-packages/" in where:
        where = where.split("site-packages/", 1)[1]
    path = where.rstrip(")").rsplit(":", 1)[0]
    top = path.removeprefix("<frozen ").rstrip(">").split("/", 1)[0].removesuffix(".py")
    if top == "server" or "/server/" in where:
        return "server (this project)"
    if top in sys.stdlib_module_names or not top:
        return "Python and its standard library"
    return top


def _report(stacks, workers, load):
    total = sum(stacks.values()) or 1
    own, cumulative, libraries = Counter(), Counter(), Counter()
    for stack, count in stacks.items():
        frames = stack.split(";")
        if len(frames) > 1 and frames[0].startswith("process "):
            frames = frames[1:]
        if len(frames) > 1 and frames[0].startswith("thread "):
            frames = frames[1:]
        own[_frame_name(frames[-1])] += count
        libraries[_library(frames[-1])] += count
        for name in {_frame_name(frame) for frame in frames}:
            cumulative[name] += count
    rows_own = [[name, f"{100 * n / total:.1f}", f"{100 * cumulative[name] / total:.1f}"]
                for name, n in own.most_common(TOP)]
    # Frames nearly every sample passes through (the worker loop, the WSGI call) say nothing.
    rows_cumulative = [[name, f"{100 * own[name] / total:.1f}", f"{100 * n / total:.1f}"]
                       for name, n in cumulative.most_common() if n < 0.85 * total][:TOP]
    return (
        f"gunicorn with `server/gunicorn_conf.py` ({workers} workers) on PostgreSQL, {CONNECTIONS} keep-alive "
        f"connections sending new visits; py-spy sampled every worker at 200 Hz for {SECONDS} s "
        f"({total:,} samples of a busy thread). Load average at the end: {load:.1f} on 2 cores. py-spy counts a "
        "thread waiting for PostgreSQL's answer inside psycopg as busy (`Connection.wait`, "
        "`_send_query_prepared`), so those frames are mostly round trips to the database, time a thread waits "
        "rather than CPU; on a machine this loaded they also hold time spent waiting for a core.\n\n"
        f"Top {TOP} frames by own time:\n\n" + table(["frame", "own %", "cumulative %"], rows_own)
        + f"\n\nTop {TOP} frames by cumulative time (below 85%):\n\n"
        + table(["frame", "own %", "cumulative %"], rows_cumulative)
        + "\n\nBy library (own time): " + ", ".join(
            f"{name} {100 * n / total:.0f}%" for name, n in libraries.most_common(8)) + "."
    )
