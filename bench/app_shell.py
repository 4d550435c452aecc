"""The app shell on a phone: bytes transferred on the first load and on a repeat load, and the
time until a visit form is usable on a cold start with the CPU throttled 4×.

Headless Chromium at phone size opens the real PWA served by gunicorn (demo data on SQLite).
Bytes are counted where they leave the server (gunicorn's access log: every response body,
including what the service worker fetches to precache), split into the app shell and the API's
data; the compressed figure is what gzip (as nginx would apply it) makes of the same responses.
Cold start: the browser is closed and started again on the same profile (service worker and
IndexedDB kept), then opens a draft visit: timed until the PIN screen shows, and from the PIN
being entered (the key unwrapped with PBKDF2, the snapshot and draft opened) until the form's
first question can be answered; their sum is the cold start without the person's typing. The
read path: the app's sealed reads (`db.getSnapshot()`, `db.visitsOf()`) against reading the
same rows from IndexedDB without opening them.
The same cold start without throttling is the baseline. Targets: nothing of the shell from the
network on a repeat load; the throttled time is reported (the phone budget is a few seconds).
"""
import gzip
import re
import statistics
import time
from pathlib import Path

import requests

from bench.common import PROJECT_ROOT, SCRATCH, Server, flask, table, verdict, write_section

CHROMIUM = next((p for p in ("/usr/bin/chromium", "/usr/bin/chromium-browser") if Path(p).exists()), None)
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
EMAIL, PASSWORD, PIN = "visiting.staff@riverside.example", "demo-password-2026", "258036"
THROTTLE = 4
COLD_STARTS = 3
SCREENSHOTS = PROJECT_ROOT / "test-artifacts" / "screenshots"
ACCESS_LINE = re.compile(r'"(?:GET|HEAD|POST|PUT|DELETE) (\S+) HTTP/[0-9.]+" (\d{3}) (\d+|-)')


def run():
    from playwright.sync_api import sync_playwright
    database = f"sqlite:///{SCRATCH / 'app-shell.sqlite3'}"
    (SCRATCH / "app-shell.sqlite3").unlink(missing_ok=True)
    flask("db", "upgrade", database=database)
    flask("seed-demo", database=database)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    profile = SCRATCH / "chromium-profile"
    _remove_tree(profile)
    with Server(database, workers=2) as server, sync_playwright() as playwright:
        log = SCRATCH / f"gunicorn-{server.port}.log"

        def launch():
            return playwright.chromium.launch_persistent_context(
                str(profile), executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS, **PHONE)

        context = launch()
        page = context.pages[0] if context.pages else context.new_page()
        mark = _log_size(log)
        page.goto(server.url + "/")
        page.get_by_label("School email").fill(EMAIL)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.get_by_label("New PIN").fill(PIN)
        page.get_by_label("The same PIN again").fill(PIN)
        page.get_by_role("button", name="Set PIN").click()
        page.get_by_role("heading", name="Your pupils").wait_for()
        page.wait_for_function("() => navigator.serviceWorker && navigator.serviceWorker.controller !== null")
        page.wait_for_timeout(1500)  # the service worker finishes precaching
        first = _served(log, mark)

        visit_url = _start_a_draft_visit(page)
        mark = _log_size(log)
        page.reload()
        _enter_pin(page)
        page.get_by_role("heading", name="Quality-assurance visit").wait_for()
        page.wait_for_timeout(1000)
        repeat = _served(log, mark)
        reads = page.evaluate(READ_PATH)
        context.close()

        timings = {}
        for rate in (1, THROTTLE):
            timings[rate] = []
            for _ in range(COLD_STARTS):
                context = launch()
                page = context.pages[0] if context.pages else context.new_page()
                if rate != 1:
                    context.new_cdp_session(page).send("Emulation.setCPUThrottlingRate", {"rate": rate})
                started = time.perf_counter()
                page.goto(visit_url)
                page.get_by_label("PIN", exact=True).wait_for(timeout=60_000)
                to_pin = (time.perf_counter() - started) * 1000
                page.get_by_label("PIN", exact=True).fill(PIN)
                entered = time.perf_counter()
                page.get_by_role("button", name="Open").click()
                page.locator("main input:not([type=hidden]), main textarea, main select").first.wait_for(
                    state="visible", timeout=60_000)
                timings[rate].append((to_pin, (time.perf_counter() - entered) * 1000))
                # What "usable" looked like, for a person to check.
                page.screenshot(path=str(SCREENSHOTS / f"bench-cold-start-cpu-{rate}x.png"))
                context.close()
        first, repeat = _with_sizes(first, server.url), _with_sizes(repeat, server.url)
        gzipped = {path: _gzip_size(server.url + path) for path in {path for path, _ in first["shell"]}}

    shell_first = sum(size for _, size in first["shell"])
    shell_first_gz = sum(gzipped[path] for path, _ in first["shell"])
    shell_repeat = sum(size for _, size in repeat["shell"])
    median = {rate: [statistics.median(part) for part in zip(*runs)] for rate, runs in timings.items()}
    base, slow = sum(median[1]), sum(median[THROTTLE])
    body = (
        table(["load", "app shell bytes", "app shell, gzip", "shell requests", "API bytes", "API requests",
               "target"], [
            ["first (sign in, service worker installs)", f"{shell_first:,}", f"{shell_first_gz:,}",
             len(first["shell"]), f"{sum(s for _, s in first['api']):,}", len(first["api"]), ""],
            ["repeat (reload)", f"{shell_repeat:,}", "", len(repeat["shell"]),
             f"{sum(s for _, s in repeat['api']):,}", len(repeat["api"]),
             f"0 shell bytes {verdict(shell_repeat == 0)}"],
        ])
        + "\n\n"
        + table(["cold start to a usable visit form", "to the PIN screen, ms", "PIN entered to usable form, ms",
                 "sum, median ms", "ratio to unthrottled"], [
            ["unthrottled", f"{median[1][0]:.0f}", f"{median[1][1]:.0f}", f"{base:.0f}", "1.00"],
            [f"CPU throttled {THROTTLE}×", f"{median[THROTTLE][0]:.0f}", f"{median[THROTTLE][1]:.0f}", f"{slow:.0f}",
             f"{slow / base:.2f}"],
        ])
        + "\n\n"
        + table(["read (median of 20, unthrottled)", "sealed, as the app reads it, ms", "the rows without opening, ms"], [
            [f"the snapshot ({reads['snapshot_bytes']:,} bytes sealed)", f"{reads['snapshot'][0]:.2f}", f"{reads['snapshot'][1]:.2f}"],
            ["the person's visits", f"{reads['visits'][0]:.2f}", f"{reads['visits'][1]:.2f}"],
        ])
        + f"\n\nCold start: Chromium started again on the same profile, {COLD_STARTS} times each, opening a draft "
        "visit until its first question is visible. Bytes are response bodies as gunicorn sent them (it does not "
        "compress; the gzip column is what a compressing proxy would send). Repeat-load API calls are the app "
        "checking for new data (`/api/me`, `/api/bootstrap?since=`), not the shell."
        + (" The repeat load's shell request is the browser's own update check of `/sw.js` (served `no-cache` "
           "by design), which falls inside the measured second because the reload waits for the PIN."
           if [path for path, _ in repeat["shell"]] == ["/sw.js"] else "")
    )
    write_section("app_shell", "The app shell: bytes on first and repeat load, cold start throttled", body)


