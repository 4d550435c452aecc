"""The sync protocol's routes (docs/sync-protocol.md): send a visit, send its photos, ask
what the server holds, and record visits a person chose to discard on their phone."""
from flask import current_app, request
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from server.api import api
from server.api.docs import documented
from server.api.wire import load_json, read_json, respond
from server.errors import ApiError
from server.extensions import db
from server.schemas.visits import (MEDIA_TYPES, DiscardedReceiptSchema, DiscardedVisitsSchema, ReceiptSchema,
                                   VisitPayloadSchema)
from server.security import require_permission
from server.services.photo_ingest import ingest_photo
from server.services.sync import find_own_visit, ingest_visit, log_discarded_visits, receipt_for

# Built once: building a schema deep-copies its fields, which costs more than using it.
RECEIPT = ReceiptSchema()


def _committed(work):
    """Run `work` and commit. Two phones racing on one UUID: the loser's INSERT fails on the
    UNIQUE constraint; run it again and it finds the winner's row (an identical resend)."""
    for attempt in (1, 2):
        try:
            result = work()
            db.session.commit()
            return result
        except IntegrityError:
            db.session.rollback()
            if attempt == 2:
                raise ApiError("conflict") from None


@api.put("/visits/<uuid:visit_id>")
@require_permission("phone.use")
@documented("Send a visit and its photo manifest (idempotent by UUID)", body=VisitPayloadSchema,
            responses={200: ReceiptSchema, 201: ReceiptSchema}, tags=["sync"])
def put_visit(visit_id):
    body = read_json()
    receipt, created = _committed(lambda: ingest_visit(current_user, visit_id, body))
    return respond(RECEIPT, receipt, 201 if created else 200)


@api.put("/visits/<uuid:visit_id>/photos/<uuid:photo_id>")
@require_permission("phone.use")
@documented("Send one photo's bytes; X-Content-SHA256 names their hash", body_content_type=MEDIA_TYPES,
            responses={200: ReceiptSchema, 201: ReceiptSchema}, tags=["sync"])
def put_photo(visit_id, photo_id):
    config = current_app.config
    body = request.get_data(cache=False)
    receipt, stored = _committed(lambda: ingest_photo(
        current_user, visit_id, photo_id, request.mimetype, request.headers.get("X-Content-SHA256"), body,
        max_pixels=config["PHOTO_MAX_PIXELS"], long_edge=config["PHOTO_LONG_EDGE"]))
    return respond(RECEIPT, receipt, 201 if stored else 200)


@api.get("/visits/<uuid:visit_id>")
@require_permission("phone.use")
@documented("What the server holds of one of my visits", responses={200: ReceiptSchema}, tags=["sync"])
def get_visit(visit_id):
    visit = find_own_visit(current_user, visit_id)
    if visit is None:
        raise ApiError("not_found")
    return respond(RECEIPT, receipt_for(visit))


@api.post("/visits/discarded")
@require_permission("phone.use")
@documented("Record that the signed-in author discarded unsent visits on their phone",
            body=DiscardedVisitsSchema, responses={200: DiscardedReceiptSchema}, tags=["sync"])
def record_discarded():
    payload = load_json(DiscardedVisitsSchema())
    recorded = log_discarded_visits(current_user._get_current_object(), payload["visit_ids"],
                                    payload["confirmed_at"])
    db.session.commit()
    return respond(DiscardedReceiptSchema(), {"recorded": recorded})
