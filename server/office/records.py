"""The placement record and the provider record, and the changes made from them: marking a
follow-up action done, recording a material change at a provider (which asks for a review of
its risk assessment), recording a pre-placement check the school did on paper, with its
scan, as the provider's risk assessment, and the headteacher approving the mitigations for a
check whose findings gate the start (§7.8); on a placement, progress information sent to parents
(§4.3) and a notice of withdrawal from flexi-schooling (§10.6). Every read of a record is in the
audit log."""
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from marshmallow import ValidationError

from server.dates import long_date, school_today
from server.errors import ApiError
from server.extensions import db
from server.models import FollowUpAction, Placement, Provider
from server.models.base import utcnow
from server.office import office
from server.office import evidence
from server.office.access import may, office_page
from server.office.form_input import form_errors, read_form
from server.schemas.admin_placements import FlexiNoticeSchema, ParentProgressSchema
from server.schemas.admin_providers import ExistingCheckSchema
from server.schemas.base import StrictSchema, optional_text
from server.security import in_school_or_404
from server.services import actions as action_service
from server.services import audit, flexi, parent_progress, risk_assessments, start_gates
from server.services import placement_record as placement_records
from server.services import provider_record as provider_records
from server.services import concerns as concern_service
from server.services.refusal import Refused
from server.vocabulary import labels


class ActionDoneSchema(StrictSchema):
    note = optional_text(action_service.NOTE_MAX_LENGTH)


class MaterialChangeSchema(StrictSchema):
    reason = optional_text(risk_assessments.REASON_MAX_LENGTH)


class MitigationsSchema(StrictSchema):
    mitigations = optional_text(start_gates.MITIGATIONS_MAX_LENGTH)


@office.get("/placements/<uuid:placement_id>/record")
@office_page("placement.read_record")
def placement_record(placement_id):
    return _render_placement(_placement_or_404(placement_id))


@office.post("/placements/<uuid:placement_id>/parent-progress")
@office_page("placement.record_parent_progress")
def placement_parent_progress(placement_id):
    placement = _placement_or_404(placement_id)
    try:
        data = read_form(ParentProgressSchema())
        _, created = parent_progress.record(placement, data, current_user, utcnow(), school_today())
    except (ValidationError, Refused) as error:
        db.session.rollback()
        return _render_placement(_placement_or_404(placement_id), errors=form_errors(error), status=422,
                                 failed="progress")
    db.session.commit()
    flash("Progress information to parents recorded." if created else "That was recorded already.")
    return redirect(url_for("office.placement_record", placement_id=placement.uuid))


@office.post("/placements/<uuid:placement_id>/flexi-notice")
@office_page("placement.record_flexi_notice")
def placement_flexi_notice(placement_id):
    placement = _placement_or_404(placement_id)
    try:
        data = read_form(FlexiNoticeSchema())
        changes = flexi.record_notice(placement, data, current_user, school_today())
    except (ValidationError, Refused) as error:
        db.session.rollback()
        return _render_placement(_placement_or_404(placement_id), errors=form_errors(error), status=422,
                                 failed="notice")
    db.session.commit()
    flash(f"Notice recorded: the agreement ends on {long_date(placement.planned_end_date)}." if changes
          else "That notice was recorded already.")
    return redirect(url_for("office.placement_record", placement_id=placement.uuid))


@office.get("/providers/<uuid:provider_id>/record")
@office_page("placement.read_record")
def provider_record(provider_id):
    return _render_provider(_provider_or_404(provider_id))


@office.post("/providers/<uuid:provider_id>/material-change")
@office_page("visit.review")
def provider_material_change(provider_id):
    provider = _provider_or_404(provider_id)
    try:
        data = read_form(MaterialChangeSchema())
        risk_assessments.request_review(provider, current_user, data["reason"], utcnow())
    except (ValidationError, Refused) as error:
        db.session.rollback()
        return _render_provider(provider, errors=form_errors(error), status=422)
    db.session.commit()
    flash("Material change recorded: the risk assessment is due for review.")
    return redirect(url_for("office.provider_record", provider_id=provider.uuid))


@office.post("/providers/<uuid:provider_id>/mitigations")
@office_page("placement.approve_mitigations")
def provider_mitigations(provider_id):
    provider = _provider_or_404(provider_id)
    try:
        data = read_form(MitigationsSchema())
        risk_assessments.approve_mitigations(provider, current_user, data["mitigations"], utcnow())
    except (ValidationError, Refused) as error:
        db.session.rollback()
        return _render_provider(provider, errors=form_errors(error), status=422)
    db.session.commit()
    flash("Mitigations approved: the risk assessment now counts.")
    return redirect(url_for("office.provider_record", provider_id=provider.uuid))


