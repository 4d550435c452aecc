"""What the benchmark modules share: scratch PostgreSQL databases, a real gunicorn on a free
loopback port, wrk as the load generator, percentiles, the machine's description, and writing
each module's section of bench/RESULTS.md.

Everything runs on this machine and talks only to 127.0.0.1. Benchmarks use their own
databases (named ap_bench_*), never the one the tests use.
"""
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import requests
import sqlalchemy as sa

PROJECT_ROOT = Path(__file__).resolve().parent.parent
RESULTS = PROJECT_ROOT / "bench" / "RESULTS.md"
SCRATCH = Path(os.environ.get("BENCH_SCRATCH", "/tmp/ap-visits-bench"))
POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
SECRET_KEY = "benchmarks-only-secret-key-0123456789abcdef"


# --- Databases and the app ---------------------------------------------------------------------

def database_url(name):
    return sa.engine.make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)


def database_exists(name):
    engine = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        found = connection.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}).first()
    engine.dispose()
    return found is not None


def query_value(url, sql, **params):
    """The one value `sql` answers on the database at `url` (a count, a setting), read on an
    engine of its own that is closed again."""
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        value = connection.execute(sa.text(sql), params).scalar()
    engine.dispose()
    return value


def fresh_database(name, root=PROJECT_ROOT):
    """An empty PostgreSQL database called `name` (dropped first if it exists), migrated to head."""
    engine = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    url = database_url(name)
    flask("db", "upgrade", database=url, root=root)
    return url


def flask(*args, database, root=PROJECT_ROOT):
    """Run a `flask --app server` command against `database` (with the code in `root`); its output
    is returned."""
    data_dir = SCRATCH / "data"
    data_dir.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, DATABASE_URL=database, DATA_DIR=str(data_dir), APP_ENV="development")
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "server", *args], cwd=root, env=env,
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"flask {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def app_for(database, **config):
    """The app, in this process, on `database` (for server-side timings and query counts)."""
    from server import create_app
    return create_app({"SQLALCHEMY_DATABASE_URI": sa.engine.make_url(database).set(
        drivername="postgresql+psycopg").render_as_string(hide_password=False),
        "DATA_DIR": str(SCRATCH / "data"), **config})


def signed_in_client(app, email, password, office_form=False):
    """A test client of the in-process `app` signed in as `email`: through the phone's API, or
    through the office's sign-in form (office_form=True), as that door's people sign in. A role
    that needs a second factor answers the code step with the demo authenticator's current code
    (benchmark accounts carry the demo secret, as synthetic schools' do)."""
    client = app.test_client()
    token = client.get("/api/csrf").get_json()["csrf_token"]
    if office_form:
        response = client.post("/office/sign-in", data={"email": email, "password": password, "csrf_token": token})
        if response.status_code == 302 and response.location.endswith("/office/sign-in/code"):
            response = client.post("/office/sign-in/code", data={"code": _demo_code(), "csrf_token": token})
        signed_in = response.status_code == 302 and "/sign-in" not in response.location
    else:
        response = client.post("/api/session", json={"email": email, "password": password},
                               headers={"X-CSRFToken": token})
        if response.status_code == 202:
            response = client.post("/api/session/second-factor", headers={"X-CSRFToken": token},
                                   json={"pending_token": response.get_json()["pending_token"], "code": _demo_code()})
        signed_in = response.status_code == 200
    if not signed_in:
        raise RuntimeError(f"sign-in as {email} failed ({response.status_code}): {response.get_data(as_text=True)}")
    return client


def _demo_code():
    import pyotp

    from server.services.second_factor import DEMO_TOTP_SECRET
    return pyotp.TOTP(DEMO_TOTP_SECRET).now()


