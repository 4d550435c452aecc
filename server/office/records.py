"""The placement record and the provider record, and the changes made from them: marking a
follow-up action done, recording a material change at a provider (which asks for a review of
its risk assessment), recording a pre-placement check the school did on paper, with its
scan, as the provider's risk assessment, and the headteacher approving the mitigations for a
check whose findings gate the start (§7.8); on a placement, progress information sent to parents
(§4.3) and a notice of withdrawal from flexi-schooling (§10.6). Every read of a record is in the
audit log."""
from flask import render_template, request, url_for
from flask_login import current_user

from server.dates import long_date, school_today
from server.extensions import db
from server.models import FollowUpAction, Placement, Provider
from server.models.base import utcnow
from server.office import office
from server.office import evidence
from server.office.access import may, office_page
from server.office.audited_pages import render_then_commit
from server.office.form_input import submit
from server.schemas.admin_placements import FlexiNoticeSchema, ParentProgressSchema
from server.schemas.admin_providers import ExistingCheckSchema
from server.schemas.office_forms import ActionDoneSchema, MaterialChangeSchema, MitigationsSchema
from server.security import in_school_or_404
from server.services import actions as action_service
from server.services import audit, flexi, parent_progress, risk_assessments, start_gates
from server.services import placement_record as placement_records
from server.services import provider_record as provider_records
from server.services import concerns as concern_service
from server.vocabulary import RISK_RATINGS, labels


@office.get("/placements/<uuid:placement_id>/record")
@office_page("placement.read_record")
def placement_record(placement_id):
    return _render_placement(_placement_or_404(placement_id))


@office.post("/placements/<uuid:placement_id>/parent-progress")
@office_page("placement.record_parent_progress")
def placement_parent_progress(placement_id):
    return _on_placement(placement_id, ParentProgressSchema(), "progress",
                         lambda placement, data: parent_progress.record(placement, data, current_user, utcnow(),
                                                                        school_today())[1],
                         lambda _, created: "Progress information to parents recorded." if created
                                            else "That was recorded already.")


@office.post("/placements/<uuid:placement_id>/flexi-notice")
@office_page("placement.record_flexi_notice")
def placement_flexi_notice(placement_id):
    return _on_placement(placement_id, FlexiNoticeSchema(), "notice",
                         lambda placement, data: flexi.record_notice(placement, data, current_user, school_today()),
                         lambda placement, changes: f"Notice recorded: the agreement ends on "
                                                    f"{long_date(placement.planned_end_date)}."
                                                    if changes else "That notice was recorded already.")


def _on_placement(placement_id, schema, form, save, message):
    """A form on the placement record: `save(placement, data)` asks the service; then the record
    with `message(placement, saved)`, or the record again with the messages, its form `form` open."""
    placement = _placement_or_404(placement_id)

    def refuse(refusal):
        return _render_placement(_placement_or_404(placement_id), errors=refusal.errors, status=refusal.status,
                                 failed=form)

    return submit(schema, lambda data: save(placement, data), refuse,
                  url_for("office.placement_record", placement_id=placement.uuid),
                  lambda saved: message(placement, saved))


@office.get("/providers/<uuid:provider_id>/record")
@office_page("placement.read_record")
def provider_record(provider_id):
    return _render_provider(_provider_or_404(provider_id))


@office.post("/providers/<uuid:provider_id>/material-change")
@office_page("visit.review")
def provider_material_change(provider_id):
    return _on_provider(provider_id, MaterialChangeSchema(),
                        lambda provider, data: risk_assessments.request_review(provider, current_user, data["reason"],
                                                                               utcnow()),
                        "Material change recorded: the risk assessment is due for review.")


@office.post("/providers/<uuid:provider_id>/mitigations")
@office_page("placement.approve_mitigations")
def provider_mitigations(provider_id):
    return _on_provider(provider_id, MitigationsSchema(),
                        lambda provider, data: risk_assessments.approve_mitigations(provider, current_user,
                                                                                    data["mitigations"], utcnow()),
                        "Mitigations approved: the risk assessment now counts.")


@office.post("/providers/<uuid:provider_id>/existing-check")
@office_page("visit.review")
def provider_existing_check(provider_id):
    # A refused scan (document_refused, document_too_large) is shown beside the file box.
    return _on_provider(provider_id, ExistingCheckSchema(),
                        lambda provider, data: risk_assessments.from_existing_check(
                            provider, data, evidence.upload(), current_user, utcnow(), evidence.limits()),
                        "The existing check is recorded as the provider's risk assessment, with its scan.")


def _on_provider(provider_id, schema, save, message):
    """A form on the provider record: `save(provider, data)` asks the service; then the record
    with `message`, or the record again with the messages (and the refusal's code)."""
    provider = _provider_or_404(provider_id)
    return submit(schema, lambda data: save(provider, data),
                  lambda refusal: _render_provider(provider, errors=refusal.errors, status=refusal.status,
                                                   error_code=refusal.code),
                  url_for("office.provider_record", provider_id=provider.uuid), message)


@office.post("/actions/<uuid:action_id>/done")
@office_page("action.write")
def action_done(action_id):
    action = in_school_or_404(FollowUpAction, action_id, "action.write")
    on_placement = action.placement_id is not None
    record_url = (url_for("office.placement_record", placement_id=action.placement.uuid) if on_placement
                  else url_for("office.provider_record", provider_id=_provider_uuid(action)))

    def refuse(refusal):
        errors = {f"action-{action.uuid}": " ".join(refusal.errors.values())}
        if on_placement:
            return _render_placement(_placement_or_404(action.placement.uuid), errors=errors, status=422)
        return _render_provider(_provider_or_404(_provider_uuid(action)), errors=errors, status=422)

    return submit(ActionDoneSchema(),
                  lambda data: action_service.mark_done(action, current_user, data["note"], utcnow()), refuse,
                  record_url, "Action marked done.")


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
    page = render_then_commit(
        "office/placement_record.html", record=record, placement=placement, pupil=placement.pupil, today=today,
        errors=errors or {}, form=request.form if errors else {}, failed=failed,
        may_mark_done=may("action.write"),
        may_record_progress=may("placement.record_parent_progress"),
        may_record_notice=may("placement.record_flexi_notice"),
        progress_methods=labels("progress_methods"), notice_givers=labels("notice_givers"),
        earliest_end=flexi.earliest_end,
        may_review=may("visit.read_review"), may_read_concerns=may_read_concerns, ra_status=risk_assessments.status)
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
        may_review=may("visit.read_review"), rating_codes=RISK_RATINGS, ra_status=risk_assessments.status), status
