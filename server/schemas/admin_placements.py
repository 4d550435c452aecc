"""Placements: the commissioning agreement (§7.11), the approvals each kind needs (§6, §9.5,
§10.4), who visits, and how a placement starts and ends (§8.7).

`PlacementInSchema` is what an AP leader sends (references are public UUIDs); `PlacementRecordSchema`
is what they get back, with what still stops a planned placement starting.
"""
from decimal import Decimal

from marshmallow import ValidationError, fields, post_load, validate, validates_schema

from server.dates import school_today
from server.extensions import db
from server.models import User
from server.models.placements import KINDS_WITHOUT_PROVIDER
from server.schemas.admin_fields import (AdminSchema, flag, not_in_future, one_of, optional_date, required_date,
                                         required_text, whole_number)
from server.schemas.base import optional_text
from server.services import before_start, flexi, parent_progress, partners, time_limits
from server.services.placement_rules import activation_blockers, start_warnings
from server.vocabulary import NOTICE_GIVERS, OPEN_PLACEMENT_STATUSES, PLACEMENT_KINDS, PROGRESS_METHODS, SESSIONS, labels

AGREEMENT_TEXT = ("aims", "planned_outcomes", "curriculum", "qualifications", "induction", "pastoral_arrangements",
                  "attendance_arrangements", "safeguarding_arrangements", "free_school_meals", "exam_arrangements",
                  "communication", "review_arrangements")
STATUS_CHANGES = ("active", "ended", "cancelled")


def _long_text():
    return optional_text(5000)


def _past_date(description):
    return optional_date(validate=not_in_future, metadata={"description": description})


def _text(max_length, description):
    """Optional text, described in the OpenAPI document."""
    return optional_text(max_length, metadata={"description": description})


def _name(description):
    return _text(before_start.NAME_MAX_LENGTH, description)


def _record_text(description):
    return _text(before_start.TEXT_MAX_LENGTH, description)


class _AgreementSchema(AdminSchema):
    """The fields an AP leader writes, shared by what goes in and what comes out."""

    kind = one_of(PLACEMENT_KINDS, labels("placement_kinds"), required=True)
    start_date = required_date()
    planned_end_date = optional_date()
    sessions = fields.List(fields.String(validate=validate.OneOf(SESSIONS, error="Not a session of the week.")),
                           load_default=list, metadata={"description": "e.g. [\"mon_am\", \"mon_pm\"]"})
    aims = _long_text()
    planned_outcomes = _long_text()
    curriculum = _long_text()
    qualifications = _long_text()
    induction = _long_text()
    pastoral_arrangements = _long_text()
    attendance_arrangements = _long_text()
    safeguarding_arrangements = _long_text()
    free_school_meals = _long_text()
    exam_arrangements = _long_text()
    communication = _long_text()
    cost_basis = _text(200, "per day, per session, per term...")
    review_arrangements = _long_text()
    qa_visit_every_weeks = whole_number(load_default=None, allow_none=True, validate=validate.Range(
        1, 52, error="Enter a number of weeks from 1 to 52."), error_messages={"invalid": "Enter a number of weeks."})
    la_informed_on = _past_date("When the local authority was told (§7.12).")
    governors_approved_on = _past_date("Off-site direction: the governing body's approval (§6).")
    parents_told_in_writing_on = _past_date("Off-site direction: parents told in writing (§6).")
    direction_review_on = optional_date(metadata={"description": "Off-site direction: when it is reviewed (§6)."})
    approved_on = _past_date("Part-time timetable: approved on (§9.5).")
    parent_agreed_on = _past_date("Part-time timetable: the parent agreed on (§9.5).")
    head_decision_in_writing_on = _past_date("Flexi-schooling: the headteacher's written decision (§10.4).")
    local_authority_consulted_name = _text(partners.NAME_MAX_LENGTH,
                                           "EHCP: who at the local authority was consulted (§7.5).")
    local_authority_consulted_on = _past_date("EHCP: when the local authority was consulted (§7.5).")
    virtual_school_consulted_name = _text(partners.NAME_MAX_LENGTH,
                                          "Looked after: the Virtual School Head consulted (§7.6).")
    virtual_school_consulted_on = _past_date("Looked after: when the Virtual School Head was consulted (§7.6).")
    social_worker_consulted_name = _text(partners.NAME_MAX_LENGTH, "Looked after or with a social worker: the "
                                                                   "social worker consulted (§7.6, §8.8).")
    social_worker_consulted_on = _past_date("When the social worker was consulted (§7.6, §8.8).")
    part_time_reason = _text(time_limits.REASON_MAX_LENGTH, "Part-time timetable: why the pupil needs it (§9.4).")
    flexi_request_received_on = _past_date("Flexi-schooling: the date of the parents' written request (§10.5).")
    flexi_home_educator = _text(flexi.TEXT_MAX_LENGTH,
                                "Flexi-schooling: who educates the child at home on home days (§10.5).")
    flexi_home_welfare = _text(flexi.TEXT_MAX_LENGTH,
                               "Flexi-schooling: who is responsible for the child's welfare on home days (§10.5).")
    # Before the start (services/before_start.py): who, when and what.
    needs_analysis_by = _name("Who made the pupil's needs analysis (§4.3).")
    needs_analysis_on = _past_date("When the needs analysis was made (§4.3).")
    needs_analysis = _record_text("What the needs analysis found (§4.3).")
    pupil_risk_assessed_by = _name("Who made the pupil's individual risk assessment (§4.3).")
    pupil_risk_assessed_on = _past_date("When the pupil risk assessment was made (§4.3).")
    pupil_risks = _record_text("The risks to and from the pupil in this placement (§4.3).")
    pupil_risk_mitigations = _record_text("How each risk is mitigated (§4.3).")
    pupil_risk_reviewed_on = _past_date("When the pupil risk assessment was last reviewed: at every formal review.")
    information_shared = _record_text("What was shared with the provider about the pupil (§7.10).")
    information_shared_on = _past_date("When it was shared (§7.10).")
    information_shared_by = _name("Who at school shared it (§7.10).")
    information_shared_with = _name("Who at the provider it was shared with (§7.10).")
    parents_consulted_name = _name("Which parent or carer was consulted on the choice of provider (§7.4).")
    parents_consulted_on = _past_date("When the parents were consulted (§7.4).")
    parents_view = _record_text("The parents' view of the choice of provider (§7.4).")