def get_ok(client, path):
    """GET `path` on a test client; anything but a 200 stops the benchmark."""
    response = client.get(path)
    if response.status_code != 200:
        raise RuntimeError(f"GET {path} answered {response.status_code}")
    return response


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn serving the real app with the production config file, on a free port."""

    def __init__(self, database, workers=2, root=PROJECT_ROOT, **env):
        self.root = root
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        SCRATCH.mkdir(parents=True, exist_ok=True)
        self.env = dict(os.environ, DATABASE_URL=database, DATA_DIR=str(SCRATCH / "data"), APP_ENV="development",
                        SECRET_KEY=SECRET_KEY, HOST="127.0.0.1", PORT=str(self.port), WEB_CONCURRENCY=str(workers),
                        LOGIN_RATE_LIMIT="10000 per minute", **env)
        self.process = None

    def __enter__(self):
        log = open(SCRATCH / f"gunicorn-{self.port}.log", "wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", "server/gunicorn_conf.py", "server:create_app()"],
            cwd=self.root, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return self
            except requests.RequestException:
                time.sleep(0.2)
        self.__exit__()
        raise RuntimeError(f"gunicorn did not start; see {log.name}")

    def __exit__(self, *exc):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=60)


def sign_in(base_url, email, password):
    """A requests session signed in through the API, and its CSRF token."""
    http = requests.Session()
    token = http.get(base_url + "/api/csrf", timeout=10).json()["csrf_token"]
    response = http.post(base_url + "/api/session", json={"email": email, "password": password},
                         headers={"X-CSRFToken": token}, timeout=30)
    response.raise_for_status()
    return http, response.json()["csrf_token"]


# --- Load generation ---------------------------------------------------------------------------

def require_wrk():
    if shutil.which("wrk") is None:
        sys.exit("These benchmarks use wrk as the load generator: apt-get install wrk")


def wrk(url, script, seconds, connections, threads=1, env=None):
    """Run wrk against `url` with a Lua `script` for a bounded time; returns the figures its
    done() hook prints as `key value` lines."""
    require_wrk()
    SCRATCH.mkdir(parents=True, exist_ok=True)
    path = SCRATCH / "load.lua"
    path.write_text(script + WRK_REPORT)
    done = subprocess.run(["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s", "--timeout", "30s",
                           "-s", str(path), url], capture_output=True, text=True, env=dict(os.environ, **(env or {})),
                          timeout=seconds + 60)
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed: {done.stderr}")
    return {key: float(value) for key, value in re.findall(r"^@(\w+) ([0-9.eE+-]+)$", done.stdout, re.MULTILINE)}


WRK_REPORT = """
done = function(summary, latency, requests)
  io.write(string.format("@requests %d\\n", summary.requests))
  io.write(string.format("@seconds %f\\n", summary.duration / 1e6))
  io.write(string.format("@errors %d\\n", summary.errors.connect + summary.errors.read + summary.errors.write
                                          + summary.errors.status + summary.errors.timeout))
  io.write(string.format("@p50_ms %f\\n", latency:percentile(50) / 1000))
  io.write(string.format("@p95_ms %f\\n", latency:percentile(95) / 1000))
  io.write(string.format("@p99_ms %f\\n", latency:percentile(99) / 1000))
end
"""


# --- Figures -----------------------------------------------------------------------------------

def percentile(values, p):
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


def verdict(met):
    return "**met**" if met else "**not met**"


def table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


# --- The machine and the results file ------------------------------------------------------------

def machine_description():
    cpu = platform.processor() or "unknown"
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    memory = "unknown"
    try:
        kib = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                       if line.startswith("MemTotal")))
        memory = f"{kib / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration):
        pass
    postgres = query_value(POSTGRES_URL, "SHOW server_version")
    load = os.getloadavg()[0]
    return table(["", ""], [
        ["CPU", cpu], ["cores", os.cpu_count()], ["memory", memory], ["PostgreSQL", postgres],
        ["Python", platform.python_version()], ["OS", platform.platform()],
        ["load average when the section was written", f"{load:.1f}"],
    ])


def write_section(key, title, body):
    """Replace (or add) this module's section in bench/RESULTS.md, stamped with the time and the
    machine; other modules' sections are left as they are."""
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    section = (f"<!-- bench:{key} -->\n## {title}\n\n_Run {stamp} with `python -m bench {key}`._\n\n"
               f"{body.strip()}\n\n<details><summary>Machine</summary>\n\n{machine_description()}\n\n</details>\n"
               f"<!-- /bench:{key} -->")
    text = RESULTS.read_text() if RESULTS.exists() else RESULTS_HEADER
    pattern = re.compile(rf"<!-- bench:{re.escape(key)} -->.*?<!-- /bench:{re.escape(key)} -->", re.DOTALL)
    text = pattern.sub(lambda _: section, text) if pattern.search(text) else text.rstrip() + "\n\n" + section + "\n"
    RESULTS.write_text(text)
    print(body.strip(), flush=True)


RESULTS_HEADER = """# Benchmark results

`make bench` (`python -m bench`) runs every benchmark and rewrites its section below; `python -m
bench NAME` runs one. Each figure is a ratio against a baseline measured in the same run on the
same machine, with the absolute numbers beside it. The machine each section ran on is under it.
"""


