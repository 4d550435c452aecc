"""The sync protocol's routes (docs/sync-protocol.md): send a visit, send its photos, ask
what the server holds, and record visits a person chose to discard on their phone."""
from flask import current_app, request
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import ClientDisconnected

from server.api import api
from server.api.docs import documented
from server.api.wire import load_json, read_json, respond
from server.errors import ApiError
from server.extensions import db
from server.schemas.visits import (MEDIA_TYPES, DiscardedReceiptSchema, DiscardedVisitsSchema, ReceiptSchema,
                                   UploadStatusSchema, VisitPayloadSchema)
from server.security import require_permission
from server.services import photo_upload
from server.services.photo_ingest import ingest_photo
from server.services.refusal import Refused
from server.services.sync import find_own_visit, ingest_visit, log_discarded_visits, receipt_for

# Built once: building a schema deep-copies its fields, which costs more than using it.
RECEIPT = ReceiptSchema()
UPLOAD_STATUS = UploadStatusSchema()


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


@api.get("/visits/<uuid:visit_id>/photos/<uuid:photo_id>/upload")
@require_permission("phone.use")
@documented("How many bytes of a photo the server holds: the offset to continue its upload from",
            responses={200: UploadStatusSchema}, tags=["sync"])
def get_photo_upload(visit_id, photo_id):
    return respond(UPLOAD_STATUS, photo_upload.upload_status(current_user, visit_id, photo_id))


@api.put("/visits/<uuid:visit_id>/photos/<uuid:photo_id>/upload")
@require_permission("phone.use")
@documented("Send a photo's bytes from Upload-Offset; the server keeps what arrives, even of a cut body",
            body_content_type=MEDIA_TYPES, responses={200: UploadStatusSchema, 201: UploadStatusSchema,
                                                      202: UploadStatusSchema}, tags=["sync"])
def put_photo_upload(visit_id, photo_id):
    """201: the photo is stored now; 202: bytes kept, more to come; 200: nothing new (every byte
    sent was held already, or the photo is stored). The body is read in parts of PART_BYTES, each
    kept in its own transaction once it has arrived, so a body cut by a drop keeps what came."""
    config = current_app.config
    offset = _upload_offset()
    length = request.content_length
    if length is None:   # no body at all is 0 bytes; a body of unannounced length is refused
        if request.headers.get("Transfer-Encoding"):
            raise ApiError("length_required")
        length = 0
    user = current_user._get_current_object()
    status = photo_upload.check_upload(user, visit_id, photo_id, request.mimetype,
                                       request.headers.get("X-Content-SHA256"), offset, length,
                                       config["MAX_CONTENT_LENGTH"])
    db.session.commit()   # no transaction (nor SQLite's write lock) held while the body arrives
    if status.stored:
        return respond(UPLOAD_STATUS, status, 200)
    received, added = status.received, False   # bytes held; whether this request added any
    position, pending, end = offset, bytearray(), offset + length
    stream = request.stream
    while position + len(pending) < end:
        try:
            data = stream.read(min(photo_upload.PART_BYTES - len(pending), end - position - len(pending)))
        except (ClientDisconnected, OSError):
            data = b""
        if not data:   # the link dropped mid-body: keep what came, the phone asks where to go on
            if pending:
                _keep(user, visit_id, photo_id, position, pending)
            raise ApiError("upload_interrupted")
        pending += data
        if len(pending) >= photo_upload.PART_BYTES:
            received, kept = _keep(user, visit_id, photo_id, position, pending)
            added = added or kept > 0
            position, pending = position + len(pending), bytearray()
    if pending:
        received, kept = _keep(user, visit_id, photo_id, position, pending)
        added = added or kept > 0
    if received < status.size:
        status.received = received
        return respond(UPLOAD_STATUS, status, 202 if added else 200)
    return _finish(user, visit_id, photo_id)


def _upload_offset():
    raw = request.headers.get("Upload-Offset", "")
    if not raw.isascii() or not raw.isdigit() or len(raw) > 12:
        raise ApiError("validation_failed", details={"Upload-Offset": ["A whole number of bytes, 0 or more."]})
    return int(raw)


def _keep(user, visit_id, photo_id, offset, data):
    allowance = current_app.config["PHOTO_UPLOAD_ALLOWANCE_BYTES"]
    return _committed(lambda: photo_upload.keep_part(user, visit_id, photo_id, offset, data, allowance))


def _finish(user, visit_id, photo_id):
    """The last byte is here: the photo goes through the same checks as a whole-photo PUT. A
    refusal forgets the parts (nothing of the photo is kept) and answers as that PUT would."""
    config = current_app.config
    try:
        receipt, stored = _committed(lambda: photo_upload.finish_upload(
            user, visit_id, photo_id, request.mimetype, request.headers.get("X-Content-SHA256"),
            max_pixels=config["PHOTO_MAX_PIXELS"], long_edge=config["PHOTO_LONG_EDGE"]))
    except Refused:
        db.session.rollback()
        photo_upload.discard_upload(user, visit_id, photo_id)
        db.session.commit()
        raise
    status = photo_upload.upload_status(user, visit_id, photo_id)
    status.receipt = receipt
    return respond(UPLOAD_STATUS, status, 201 if stored else 200)


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
