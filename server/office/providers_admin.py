"""Providers: the list (paged, filtered by registration status, sorted) with what needs attention
(registration, risk assessment, expiring evidence), and the form to add or edit one with its reports and evidence. When editing, each
evidence row may take a scanned document (PDF, JPEG, PNG), kept once the rest of the form is right."""
from datetime import date

from flask import g, render_template, request, url_for
from flask_login import current_user

from server.dates import school_today
from server.errors import message_of
from server.models import Provider
from server.models.base import utcnow
from server.office import evidence as evidence_upload
from server.office import office
from server.office.access import office_page
from server.office.form_input import can_manage, form_payload, load_form, refuse_unless_manager, saved, submit
from server.office.paging import choice, page_number, paginate, sorted_by
from server.schemas.admin_providers import REPORT_SOURCE_LABELS, ProviderRecordSchema
from server.security import in_school_or_404
from server.services import evidence_files
from server.services import providers as provider_service
from server.services.placement_rules import open_placements_by_provider, registration_warning
from server.services.refusal import Refused
from server.vocabulary import EVIDENCE_KINDS, REGISTRATION_STATUSES, labels

BLANK_REPORT_ROWS = 1
BLANK_EVIDENCE_ROWS = 2
SORTS = {"name": ("Name", [Provider.name, Provider.id]),
         "status": ("Registration", [Provider.registration_status, Provider.name, Provider.id])}


@office.get("/providers")
@office_page("pupil.read")
def providers():
    today = school_today()
    status = choice("status", REGISTRATION_STATUSES)
    sort, order = sorted_by(SORTS, "name")
    page = paginate(provider_service.providers_query(g.school, status), order, page_number(),
                    {"status": status, "sort": sort})
    open_placements = open_placements_by_provider(page.rows)
    rows = [{"provider": p, "warning": registration_warning(p, open_placements.get(p.id, [])),
             "risk": provider_service.latest_risk_assessment(p),
             "evidence": [(e, provider_service.evidence_state(e, today)) for e in p.evidence]}
            for p in page.rows]
    return render_template("office/admin/providers.html", rows=rows, page=page, status=status, sort=sort,
                           sorts=SORTS, today=today, can_manage=can_manage(),
                           status_labels=labels("registration_statuses"), evidence_labels=labels("evidence_kinds"))


@office.route("/providers/new", methods=["GET", "POST"])
@office_page("school.administer")
def provider_new():
    if request.method == "GET":
        return _render_form(None, {"registration_status": None, "full_time_pupils": 0, "reports": [], "evidence": []})
    return submit(ProviderRecordSchema(), lambda data: provider_service.create_provider(g.school, data, current_user),
                  _form_again(), lambda provider: url_for("office.provider_edit", provider_id=provider.uuid),
                  lambda provider: f"{provider.name} saved.", admin=True)


@office.route("/providers/<uuid:provider_id>/edit", methods=["GET", "POST"])
@office_page("pupil.read")
def provider_edit(provider_id):
    provider = in_school_or_404(Provider, provider_id, "pupil.read")
    if request.method == "GET":
        return _render_form(provider, ProviderRecordSchema().dump(provider))
    refuse_unless_manager()

    def save(_):
        load_form(ProviderRecordSchema())  # the form is right before any file is kept
        form = _with_uploads(provider, request.form)
        return provider_service.update_provider(provider, load_form(ProviderRecordSchema(), form), current_user)

    return submit(None, save, _form_again(provider_id), url_for("office.provider_edit", provider_id=provider.uuid),
                  saved, admin=True)


def _with_uploads(provider, form):
    """The posted form with each evidence row's newly uploaded scan kept and named in the row's
    `file` box, as if it had been attached before."""
    form = form.copy()
    for field in request.files:
        row = field.removeprefix("evidence-").removesuffix("-upload")
        if not (field.startswith("evidence-") and field.endswith("-upload") and row.isdigit()):
            continue
        data, filename = evidence_upload.upload(field)
        if filename is None:
            continue
        try:
            kept = evidence_files.store(provider, data, filename, current_user, utcnow(), evidence_upload.limits())
        except Refused as refused:
            raise Refused(refused.code, f"Evidence row {int(row) + 1}: {message_of(refused)}",
                          details=refused.details) from None
        form[f"evidence-{row}-file"] = str(kept.uuid)
    return form


def _expiry_state(expires_on, today):
    """"expired", "expires_soon" or "ok" for a row's expiry as the form holds it (text or a date)."""
    try:
        day = date.fromisoformat(str(expires_on)) if expires_on else None
    except ValueError:
        return "ok"
    return provider_service.expiry_state(day, today)


def _files(provider, rows):
    """The evidence file each row names, when it is this provider's (else None)."""
    if provider is None:
        return [None] * len(rows)
    return [evidence_files.provider_file(provider, row["file"]) if row.get("file") else None for row in rows]


def _form_again(provider_id=None):
    """The form again with what was posted and the messages (the provider read afresh after the
    rollback; none for a new one). Only an existing provider takes scans: a refused one
    (document_refused, document_too_large) names its row, by its code."""
    def refuse(refusal):
        again = in_school_or_404(Provider, provider_id, "pupil.read") if provider_id else None
        posted = form_payload(ProviderRecordSchema(), request.form)
        return _render_form(again, posted, refusal.errors, refusal.code if again else None), refusal.status
    return refuse


def _render_form(provider, values, errors=None, error_code=None):
    today = school_today()
    reports = list(values.get("reports") or []) + [{}] * BLANK_REPORT_ROWS
    evidence = list(values.get("evidence") or []) + [{}] * BLANK_EVIDENCE_ROWS
    return render_template(
        "office/admin/provider_form.html", provider=provider, values=values, errors=errors or {},
        error_code=error_code, files=_files(provider, evidence),
        can_manage=can_manage(), reports=reports, evidence=evidence, today=today,
        evidence_states=[_expiry_state(row.get("expires_on"), today) for row in evidence],
        warning=registration_warning(provider) if provider else None,
        risk=provider_service.latest_risk_assessment(provider) if provider else None,
        status_options=[(code, labels("registration_statuses")[code]) for code in REGISTRATION_STATUSES],
        source_options=list(REPORT_SOURCE_LABELS.items()),
        evidence_options=[(code, labels("evidence_kinds")[code]) for code in EVIDENCE_KINDS])
