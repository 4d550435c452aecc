"""Photos: what a 12-megapixel photo (4000×3000 JPEG) costs.

- On the phone: the real PWA code (pwa/js/photos.js, preparePhoto) shrinks it in Chromium before
  it is stored or sent; bytes uploaded against the original's. Target: at least 8× smaller.
- On the server: services/photos.process_photo (verify, orientation, re-encode without
  metadata, thumbnail) on the original, against plain Pillow decode-resize-encode of the same
  file; time (median of several runs in this process) and peak RSS (each in a fresh process).
  Targets: within 1.2× the time, under 64 MiB peak per photo. The photo the phone really sends
  (already shrunk) is shown too.
"""
import base64
import io
import json
import re
import statistics
import subprocess
import sys
import time

from bench.common import PROJECT_ROOT, SCRATCH, Server, table, verdict, write_section

RUNS = 5
LONG_EDGE = 2048
TARGET_SMALLER = 8
TARGET_TIME = 1.2
TARGET_PEAK_MIB = 64


def run():
    SCRATCH.mkdir(parents=True, exist_ok=True)
    original = SCRATCH / "photo-12mp.jpg"
    original.write_bytes(_twelve_megapixels())
    shrunk = SCRATCH / "photo-from-phone.jpg"
    shrunk.write_bytes(_shrink_in_chromium(original.read_bytes()))

    measured = {}
    for label, path in (("12 MP original", original), ("as the phone sends it", shrunk)):
        for method in ("server", "pillow"):
            times = [_in_process(method, path.read_bytes()) for _ in range(RUNS)]
            peak = json.loads(subprocess.run(
                [sys.executable, "-m", "bench.photos", method, str(path)], cwd=PROJECT_ROOT, check=True,
                capture_output=True, text=True).stdout)["peak_mib"]
            measured[label, method] = (statistics.median(times), peak)

    size_ratio = original.stat().st_size / shrunk.stat().st_size
    rows = []
    all_met = size_ratio >= TARGET_SMALLER
    for label in ("12 MP original", "as the phone sends it"):
        server_ms, server_peak = measured[label, "server"]
        pillow_ms, pillow_peak = measured[label, "pillow"]
        ratio = server_ms / pillow_ms
        met = ratio <= TARGET_TIME and server_peak < TARGET_PEAK_MIB
        if label == "12 MP original":
            all_met &= met
        rows.append([label, f"{server_ms:.0f}", f"{pillow_ms:.0f}", f"{ratio:.2f}", f"{server_peak:.1f}",
                     f"{pillow_peak:.1f}", verdict(met) if label == "12 MP original" else "(for comparison)"])
    body = (
        f"Original: {original.stat().st_size:,} bytes, 4000×3000. The phone's copy, made by the PWA's own "
        f"preparePhoto() in headless Chromium: {shrunk.stat().st_size:,} bytes ({size_ratio:.1f}× smaller; target "
        f"≥ {TARGET_SMALLER}× {verdict(size_ratio >= TARGET_SMALLER)}).\n\n"
        + table(["photo", "server ms", "plain Pillow ms", "time ratio", "server peak MiB", "Pillow peak MiB",
                 f"target (≤ {TARGET_TIME}×, < {TARGET_PEAK_MIB} MiB)"], rows)
        + "\n\nServer = services/photos.process_photo: verify, pixel cap, decode (draft mode), orientation, "
        f"resize to {LONG_EDGE} px, JPEG without metadata, plus a 320 px thumbnail. Plain Pillow = open, resize "
        f"to {LONG_EDGE} px, save as JPEG. Time: median of {RUNS} runs in one process; peak: the growth of the "
        f"resident set in a fresh process. All targets {verdict(all_met)}."
    )
    write_section("photos", "Photos: bytes from the phone, server time and memory", body)


def _twelve_megapixels():
    """A 4000×3000 JPEG built like a camera's photo: a smooth scene (light and large shapes), some
    texture, and per-pixel sensor noise, saved at the quality phones use (92)."""
    from PIL import Image, ImageChops

    def layer(scale, sigma):
        noise = Image.effect_noise((4000 // scale, 3000 // scale), sigma)
        return noise.resize((4000, 3000), Image.Resampling.BICUBIC)

    channels = []
    for _ in range(3):
        scene = ImageChops.add(layer(100, 70), layer(12, 6), offset=-128)
        channels.append(ImageChops.add(scene, layer(1, 10), offset=-128))
    buffer = io.BytesIO()
    Image.merge("RGB", channels).save(buffer, format="JPEG", quality=92)
    return buffer.getvalue()


def _shrink_in_chromium(data):
    """The PWA's own photo code, in Chromium, on this photo: the bytes it would store and send."""
    from playwright.sync_api import sync_playwright

    from bench.app_shell import CHROMIUM, CHROMIUM_ARGS
    with Server(f"sqlite:///{SCRATCH / 'photos.sqlite3'}", workers=1) as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(server.url + "/js/photos.js")  # same origin as the app, without starting the app
            shrunk = page.evaluate("""async (b64) => {
                const photos = await import('/js/photos.js');
                const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
                const photo = await photos.preparePhoto(new Blob([bytes], { type: 'image/jpeg' }),
                                                        { id: 'bench', visitId: 'bench', owner: 'bench', itemKey: null });
                let text = '';
                const out = new Uint8Array(photo.bytes);
                for (let i = 0; i < out.length; i += 0x8000) text += String.fromCharCode(...out.subarray(i, i + 0x8000));
                return btoa(text);
            }""", base64.b64encode(data).decode())
        finally:
            browser.close()
    return base64.b64decode(shrunk)


def _server(data):
    from server.services.photos import process_photo
    return process_photo(data, max_pixels=40_000_000, long_edge=LONG_EDGE)


def _pillow(data):
    from PIL import Image
    image = Image.open(io.BytesIO(data))
    image.load()
    image.thumbnail((LONG_EDGE, LONG_EDGE), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()


METHODS = {"server": _server, "pillow": _pillow}


def _in_process(method, data):
    started = time.perf_counter()
    METHODS[method](data)
    return (time.perf_counter() - started) * 1000


def _peak_in_this_process(method, path):
    """Run once in this (fresh) process; print how far its peak resident set grew, in MiB.
    (VmHWM, not ru_maxrss: the latter carries the parent's peak across fork and exec.)"""
    data = open(path, "rb").read()
    from PIL import Image  # noqa: F401  (imports are not the photo's cost)
    import server.services.photos  # noqa: F401
    before = _high_water_mark()
    METHODS[method](data)
    print(json.dumps({"peak_mib": _high_water_mark() - before}))


def _high_water_mark():
    status = open("/proc/self/status").read()
    return int(re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE).group(1)) / 1024


if __name__ == "__main__":
    _peak_in_this_process(sys.argv[1], sys.argv[2])
