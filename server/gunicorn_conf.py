"""gunicorn settings, read by `gunicorn --config server/gunicorn_conf.py "server:create_app()"`.

Phones upload photos over slow mobile links. Threaded workers (gthread) keep one slow upload
from blocking a whole worker: the upload holds one thread, and the worker's main thread keeps
answering gunicorn's heartbeat, so `timeout` ends only a worker that is truly stuck, never a slow
but live upload. In production a buffering proxy (nginx, a load balancer) sits in front and hands
gunicorn each request whole, so threads are not held by slow links at all; docs/deployment.md
has the nginx settings. Every server keeps nothing of its own between requests (sessions, limits,
cursors and photos are in PostgreSQL, Redis and object storage), so any number of them can run
behind one load balancer.
"""
import os

bind = f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
reuse_port = os.environ.get("GUNICORN_REUSE_PORT", "1") == "1"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
graceful_timeout = 30
# Behind a load balancer, keep idle connections open longer than the balancer does (AWS ALB: 60 s),
# or it may send a request down a connection gunicorn has just closed and answer 502.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
# Each worker builds its own app, database pool and S3 client: none of them may cross a fork.
preload_app = False
# The heartbeat file lives in memory: a container's slow overlay disk must not make a healthy
# worker look stuck.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
accesslog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def _answer_in_the_error_shape():
    """gunicorn answers a few requests itself, outside the app: an exception that escapes Flask
    (500), a request line or headers it cannot read (400, 414, 431). Its own page is HTML, which
    a phone cannot read; these answers carry the app's error shape (server/errors.py) instead,
    with gunicorn's status. gunicorn has no setting for its error body, so its writer is
    replaced here, before any worker is forked."""
    import json

    from gunicorn import util

    from server.errors import CATALOG

    def write_error(sock, status_int, reason, mesg):
        code = "internal_error" if status_int >= 500 else "malformed_request"
        body = json.dumps({"code": code, "message": CATALOG[code][1], "details": {}}).encode()
        head = (f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\nContent-Type: application/json\r\n"
                f"Cache-Control: no-store\r\nContent-Length: {len(body)}\r\n\r\n")
        util.write_nonblock(sock, head.encode("latin-1") + body)

    util.write_error = write_error


_answer_in_the_error_shape()


def on_starting(server):
    """Once per start, in the master before any worker: remove photo uploads that a worker
    killed mid-write left half-written in the local photo folder."""
    from server.config import load_config
    from server.services.photo_store import remove_abandoned_uploads, settings_for
    for path in remove_abandoned_uploads(settings_for(load_config())):
        server.log.info("Removed a photo upload a crash left half-written: %s", path)
