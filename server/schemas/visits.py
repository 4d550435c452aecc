"""The sync protocol's payloads: a visit with its photo manifest, and the receipt."""
from marshmallow import ValidationError, fields, validate, validates_schema

from server.schemas.base import COLUMN_INT_MAX, StrictSchema, non_empty_text, optional_text, written_text
from server.schemas.phone_clock import DUE_DATE_HORIZON, PhoneDate, PhoneDateTime
from server.vocabulary import LIMITS, VISIT_KINDS, VISIT_MODES

MEDIA_TYPES = ("image/jpeg", "image/png", "image/webp")


class PhotoManifestEntrySchema(StrictSchema):
    uuid = fields.UUID(required=True)
    item_key = optional_text(80, keep_as_sent=True)
    caption = optional_text(500, keep_as_sent=True)
    sha256 = fields.String(required=True, validate=validate.Regexp(r"^[0-9a-f]{64}$", error="64 lowercase hex digits"))
    size = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=COLUMN_INT_MAX))
    type = fields.String(required=True, validate=validate.OneOf(MEDIA_TYPES))


class ActionEntrySchema(StrictSchema):
    uuid = fields.UUID(required=True)
    item_key = optional_text(80, keep_as_sent=True)
    description = written_text(LIMITS["action_description"], required=True)
    owner_name = written_text(LIMITS["action_owner_name"], required=True)
    due_on = PhoneDate(ahead=DUE_DATE_HORIZON, required=True)


class ConcernEntrySchema(StrictSchema):
    uuid = fields.UUID(required=True)
    text = written_text(LIMITS["concern_text"], required=True)
    immediate_action = optional_text(LIMITS["concern_immediate_action"], keep_as_sent=True)
    raised_at = PhoneDateTime(required=True)


class VisitPayloadSchema(StrictSchema):
    kind = fields.String(required=True, validate=validate.OneOf(VISIT_KINDS))
    placement_id = fields.UUID(load_default=None, allow_none=True)
    provider_id = fields.UUID(load_default=None, allow_none=True)
    form_id = non_empty_text(60, required=True)
    form_version = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=COLUMN_INT_MAX))
    mode = fields.String(required=True, validate=validate.OneOf(VISIT_MODES))
    visit_date = PhoneDate(required=True, metadata={
        "description": "The day of the visit; never after today in England (visit_date_in_future)."})
    started_at = PhoneDateTime(required=True)
    completed_at = PhoneDateTime(required=True)
    answers = fields.Dict(keys=fields.String(validate=validate.Length(max=80)), values=fields.Raw(allow_none=True),
                          required=True)
    photos = fields.List(fields.Nested(PhotoManifestEntrySchema), load_default=list,
                         validate=validate.Length(max=60))
    actions = fields.List(fields.Nested(ActionEntrySchema), load_default=list, validate=validate.Length(max=50))
    concern = fields.Nested(ConcernEntrySchema, load_default=None, allow_none=True)
    base_version = fields.Integer(load_default=None, allow_none=True, strict=True,
                                  validate=validate.Range(min=1, max=COLUMN_INT_MAX), metadata={
                                      "description": "The current version this correction starts from."})

    @validates_schema
    def _says_what_was_visited(self, data, **kwargs):
        if data["kind"] == "provider_check":
            if data.get("provider_id") is None:
                raise ValidationError("A provider check names the provider.", "provider_id")
        elif data.get("placement_id") is None:
            raise ValidationError("A visit names the placement visited.", "placement_id")
        if data["form_id"] != data["kind"]:
            raise ValidationError("The form does not match the kind of visit.", "form_id")
        uuids = [p["uuid"] for p in data.get("photos", [])]
        if len(uuids) != len(set(uuids)):
            raise ValidationError("Each photo appears once in the manifest.", "photos")
        action_uuids = [a["uuid"] for a in data.get("actions", [])]
        if len(action_uuids) != len(set(action_uuids)):
            raise ValidationError("Each action appears once.", "actions")


class ReceiptSchema(StrictSchema):
    visit_id = fields.UUID(dump_only=True)
    version = fields.Integer(dump_only=True)
    received_at = fields.DateTime(dump_only=True)
    complete = fields.Boolean(dump_only=True)
    missing_photos = fields.List(fields.UUID(), dump_only=True)
    review_status = fields.String(dump_only=True)
    review_comment = fields.String(dump_only=True, allow_none=True)


class UploadStatusSchema(StrictSchema):
    """What the server holds of one photo's upload (docs/sync-protocol.md §2)."""
    photo_id = fields.UUID(dump_only=True)
    received = fields.Integer(dump_only=True)
    size = fields.Integer(dump_only=True)
    stored = fields.Boolean(dump_only=True)
    receipt = fields.Nested(ReceiptSchema, dump_only=True, allow_none=True)


class DiscardedVisitsSchema(StrictSchema):
    visit_ids = fields.List(fields.UUID(), required=True, validate=validate.Length(min=1, max=200))
    confirmed_at = PhoneDateTime(required=True)


class DiscardedReceiptSchema(StrictSchema):
    recorded = fields.Integer(dump_only=True)
