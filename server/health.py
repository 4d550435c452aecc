"""Health for load balancers and orchestrators.

`GET /healthz` is liveness: the process is up and answering. It touches nothing else, so a
database or Redis outage never gets healthy servers restarted.
`GET /readyz` is readiness: every dependency this server is configured with answers (the
database, the sign-in rate-limit storage, the photo store). It answers 503 when any fails, so
a load balancer sends requests elsewhere; which one failed is named, never why (the log says).
`GET /healthz/alerts` is for monitoring, not load balancers: it answers 503 when a safeguarding
alert is late (no worker is sending) or the worker gave up on one, since nobody has then been
told of a concern. It counts, and names no school or person.
"""
from datetime import timedelta

import sqlalchemy as sa
from flask import Blueprint, current_app

from server.api.docs import documented
from server.api.wire import respond
from server.extensions import db, limiter
from server.models import Alert
from server.models.base import utcnow
from server.schemas.accounts import AlertHealthSchema, HealthSchema, ReadinessSchema
from server.services.photo_store import get_photo_store

health = Blueprint("health", __name__)
# Built once: building a schema deep-copies its fields, which costs more than using it.
HEALTH = HealthSchema()
READINESS = ReadinessSchema()
ALERT_HEALTH = AlertHealthSchema()


@health.get("/healthz")
@documented("Liveness: the process is up (checks no dependency)", responses={200: HealthSchema}, tags=["meta"])
def healthz():
    return respond(HEALTH, {"status": "ok"})


def _database():
    # Its own connection, not the request's session, so a failure leaves no session to mend.
    with db.engine.connect() as connection:
        return connection.execute(sa.text("SELECT 1")).scalar_one() == 1


CHECKS = {
    "database": _database,
    # Memory storage always answers; Redis is pinged.
    "rate_limit_storage": lambda: limiter.storage.check(),
    "photo_store": lambda: get_photo_store().is_ready(),
}


def _passes(name, check):
    # Any failure at all is reported as that dependency failing: readiness must answer, never 500.
    try:
        return bool(check())
    except Exception:
        current_app.logger.exception("readiness check %s failed", name)
        return False


@health.get("/readyz")
@documented("Readiness: each dependency this server uses answers (503 when any does not)",
            responses={200: ReadinessSchema, 503: ReadinessSchema}, tags=["meta"])
def readyz():
    checks = {name: "ok" if _passes(name, check) else "failed" for name, check in CHECKS.items()}
    ready = all(result == "ok" for result in checks.values())
    return respond(READINESS, {"status": "ok" if ready else "failed", "checks": checks}, status=200 if ready else 503)


@health.get("/healthz/alerts")
@documented("Alert delivery: 503 when an alert is late or failed (for monitoring, not load balancers)",
            responses={200: AlertHealthSchema, 503: AlertHealthSchema}, tags=["meta"])
def alert_health():
    late_before = utcnow() - timedelta(minutes=current_app.config["ALERT_LATE_MINUTES"])
    late, failed = db.session.execute(sa.select(
        sa.func.count().filter(Alert.status.in_(("pending", "sending")), Alert.next_attempt_at < late_before),
        sa.func.count().filter(Alert.status == "failed"))).one()
    healthy = late == 0 and failed == 0
    return respond(ALERT_HEALTH, {"status": "ok" if healthy else "late", "late": late, "failed": failed},
                   status=200 if healthy else 503)