# The app's own reads against IndexedDB's, same rows: what sealing costs on the read path.
READ_PATH = """async () => {
  const db = await import('/js/db.js');
  const session = await db.getMeta('session');
  const owner = session.user.id;
  const idb = await new Promise((ok, no) => { const r = indexedDB.open('ap-visits'); r.onsuccess = () => ok(r.result); r.onerror = () => no(r.error); });
  const raw = (store, call) => new Promise((ok, no) => { const q = call(idb.transaction(store).objectStore(store)); q.onsuccess = () => ok(q.result); q.onerror = () => no(q.error); });
  const median = async (work) => {
    const times = [];
    for (let i = 0; i < 20; i += 1) { const t = performance.now(); await work(); times.push(performance.now() - t); }
    times.sort((a, b) => a - b);
    return times[10];
  };
  const row = await raw('snapshot', (s) => s.get('current'));
  const result = {
    snapshot: [await median(() => db.getSnapshot()), await median(() => raw('snapshot', (s) => s.get('current')))],
    visits: [await median(() => db.visitsOf(owner)), await median(() => raw('visits', (s) => s.index('by_owner').getAll(owner)))],
    snapshot_bytes: row.sealed.json.data.byteLength,
  };
  idb.close();
  return result;
}"""


def _enter_pin(page):
    page.get_by_label("PIN", exact=True).fill(PIN)
    page.get_by_role("button", name="Open").click()


def _start_a_draft_visit(page):
    """From Today: a placement, "Start a visit", a quality-assurance visit. Returns its address."""
    page.locator(".placement-card").first.click()
    page.get_by_role("link", name="Start a visit").click()
    page.get_by_role("button", name="Start").click()
    page.get_by_role("heading", name="Quality-assurance visit").wait_for()
    return page.url


def _log_size(log):
    return log.stat().st_size if log.exists() else 0


def _served(log, offset):
    """What gunicorn sent since `offset`: {"shell": [(path, bytes)], "api": [(path, bytes)]}."""
    time.sleep(0.5)  # the access log is written as each response completes
    with log.open("rb") as handle:
        handle.seek(offset)
        text = handle.read().decode("utf-8", "replace")
    served = {"shell": [], "api": []}
    for path, status, size in ACCESS_LINE.findall(text):
        if path.startswith("/healthz"):
            continue
        kind = "api" if path.startswith("/api/") else "shell"
        served[kind].append((path, status, 0 if size == "-" else int(size)))
    return served


def _with_sizes(served, base_url):
    """gunicorn logs 0 bytes for files it sends with sendfile(): a 200 for a file is its size."""
    sized = {}
    for kind, entries in served.items():
        sized[kind] = [(path, size or (_body(base_url + path) if status == "200" and kind == "shell" else size))
                       for path, status, size in entries]
    return sized


def _body(url):
    return len(requests.get(url, timeout=10).content)


def _gzip_size(url):
    return len(gzip.compress(requests.get(url, timeout=10).content, compresslevel=6))


def _remove_tree(path):
    import shutil
    shutil.rmtree(path, ignore_errors=True)
