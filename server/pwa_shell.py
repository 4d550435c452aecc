"""Serves the installable app from `pwa/`, and the shared vocabulary it labels codes with.

Nothing here is cached by HTTP (`no-cache`): the service worker's versioned precache is the
only cache, so a new release is seen on the next visit. `PWA_BUILD` (optional) names the
deployment; it becomes part of the service worker's version, so setting a new value makes
phones offer "Update ready" even when no file changed.
"""
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, send_from_directory

ROOT = Path(__file__).resolve().parent.parent
PWA_DIR = ROOT / "pwa"
SHARED_SCHEMAS = ROOT / "shared_schemas"
BUILD_MARKER = "__PWA_BUILD__"

pwa_shell = Blueprint("pwa_shell", __name__)


@pwa_shell.get("/")
def index():
    return _send(PWA_DIR, "index.html")


@pwa_shell.get("/sw.js")
def service_worker():
    source = (PWA_DIR / "sw.js").read_text(encoding="utf-8")
    response = Response(source.replace(BUILD_MARKER, current_app.config["PWA_BUILD"]), mimetype="text/javascript")
    _no_cache(response)
    response.headers["Service-Worker-Allowed"] = "/"
    return response


@pwa_shell.get("/shared_schemas/vocabulary.json")
def vocabulary():
    return _send(SHARED_SCHEMAS, "vocabulary.json")


@pwa_shell.get("/<path:filename>")
def asset(filename):
    if filename.startswith(("api/", "office")):
        abort(404)
    return _send(PWA_DIR, filename)


def _send(directory, filename):
    response = send_from_directory(directory, filename, max_age=0)
    _no_cache(response)
    if filename.endswith(".webmanifest"):
        response.mimetype = "application/manifest+json"
    return response


def _no_cache(response):
    response.headers["Cache-Control"] = "no-cache"
    response.headers["X-Content-Type-Options"] = "nosniff"
