"""Headers on every response that tell browsers to refuse what this app never does: framing,
scripts or styles from elsewhere, inline script, and sniffing a file's type; and, on every
office page and API answer, to keep no copy (`no-store`), since most of them carry pupil or
safeguarding data and a shared office computer's cache outlives a sign-out. The phone app's
shell (server/pwa_shell.py) and the office's own stylesheet and script keep their caching.
"""
from flask import request

NEVER_STORED_PREFIXES = ("/office", "/api/")
STORABLE_ENDPOINTS = ("office.static",)
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "connect-src 'self'",
    "worker-src 'self'",
    "manifest-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


def init_app(app):
    @app.after_request
    def add_security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Permissions-Policy", "geolocation=(), microphone=(), camera=(self)")
        if request.path.startswith(NEVER_STORED_PREFIXES) and request.endpoint not in STORABLE_ENDPOINTS:
            headers["Cache-Control"] = "private, no-store"
        if not app.config["APP_ENV"] == "development":
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response
