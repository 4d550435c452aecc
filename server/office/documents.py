"""Pupil-level documents: a placement's record as a PDF or a printable page, and one visit as a
PDF. Only the people who read placement records get them (never governors); another school's
placement or visit answers 404. Each one produced is in the audit log, and so is every
safeguarding concern it shows, which only the roles that may read concerns see.

A PDF is an ordinary download link: the browser fetches it beside the open page, which stays
usable, and shows the file when it is ready.
"""
from flask import Response, abort, render_template, url_for
from flask_login import current_user

from server.dates import england_day
from server.extensions import db
from server.models import Placement, Visit
from server.models.base import utcnow
from server.office import office
from server.office.access import may, office_page
from server.office.nav import url_if_allowed
from server.security import in_school_or_404
from server.services import audit, review
from server.services import concerns as concern_service
from server.services import placement_record as placement_records
from server.services.documents import pdf_layout
from server.services.documents import visit_pdf as visit_documents
from server.services.documents.record_pdf import record_document


@office.get("/placements/<uuid:placement_id>/record.pdf")
@office_page("document.pupil")
def placement_record_pdf(placement_id):
    placement, record, document = _record_document(placement_id)
    data = pdf_layout.render(document)
    _audit_record("placement_record.pdf", "placement_record_pdf", placement, record)
    return pdf_response(data, document.filename)


@office.get("/placements/<uuid:placement_id>/record/print")
@office_page("document.pupil")
def placement_record_print(placement_id):
    placement, record, document = _record_document(placement_id)
    links = [(url_for("office.placement_record_pdf", placement_id=placement_id), "Download the PDF")]
    record_url = url_if_allowed("office.placement_record", placement_id=placement_id)
    if record_url:
        links.insert(0, (record_url, "‹ Back to the placement record"))
    page = render_template("office/documents_document.html", document=document, links=links)
    _audit_record("placement_record.print", "placement_record_print", placement, record)
    return page


@office.get("/visits/<uuid:visit_id>/visit.pdf")
@office_page("document.pupil")
def visit_pdf(visit_id):
    visit = in_school_or_404(Visit, visit_id, "document.pupil", *review.VISIT_LOAD)
    may_read_concerns = may("concern.read")
    data, concerns = visit_documents.visit_pdf(visit, may_read_concerns, current_user, utcnow())
    if data is None:
        abort(404)
    filename = f"visit-{visit.visit_date.isoformat()}.pdf"
    audit.record("visit.pdf", visit, concerns=len(concerns))
    concern_service.record_read(concerns, current_user, "visit_pdf")
    db.session.commit()
    return pdf_response(data, filename)


def _record_document(placement_id):
    """(placement, its PlacementRecord, the record as a Document), concerns only for their readers."""
    placement = in_school_or_404(Placement, placement_id, "document.pupil", *placement_records.PLACEMENT_LOAD)
    now = utcnow()
    record = placement_records.build(placement, england_day(now),
                                     with_concerns=may("concern.read"))
    return placement, record, record_document(record, current_user, now)


def _audit_record(action, page, placement, record):
    """Log the record handed out and every concern in it, then commit. Called after the output
    is drawn: the commit expires every loaded row, and drawing afterwards would reload each one."""
    audit.record(action, placement, concerns=len(record.concerns), visits=len(record.visits))
    concern_service.record_read(record.concerns, current_user, page)
    db.session.commit()


def pdf_response(data, filename):
    """A PDF download (never stored by a cache: server/security_headers.py)."""
    return Response(data, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{filename}"',
        "X-Content-Type-Options": "nosniff",
    })