# --- The sync protocol under load (sync_ingest, sync_latency) -------------------------------------

SYNC_DATABASE = os.environ.get("BENCH_SYNC_DATABASE", "ap_bench_sync")

PUT_VISIT_LUA = """
-- PUT a new visit (a fresh UUID each time) as one signed-in member of staff.
wrk.method = "PUT"
wrk.body = os.getenv("BENCH_BODY")
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Cookie"] = os.getenv("BENCH_COOKIE")
wrk.headers["X-CSRFToken"] = os.getenv("BENCH_CSRF")
math.randomseed(tonumber(os.getenv("BENCH_SEED")))
local function uuid4()
  return (string.gsub("xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx", "[xy]", function(c)
    return string.format("%x", c == "x" and math.random(0, 15) or math.random(8, 11))
  end))
end
request = function()
  return wrk.format(nil, "/api/visits/" .. uuid4())
end
"""

GET_LUA = """
wrk.headers["Cookie"] = os.getenv("BENCH_COOKIE") or ""
"""


def prepare_sync_database(name=SYNC_DATABASE, root=PROJECT_ROOT):
    """A fresh database with 20 synthetic schools and their placements, and no visits yet."""
    url = fresh_database(name, root=root)
    flask("synthesize", "--schools", "20", "--placements-per-school", "10", "--visits-per-placement", "0",
          database=url, root=root)
    return url


def visiting_staff(database):
    """(email, [placement uuid]) of one visiting member of staff with placements of an AP kind."""
    engine = sa.create_engine(database)
    with engine.connect() as connection:
        row = connection.execute(sa.text(
            "SELECT u.email, array_agg(p.uuid::text) FROM user_account u "
            "JOIN placement_staff s ON s.user_id = u.id JOIN placement p ON p.id = s.placement_id "
            "WHERE p.kind IN ('off_site_ap', 'on_site_ap') GROUP BY u.id, u.email ORDER BY u.id LIMIT 1")).one()
    engine.dispose()
    return row[0], row[1]


def visit_body(placement_uuid):
    """A valid quality-assurance visit, as a phone sends it (no photos: those are measured apart)."""
    import json
    now = datetime.now(timezone.utc).isoformat()
    return json.dumps({
        "kind": "qa_visit", "placement_id": placement_uuid, "provider_id": None, "form_id": "qa_visit",
        "form_version": 1, "mode": "in_person", "visit_date": now[:10], "started_at": now, "completed_at": now,
        "answers": {
            "people_present": {"value": [{"name": "Workshop lead", "role": "Provider staff"}]},
            "spoke_with_staff": {"value": "yes"}, "spoke_with_pupil": {"value": "yes"},
            "spoke_with_parents": {"value": "na"}, "work_reviewed": {"value": "yes"},
            "lessons_observed": {"value": "yes"}, "unstructured_time_observed": {"value": "yes"},
            "findings": {"value": "Settled, engaged in the workshop; two units signed off."},
            "pupil_voice": {"value": "Likes the practical work."}, "concern_raised": {"value": "no"}},
        "photos": [], "actions": [], "concern": None, "base_version": None})


def cookie_header(http):
    return "; ".join(f"{cookie.name}={cookie.value}" for cookie in http.cookies)


@dataclass
class SyncRun:
    database: str
    server: "Server"
    email: str          # the visiting member of staff signed in
    placement: str      # the uuid of the placement every visit is about
    env: dict           # for wrk: PUT_VISIT_LUA and GET_LUA, signed in as `email`


@contextmanager
def signed_in_sync_server(name=SYNC_DATABASE, root=PROJECT_ROOT, workers=2):
    """A fresh sync database served by gunicorn (with the code in `root`), signed in as one visiting
    member of staff, as a SyncRun."""
    from server.dev.synthetic import PASSWORD
    url = prepare_sync_database(name, root)
    email, placements = visiting_staff(url)
    with Server(url, workers=workers, root=root) as server:
        http, csrf = sign_in(server.url, email, PASSWORD)
        yield SyncRun(url, server, email, placements[0], {
            "BENCH_BODY": visit_body(placements[0]), "BENCH_COOKIE": cookie_header(http), "BENCH_CSRF": csrf,
            "BENCH_SEED": str(int.from_bytes(os.urandom(4), "big"))})