class PlacementInSchema(_AgreementSchema):
    pupil_id = fields.UUID(required=True, error_messages={"required": "Choose the pupil.", "null": "Choose the pupil."})
    provider_id = fields.UUID(load_default=None, allow_none=True,
                              error_messages={"invalid": "Choose a provider from the list."})
    cost = fields.Decimal(places=2, load_default=None, allow_none=True, as_string=True,
                          validate=validate.Range(Decimal(0), Decimal(1_000_000), error="Enter pounds from 0."),
                          error_messages={"invalid": "Enter the cost in pounds, like 95.00."},
                          # apispec writes a Decimal field's bounds as strings; OpenAPI wants numbers.
                          metadata={"description": "Pounds and pence, e.g. \"95.00\".", "minimum": 0,
                                    "maximum": 1_000_000})
    approved_by_id = fields.UUID(load_default=None, allow_none=True, metadata={
        "description": "Part-time timetable: the headteacher or AP leader who approved it (§9.5)."})
    staff = fields.List(fields.UUID(), load_default=list, metadata={
        "description": "The visiting staff assigned: their phones carry this placement."})
    affirm_not_a_sanction = flag(load_only=True, metadata={
        "description": "Part-time timetable: the approver, signed in as themselves, affirms it is not a "
                       "behaviour sanction (§9.4). Recorded with who and when; never withdrawn by leaving it out."})

    @validates_schema
    def consistent(self, data, **kwargs):
        errors = {}
        if data.get("kind") not in KINDS_WITHOUT_PROVIDER and not data.get("provider_id"):
            errors["provider_id"] = ["Choose the provider."]
        start = data.get("start_date")
        for name, message in (("planned_end_date", "The planned end is before the start."),
                              ("direction_review_on", "The review date is before the start.")):
            if start and data.get(name) and data[name] < start:
                errors[name] = [message]
        assessed, reviewed = data.get("pupil_risk_assessed_on"), data.get("pupil_risk_reviewed_on")
        if assessed and reviewed and reviewed < assessed:
            errors["pupil_risk_reviewed_on"] = ["The review is before the risk assessment was made."]
        if len(set(data.get("sessions", ()))) != len(data.get("sessions", ())):
            errors["sessions"] = ["Give each session once."]
        if errors:
            raise ValidationError(errors)

    @post_load
    def sessions_in_week_order(self, data, **kwargs):
        """Monday AM first, however the form or the caller listed them."""
        return dict(data, sessions=sorted(data["sessions"], key=SESSIONS.index))


class PlacementChangeSchema(PlacementInSchema):
    """Editing a placement: everything but the pupil, which never changes."""

    class Meta(PlacementInSchema.Meta):
        exclude = ("pupil_id",)


