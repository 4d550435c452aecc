"""The review queue (paged; awaiting or sent back, by kind and whether a concern was raised) and one
visit's review page: read what was recorded, then sign it off or send it back with a comment. AP
leaders and headteachers decide; trust leads read."""
from flask import abort, g, render_template, request, url_for
from flask_login import current_user

from server.dates import medium_date, school_today
from server.models import Visit
from server.models.base import utcnow
from server.office import office
from server.office.access import may, office_page
from server.office.audited_pages import render_then_commit
from server.office.form_input import submit
from server.office.paging import choice, page_number, paginate, sorted_by
from server.schemas.office_forms import SendBackSchema, SignOffSchema
from server.security import in_school_or_404
from server.services import concerns as concern_service
from server.services import review
from server.vocabulary import VISIT_KINDS, labels


# The queue's filters and orders; oldest received first by default, so nothing waits unseen.
CONCERN_FILTERS = {"yes": True, "no": False}
SORTS = {"received": ("Oldest received", [Visit.received_at, Visit.id]),
         "visit_date": ("Visit date", [Visit.visit_date, Visit.id]),
         "kind": ("Kind", [Visit.kind, Visit.received_at, Visit.id])}


@office.get("/review")
@office_page("visit.read_review")
def review_queue():
    state = choice("show", review.QUEUE_STATES, "awaiting_review")
    kind = choice("kind", VISIT_KINDS)
    concern = choice("concern", CONCERN_FILTERS)
    sort, order = sorted_by(SORTS, "received")
    page = paginate(review.queue_query(g.school.id, state, kind, CONCERN_FILTERS.get(concern)), order, page_number(),
                    {"show": state, "kind": kind, "concern": concern, "sort": sort})
    return render_template("office/review_queue.html", page=page, rows=review.queue_rows(page.rows), state=state,
                           kind=kind, concern=concern, sort=sort, sorts=SORTS,
                           counts=review.queue_counts(g.school.id), kinds=labels("visit_kinds"))


@office.get("/review/<uuid:visit_id>")
@office_page("visit.read_review")
def visit_review(visit_id):
    visit = _visit_or_404(visit_id)
    return _render_visit(visit, request.args.get("version", type=int))


@office.post("/review/<uuid:visit_id>/sign-off")
@office_page("visit.review")
def visit_sign_off(visit_id):
    visit = _visit_or_404(visit_id)
    return submit(SignOffSchema(),
                  lambda data: review.sign_off(visit, current_user, utcnow(), data["version"], data["comment"],
                                               data["accept_incomplete"]),
                  _refused(visit), url_for("office.review_queue"),
                  lambda assessment: "Signed off." + (
                      f" Risk assessment recorded: {assessment.rating} risk, valid until "
                      f"{medium_date(assessment.valid_until)}." if assessment else ""))


@office.post("/review/<uuid:visit_id>/send-back")
@office_page("visit.review")
def visit_send_back(visit_id):
    visit = _visit_or_404(visit_id)
    return submit(SendBackSchema(),
                  lambda data: review.send_back(visit, current_user, utcnow(), data["version"], data["comment"]),
                  _refused(visit), url_for("office.review_queue"),
                  "Sent back. The author sees your comment on their phone at the next sync.")


def _refused(visit):
    return lambda refusal: _render_visit(visit, None, errors=refusal.errors, status=422)


def _visit_or_404(visit_id):
    return in_school_or_404(Visit, visit_id, "visit.read_review", *review.VISIT_LOAD)


def _render_visit(visit, version_number, errors=None, status=200):
    shown = review.layout(visit, version_number)
    if shown is None:
        abort(404)
    may_read_concerns = may("concern.read")
    if may_read_concerns and shown.concerns:
        concern_service.record_read(shown.concerns, current_user, "visit_review")
    page = render_then_commit(
        "office/review_visit.html", visit=visit, shown=shown, errors=errors or {}, form=request.form,
        may_decide=may("visit.review"), may_read_concerns=may_read_concerns,
        subject=review.subject_of(visit), decisions=review.decisions(visit), today=school_today())
    return page, status
