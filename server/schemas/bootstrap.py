"""What a phone downloads to work offline: the bootstrap/pull response."""
from marshmallow import fields

from server.schemas.base import StrictSchema


class KeyContactSchema(StrictSchema):
    role = fields.String(dump_only=True)
    name = fields.String(dump_only=True)
    phone = fields.String(dump_only=True)
    email = fields.String(dump_only=True, allow_none=True)


class TermPeriodSchema(StrictSchema):
    academic_year = fields.Integer(dump_only=True)
    term = fields.String(dump_only=True)
    half = fields.Integer(dump_only=True)
    starts_on = fields.Date(dump_only=True)
    ends_on = fields.Date(dump_only=True)


class SchoolSchema(StrictSchema):
    id = fields.UUID(attribute="uuid", dump_only=True)
    name = fields.String(dump_only=True)
    key_contacts = fields.List(fields.Nested(KeyContactSchema), dump_only=True)
    term_periods = fields.List(fields.Nested(TermPeriodSchema), dump_only=True)


class PupilSchema(StrictSchema):
    id = fields.UUID(attribute="uuid", dump_only=True)
    school_id = fields.UUID(attribute="school_uuid", dump_only=True)
    first_name = fields.String(dump_only=True)
    last_name = fields.String(dump_only=True)
    date_of_birth = fields.Date(dump_only=True)
    year_group = fields.Integer(dump_only=True)
    ehcp = fields.Boolean(dump_only=True)
    looked_after = fields.Boolean(dump_only=True)
    has_social_worker = fields.Boolean(dump_only=True)
    send_support = fields.Boolean(dump_only=True)
    fsm_eligible = fields.Boolean(dump_only=True)
    social_worker_name = fields.String(dump_only=True, allow_none=True)
    social_worker_phone = fields.String(dump_only=True, allow_none=True)
    parent_contact_name = fields.String(dump_only=True, allow_none=True)
    parent_contact_phone = fields.String(dump_only=True, allow_none=True)


class ProviderSchema(StrictSchema):
    id = fields.UUID(attribute="uuid", dump_only=True)
    school_id = fields.UUID(attribute="school_uuid", dump_only=True)
    name = fields.String(dump_only=True)
    registration_status = fields.String(dump_only=True)
    urn = fields.String(dump_only=True, allow_none=True)
    on_la_approved_list = fields.Boolean(dump_only=True)
    website = fields.String(dump_only=True, allow_none=True)
    address = fields.String(dump_only=True, allow_none=True)
    contact_name = fields.String(dump_only=True, allow_none=True)
    contact_phone = fields.String(dump_only=True, allow_none=True)


class DueItemSchema(StrictSchema):
    kind = fields.String(dump_only=True)
    label = fields.String(dump_only=True)
    due_on = fields.Date(dump_only=True, metadata={"description": "The last day it can be done in time."})
    overdue = fields.Boolean(dump_only=True, metadata={"description": "Today in England is later than due_on."})


class PlacementSchema(StrictSchema):
    id = fields.UUID(attribute="uuid", dump_only=True)
    school_id = fields.UUID(attribute="school_uuid", dump_only=True)
    pupil_id = fields.UUID(attribute="pupil.uuid", dump_only=True)
    provider_id = fields.UUID(attribute="provider.uuid", dump_only=True, allow_none=True)
    kind = fields.String(dump_only=True)
    status = fields.String(dump_only=True)
    start_date = fields.Date(dump_only=True)
    planned_end_date = fields.Date(dump_only=True, allow_none=True)
    sessions = fields.List(fields.String(), dump_only=True)
    aims = fields.String(dump_only=True, allow_none=True)
    planned_outcomes = fields.String(dump_only=True, allow_none=True)
    pastoral_arrangements = fields.String(dump_only=True, allow_none=True)
    safeguarding_arrangements = fields.String(dump_only=True, allow_none=True)
    attendance_arrangements = fields.String(dump_only=True, allow_none=True)
    review_arrangements = fields.String(dump_only=True, allow_none=True)
    qa_visit_every_weeks = fields.Integer(dump_only=True, allow_none=True)
    due = fields.List(fields.Nested(DueItemSchema), dump_only=True, metadata={
        "description": "What is owed on this placement, overdue first, then by date."})


class MyVisitSchema(StrictSchema):
    id = fields.UUID(attribute="uuid", dump_only=True)
    kind = fields.String(dump_only=True)
    visit_date = fields.Date(dump_only=True)
    current_version = fields.Integer(dump_only=True)
    complete = fields.Boolean(dump_only=True)
    review_status = fields.String(dump_only=True)
    review_comment = fields.String(dump_only=True, allow_none=True)
    reviewed_at = fields.DateTime(dump_only=True, allow_none=True)


class BootstrapSchema(StrictSchema):
    cursor = fields.Integer(dump_only=True, metadata={
        "description": "Send back as ?since= to learn whether anything changed."})
    due_as_of = fields.Date(dump_only=True, metadata={
        "description": "The day in England the due items were worked out for; send back as ?due_as_of=."})
    unchanged = fields.Boolean(dump_only=True)
    generated_at = fields.DateTime(dump_only=True)
    schools = fields.List(fields.Nested(SchoolSchema), dump_only=True)
    placements = fields.List(fields.Nested(PlacementSchema), dump_only=True)
    pupils = fields.List(fields.Nested(PupilSchema), dump_only=True)
    providers = fields.List(fields.Nested(ProviderSchema), dump_only=True)
    forms = fields.List(fields.Dict(), dump_only=True, metadata={
        "description": "Every form definition the server accepts (shared_schemas/forms)."})
    my_visits = fields.List(fields.Nested(MyVisitSchema), dump_only=True)


class BootstrapQuerySchema(StrictSchema):
    since = fields.Integer(load_default=None, metadata={"description": "A cursor from an earlier pull."})
    due_as_of = fields.Date(load_default=None, metadata={
        "description": "That pull's `due_as_of`. \"Unchanged\" needs both: overnight, deadlines pass "
                       "with no row changing, so a new day always brings a whole snapshot."})
