"""Serves the installable app from `pwa/`, and the shared vocabulary it labels codes with.

Nothing here is cached by HTTP (`no-cache`): the service worker's precache is the only cache.
`sw.js` is written per request: the server puts in the list of shell files (every file of the
app's folder but the worker itself, plus the vocabulary) and a hash of their contents, so any
changed file makes a new worker version that phones offer as "Update ready", and a deploy that
changes nothing offers nothing.
"""
import hashlib
import json
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, send_from_directory

ROOT = Path(__file__).resolve().parent.parent
SHARED_SCHEMAS = ROOT / "shared_schemas"
VOCABULARY_URL = "/shared_schemas/vocabulary.json"
WORKER = "sw.js"
SHELL_MARKER = "[/* __SHELL_FILES__ */]"
VERSION_MARKER = "'__SHELL_VERSION__'"

pwa_shell = Blueprint("pwa_shell", __name__)


def shell_files(pwa_dir):
    """URL → file of everything the worker precaches, in a stable order."""
    pwa_dir = Path(pwa_dir)
    files = {"/" + path.relative_to(pwa_dir).as_posix(): path
             for path in sorted(pwa_dir.rglob("*"))
             if path.is_file() and path.name != WORKER
             and not any(part.startswith(".") for part in path.relative_to(pwa_dir).parts)}
    files[VOCABULARY_URL] = SHARED_SCHEMAS / "vocabulary.json"
    return files


def shell_version(files):
    """A hash of every shell file's name and bytes: it changes exactly when one of them does."""
    digest = hashlib.sha256()
    for url in sorted(files):
        content = files[url].read_bytes()
        digest.update(f"{url}\0{len(content)}\0".encode())
        digest.update(content)
    return digest.hexdigest()[:16]


def _pwa_dir():
    return Path(current_app.config["PWA_DIR"])


@pwa_shell.get("/")
def index():
    return _send(_pwa_dir(), "index.html")


@pwa_shell.get("/sw.js")
def service_worker():
    files = shell_files(_pwa_dir())
    source = (_pwa_dir() / WORKER).read_text(encoding="utf-8")
    source = (source.replace(SHELL_MARKER, json.dumps(["/", *files]))
              .replace(VERSION_MARKER, json.dumps(shell_version(files))))
    response = Response(source, mimetype="text/javascript")
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
    return _send(_pwa_dir(), filename)


def _send(directory, filename):
    response = send_from_directory(directory, filename, max_age=0)
    _no_cache(response)
    if filename.endswith(".webmanifest"):
        response.mimetype = "application/manifest+json"
    return response


def _no_cache(response):
    response.headers["Cache-Control"] = "no-cache"
    response.headers["X-Content-Type-Options"] = "nosniff"
