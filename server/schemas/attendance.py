"""The attendance register form: one mark per placement and session."""
from marshmallow import fields, validate

from server.schemas.base import StrictSchema, calendar_date
from server.vocabulary import ATTENDANCE_CODES


class AttendanceMarkSchema(StrictSchema):
    placement_id = fields.UUID(required=True)
    session = fields.String(required=True, validate=validate.OneOf(("am", "pm")))
    code = fields.String(required=True, validate=validate.OneOf(ATTENDANCE_CODES))
    confirmed = fields.Boolean(required=True)


class AttendanceRegisterSchema(StrictSchema):
    on_date = calendar_date(required=True)
    marks = fields.List(fields.Nested(AttendanceMarkSchema), required=True, validate=validate.Length(max=2000))