@office.post("/providers/<uuid:provider_id>/existing-check")
@office_page("visit.review")
def provider_existing_check(provider_id):
    provider = _provider_or_404(provider_id)
    try:
        data = read_form(ExistingCheckSchema())
        risk_assessments.from_existing_check(provider, data, evidence.upload(), current_user, utcnow(),
                                             evidence.limits())
    except (ValidationError, Refused) as error:
        db.session.rollback()
        return _render_provider(provider, errors=form_errors(error), status=422)
    except ApiError as error:  # the scan was refused: document_refused, document_too_large
        db.session.rollback()
        return _render_provider(provider, errors={"file": error.message}, status=error.status, error_code=error.code)
    db.session.commit()
    flash("The existing check is recorded as the provider's risk assessment, with its scan.")
    return redirect(url_for("office.provider_record", provider_id=provider.uuid))


@office.post("/actions/<uuid:action_id>/done")
@office_page("action.write")
def action_done(action_id):
    action = in_school_or_404(FollowUpAction, action_id, "action.write")
    try:
        data = read_form(ActionDoneSchema())
        action_service.mark_done(action, current_user, data["note"], utcnow())
    except (ValidationError, Refused) as error:
        db.session.rollback()
        errors = {f"action-{action.uuid}": " ".join(form_errors(error).values())}
        if action.placement_id is not None:
            return _render_placement(_placement_or_404(action.placement.uuid), errors=errors, status=422)
        return _render_provider(_provider_or_404(_provider_uuid(action)), errors=errors, status=422)
    db.session.commit()
    flash("Action marked done.")
    if action.placement_id is not None:
        return redirect(url_for("office.placement_record", placement_id=action.placement.uuid))
    return redirect(url_for("office.provider_record", provider_id=_provider_uuid(action)))


def _placement_or_404(placement_id):
    return in_school_or_404(Placement, placement_id, "placement.read_record", *placement_records.PLACEMENT_LOAD)


def _provider_or_404(provider_id):
    return in_school_or_404(Provider, provider_id, "placement.read_record", *provider_records.PROVIDER_LOAD)


def _provider_uuid(action):
    return db.session.get(Provider, action.provider_id).uuid


def _render_placement(placement, errors=None, status=200, failed=None):
    today = school_today()
    may_read_concerns = may("concern.read")
    record = placement_records.build(placement, today, with_concerns=may_read_concerns)
    audit.record("placement.record_read", placement, concerns=len(record.concerns))
    concern_service.record_read(record.concerns, current_user, "placement_record")
    page = render_template(
        "office/placement_record.html", record=record, placement=placement, pupil=placement.pupil, today=today,
        errors=errors or {}, form=request.form if errors else {}, failed=failed,
        may_mark_done=may("action.write"),
        may_record_progress=may("placement.record_parent_progress"),
        may_record_notice=may("placement.record_flexi_notice"),
        progress_methods=labels("progress_methods"), notice_givers=labels("notice_givers"),
        earliest_end=flexi.earliest_end,
        may_review=may("visit.read_review"), may_read_concerns=may_read_concerns,
        kinds=labels("placement_kinds"), visit_kinds=labels("visit_kinds"), statuses=labels("placement_statuses"),
        review_statuses=labels("review_statuses"), sessions=labels("sessions"), ratings=labels("risk_ratings"),
        ra_status=risk_assessments.status)
    db.session.commit()  # the audit entries of this read, after rendering: a commit expires every loaded row
    return page, status


def _render_provider(provider, errors=None, status=200, error_code=None):
    today = school_today()
    record = provider_records.build(provider, today)
    return render_template(
        "office/provider_record.html", record=record, provider=provider, today=today, errors=errors or {},
        error_code=error_code, form=request.form, may_record_change=may("visit.review"),
        may_approve_mitigations=may("placement.approve_mitigations"),
        awaiting_mitigation=start_gates.awaiting_mitigation,
        may_mark_done=may("action.write"),
        may_review=may("visit.read_review"),
        registrations=labels("registration_statuses"), evidence_kinds=labels("evidence_kinds"),
        kinds=labels("placement_kinds"), statuses=labels("placement_statuses"),
        review_statuses=labels("review_statuses"), ratings=labels("risk_ratings"),
        ra_status=risk_assessments.status), status
