"""Where a visit PUT's CPU goes: the real app in this process on PostgreSQL (the sync bench's
database), signed in through the API, sending new visits through Flask's test client under
cProfile. Prints and records the top frames by own time and by cumulative time, and the CPU per
visit PUT, signed-in GET /api/me and GET /healthz measured without the profiler.

cProfile adds its own overhead to every call, so the shares matter, not the absolute times.
"""
import cProfile
import os
import pstats
import time
import uuid

from bench.common import prepare_sync_database, table, visit_body, visiting_staff, write_section

VISITS = int(os.environ.get("BENCH_PROFILE_VISITS", "400"))
TOP = 15


def run():
    url = prepare_sync_database()
    email, placements = visiting_staff(url)
    client, csrf = _signed_in_client(url, email)
    body = visit_body(placements[0])
    headers = {"X-CSRFToken": csrf, "Content-Type": "application/json"}

    def put():
        response = client.put(f"/api/visits/{uuid.uuid4()}", data=body, headers=headers)
        assert response.status_code == 201, response.get_data(as_text=True)

    for _ in range(30):
        put()
    cpu = {"PUT /api/visits/<uuid>": _cpu_ms(put, VISITS),
           "GET /api/me (signed in)": _cpu_ms(lambda: client.get("/api/me"), VISITS),
           "GET /healthz": _cpu_ms(lambda: client.get("/healthz"), VISITS)}
    profiler = cProfile.Profile(time.process_time)  # CPU, not time spent waiting on PostgreSQL
    profiler.enable()
    for _ in range(VISITS):
        put()
    profiler.disable()
    stats = pstats.Stats(profiler)
    total = stats.total_tt
    body_text = (
        f"In-process (Flask test client, no gunicorn, no access log), PostgreSQL, {VISITS} new visits after 30 "
        "to warm up. CPU per request without the profiler (median of the process CPU over the run):\n\n"
        + table(["request", "CPU ms per request"], [[name, f"{ms:.2f}"] for name, ms in cpu.items()])
        + f"\n\nUnder cProfile timing CPU (not time spent waiting on PostgreSQL): top {TOP} frames by own time (share of all profiled time):\n\n"
        + table(["function", "calls per PUT", "own %", "cumulative %"], _rows(stats, "tottime", total))
        + f"\n\nTop {TOP} frames by cumulative time:\n\n"
        + table(["function", "calls per PUT", "own %", "cumulative %"], _rows(stats, "cumulative", total))
        + "\n\nWhat each layer every request passes through costs a PUT (cumulative share under cProfile; "
        "the same share of the CPU per PUT above, without the profiler, in ms):\n\n"
        + table(["layer", "function", "cumulative %", "ms per PUT"],
                [[layer, f"`{name}`", f"{share:.1f}", f"{share / 100 * cpu['PUT /api/visits/<uuid>']:.2f}"]
                 for layer, name, share in _layers(stats, total)])
        + "\n\nBy library (own time): " + ", ".join(
            f"{name} {share:.0f}%" for name, share in _by_library(stats, total)) + "."
    )
    write_section("ingest_profile", "Where a visit PUT's CPU goes (profile)", body_text)


def _signed_in_client(url, email):
    from bench.common import app_for
    from server.dev.synthetic import PASSWORD
    app = app_for(url, WTF_CSRF_SSL_STRICT=False, LOGIN_RATE_LIMIT="10000 per minute")
    client = app.test_client()
    token = client.get("/api/csrf").get_json()["csrf_token"]
    response = client.post("/api/session", json={"email": email, "password": PASSWORD},
                           headers={"X-CSRFToken": token})
    assert response.status_code == 200, response.get_data(as_text=True)
    return client, response.get_json()["csrf_token"]


def _cpu_ms(request, count):
    started = time.process_time()
    for _ in range(count):
        request()
    return (time.process_time() - started) * 1000 / count


def _label(func):
    filename, line, name = func
    for marker in ("site-packages/", "wt-ingest/", "/server/", "/lib/python3"):
        if marker in filename:
            filename = filename.split(marker, 1)[1]
            break
    return f"`{filename}:{line} {name}`" if line else f"`{name}`"


def _rows(stats, key, total):
    entries = sorted(stats.stats.items(), key=lambda item: item[1][2 if key == "tottime" else 3], reverse=True)
    rows = []
    for func, (_, calls, tottime, cumtime, _) in entries:
        if func[2] in ("<module>", "put", "_cpu_ms") or "cProfile" in func[0]:
            continue
        if key == "cumulative" and cumtime > 0.85 * total:
            continue  # the WSGI and Flask frames every request passes through
        rows.append([_label(func), f"{calls / VISITS:.1f}", f"{100 * tottime / total:.1f}",
                     f"{100 * cumtime / total:.1f}"])
        if len(rows) == TOP:
            break
    return rows


LAYERS = [("sign-in rate limiter", "flask_limiter/_extension.py", "_check_request_limit"),
          ("CSRF check", "flask_wtf/csrf.py", "csrf_protect"),
          ("security headers", "server/security_headers.py", "add_security_headers"),
          ("input guard", "server/input_guard.py", "guard_request"),
          ("session, person and roles", "server/security.py", "load_user_from_session_token"),
          ("the visit itself", "server/services/sync.py", "ingest_visit")]


def _layers(stats, total):
    rows = []
    for layer, filename, function in LAYERS:
        cumulative = sum(entry[3] for (path, _, name), entry in stats.stats.items()
                         if path.endswith(filename) and name == function)
        rows.append((layer, f"{filename} {function}", 100 * cumulative / total))
    return rows


def _by_library(stats, total):
    shares = {}
    for (filename, _, _), (_, _, tottime, _, _) in stats.stats.items():
        if "site-packages/" in filename:
            name = filename.split("site-packages/", 1)[1].split("/", 1)[0]
        elif "/server/" in filename:
            name = "server (this project)"
        else:
            name = "Python and its standard library"
        shares[name] = shares.get(name, 0) + tottime
    return sorted(((name, 100 * t / total) for name, t in shares.items()), key=lambda x: -x[1])[:8]
