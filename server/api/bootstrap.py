"""The pull endpoint: everything a phone needs offline, with a change cursor."""
from flask_login import current_user

from server.api import api
from server.api.docs import documented
from server.api.wire import load_query, respond
from server.schemas.bootstrap import BootstrapQuerySchema, BootstrapSchema
from server.security import require_permission
from server.services.bootstrap import build_snapshot

# Built once: building a schema deep-copies its fields, which costs more than using it.
QUERY = BootstrapQuerySchema()
SNAPSHOT = BootstrapSchema()


@api.get("/bootstrap")
@require_permission("phone.use")
@documented("Placements, pupils, providers, forms and key contacts for this phone",
            query=BootstrapQuerySchema, responses={200: BootstrapSchema}, tags=["sync"])
def bootstrap():
    query = load_query(QUERY)
    return respond(SNAPSHOT, build_snapshot(current_user, since=query["since"], due_as_of=query["due_as_of"]))