class PlacementStatusSchema(AdminSchema):
    status = one_of(STATUS_CHANGES, labels("placement_statuses"), required=True)
    end_date = optional_date()
    outcome = optional_text(5000)
    destination = optional_text(200)
    pupil_assessment = _text(5000, "The pupil's own assessment (§8.7).")

    @validates_schema
    def ending_says_how(self, data, **kwargs):
        if data.get("status") != "ended":
            return
        missing = {name: ["This is required to end a placement."]
                   for name in ("end_date", "outcome", "destination") if not data.get(name)}
        if missing:
            raise ValidationError(missing)
        if data["end_date"] > school_today():
            raise ValidationError("A placement ends on or before today.", "end_date")


class StaffRefSchema(AdminSchema):
    id = fields.UUID(attribute="user.uuid", dump_only=True)
    full_name = fields.String(attribute="user.full_name", dump_only=True)


class PlacementRecordSchema(_AgreementSchema):
    id = fields.UUID(attribute="uuid", dump_only=True)
    school_id = fields.UUID(attribute="school_uuid", dump_only=True)
    pupil_id = fields.UUID(attribute="pupil.uuid", dump_only=True)
    pupil_name = fields.String(attribute="pupil.full_name", dump_only=True)
    provider_id = fields.UUID(attribute="provider.uuid", dump_only=True, allow_none=True)
    provider_name = fields.String(attribute="provider.name", dump_only=True, allow_none=True)
    status = fields.String(dump_only=True)
    cost = fields.Method("_cost", dump_only=True)
    cost_pence = fields.Integer(dump_only=True, allow_none=True)
    approved_by_id = fields.Method("_approver", dump_only=True)
    staff = fields.List(fields.Nested(StaffRefSchema), dump_only=True)
    end_date = fields.Date(dump_only=True, allow_none=True)
    outcome = fields.String(dump_only=True, allow_none=True)
    destination = fields.String(dump_only=True, allow_none=True)
    pupil_assessment = fields.String(dump_only=True, allow_none=True)
    not_a_sanction_affirmed_by = fields.String(attribute="not_a_sanction_affirmed_by.full_name", dump_only=True,
                                               allow_none=True, metadata={
        "description": "Part-time timetable: who affirmed it is not a behaviour sanction (§9.4)."})
    not_a_sanction_affirmed_at = fields.DateTime(dump_only=True, allow_none=True)
    flexi_notice_by = fields.String(dump_only=True, allow_none=True, metadata={
        "description": "Flexi-schooling: who gave notice of withdrawal, parents or school (§10.6)."})
    flexi_notice_on = fields.Date(dump_only=True, allow_none=True)
    flexi_notice_earlier_end_agreed = fields.String(dump_only=True, allow_none=True)
    activation_blockers = fields.Method("_blockers", dump_only=True, metadata={
        "description": "While planned: what stops it starting, in words; empty when it may start."})
    warnings = fields.Method("_warnings", dump_only=True, metadata={
        "description": "While planned or active: what a start that is allowed still says, e.g. that the "
                       "provider is unregistered and passes the registration test (§7.2)."})

    def _cost(self, placement):
        return None if placement.cost_pence is None else f"{Decimal(placement.cost_pence) / 100:.2f}"

    def _approver(self, placement):
        user = db.session.get(User, placement.approved_by_id) if placement.approved_by_id else None
        return str(user.uuid) if user else None

    def _warnings(self, placement):
        return start_warnings(placement) if placement.status in OPEN_PLACEMENT_STATUSES else []

    def _blockers(self, placement):
        return activation_blockers(placement, school_today()) if placement.status == "planned" else []


class ParentProgressSchema(AdminSchema):
    """Progress information sent to parents (§4.3): when, how and by whom."""

    id = fields.UUID(attribute="uuid", dump_only=True)
    sent_on = required_date(validate=not_in_future)
    method = one_of(PROGRESS_METHODS, labels("progress_methods"), required=True)
    sent_by_name = required_text(parent_progress.NAME_MAX_LENGTH, metadata={"description": "Who sent it."})
    summary = _text(parent_progress.SUMMARY_MAX_LENGTH, "What it said, briefly.")


class FlexiNoticeSchema(AdminSchema):
    """Notice of withdrawal from a flexi-schooling agreement (§10.6). `ends_on` defaults to four
    weeks after the notice; earlier only with `earlier_end_agreed` saying who agreed what."""

    notice_by = one_of(NOTICE_GIVERS, labels("notice_givers"), required=True)
    notice_on = required_date(validate=not_in_future)
    ends_on = optional_date()
    earlier_end_agreed = optional_text(flexi.AGREED_MAX_LENGTH)
