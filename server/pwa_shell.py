"""Serves the installable app from `pwa/`. The service worker is never cached by HTTP, so a new
release is seen on the next visit; everything else is versioned by the worker's precache."""
from pathlib import Path

from flask import Blueprint, send_from_directory

PWA_DIR = Path(__file__).resolve().parent.parent / "pwa"

pwa_shell = Blueprint("pwa_shell", __name__)


@pwa_shell.get("/")
def index():
    return _send("index.html")


@pwa_shell.get("/sw.js")
def service_worker():
    return _send("sw.js")


@pwa_shell.get("/<path:filename>")
def asset(filename):
    return _send(filename)


def _send(filename):
    response = send_from_directory(PWA_DIR, filename, max_age=0)
    response.headers["Cache-Control"] = "no-cache"
    if filename == "sw.js":
        response.headers["Service-Worker-Allowed"] = "/"
    return response
