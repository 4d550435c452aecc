"""Health for load balancers and orchestrators.

`GET /healthz` is liveness: the process is up and answering. It touches nothing else, so a
database or Redis outage never gets healthy servers restarted.
`GET /readyz` is readiness: every dependency this server is configured with answers (the
database, the sign-in rate-limit storage, the photo store). It answers 503 when any fails, so
a load balancer sends requests elsewhere; which one failed is named, never why (the log says).
"""
import sqlalchemy as sa
from flask import Blueprint, current_app

from server.api.docs import documented
from server.api.wire import respond
from server.extensions import db, limiter
from server.schemas.accounts import HealthSchema, ReadinessSchema
from server.services.photo_store import get_photo_store

health = Blueprint("health", __name__)
# Built once: building a schema deep-copies its fields, which costs more than using it.
HEALTH = HealthSchema()
READINESS = ReadinessSchema()


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
