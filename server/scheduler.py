"""Scheduled work on Huey: escalating concerns nobody has opened, and the morning digest.

Huey runs on the embedded default with no extra service (a SQLite file beside the database,
HUEY_URL unset) and on Redis (`redis://...`) or PostgreSQL (`postgresql://...`) when several
machines run workers. Both tasks are idempotent (server/services/alert_schedule.py), so two
workers' schedulers firing the same minute change nothing.

The consumer runs inside `flask alerts-worker` (server/worker.py), beside the outbox relay.
"""
from pathlib import Path

from huey import PostgresHuey, RedisHuey, SqliteHuey, crontab

from server.config import load_config

EVERY_FIVE_MINUTES = crontab(minute="*/5")


def make_huey(config):
    url = config["HUEY_URL"]
    if url.startswith(("redis://", "rediss://")):
        return RedisHuey("ap-visits", url=url)
    if url.startswith(("postgres://", "postgresql://")):
        return PostgresHuey("ap-visits", dsn=url.replace("postgresql+psycopg://", "postgresql://"))
    path = url.removeprefix("sqlite:///") if url else str(Path(config["DATA_DIR"]) / "scheduler.sqlite3")
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey("ap-visits", filename=path)


huey = make_huey(load_config())
_app = None


def bind(app):
    """The worker's app runs the tasks; a consumer started on its own makes one."""
    global _app
    _app = app


def _in_app(work):
    """Runs `work(now)` in the app's context and commits what it wrote."""
    global _app
    if _app is None:
        from server import create_app
        from server.database import write_outside_requests
        write_outside_requests()
        _app = create_app()
    from server.extensions import db
    from server.models.base import utcnow
    with _app.app_context():
        try:
            result = work(utcnow())
            db.session.commit()
            return result
        finally:
            db.session.remove()


@huey.periodic_task(EVERY_FIVE_MINUTES, retries=2, retry_delay=30)
def escalate_unopened_concerns():
    from server.services.alert_schedule import escalate_unopened
    return _in_app(escalate_unopened)


@huey.periodic_task(EVERY_FIVE_MINUTES, retries=2, retry_delay=30)
def morning_digest():
    from server.services.alert_schedule import send_digests
    return _in_app(send_digests)
