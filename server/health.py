"""`GET /healthz` for load balancers: the process is up and the database answers."""
import sqlalchemy as sa
from flask import Blueprint

from server.api.docs import documented
from server.api.wire import respond
from server.extensions import db
from server.schemas.accounts import HealthSchema

health = Blueprint("health", __name__)
# Built once: building a schema deep-copies its fields, which costs more than using it.
HEALTH = HealthSchema()


@health.get("/healthz")
@documented("Liveness and database check", responses={200: HealthSchema}, tags=["meta"])
def healthz():
    db.session.execute(sa.text("SELECT 1"))
    return respond(HEALTH, {"status": "ok", "database": db.engine.dialect.name})
