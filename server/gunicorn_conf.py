"""gunicorn settings. Phones upload photos over slow mobile links: threaded workers keep one
slow upload from blocking a whole worker, and the timeout is long enough for a 2 MB photo on a
poor 3G connection. Behind a buffering proxy (nginx, a PaaS router) uploads arrive whole anyway."""
import os

bind = f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
graceful_timeout = 30
keepalive = 5
accesslog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
