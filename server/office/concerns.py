"""The DSL's queue of open safeguarding concerns, oldest first (paged; the closed ones are a list
of their own), and one concern's page, where the DSL adds notes, records the outcome and, with a
reason, reopens a closed concern. The AP leader and trust leads read; only the DSL writes.
Every read is in the audit log."""
from flask import g, request, url_for
from flask_login import current_user

from server.dates import school_today
from server.models import SafeguardingConcern
from server.models.base import utcnow
from server.office import office
from server.office.access import may, office_page
from server.office.audited_pages import render_then_commit
from server.office.form_input import submit
from server.office.paging import choice, page_number, paginate
from server.schemas.office_forms import CloseSchema, NoteSchema, ReopenSchema
from server.security import in_school_or_404
from server.services import audit
from server.services import concerns as concern_service


@office.get("/concerns")
@office_page("concern.read")
def dsl_queue():
    show = choice("show", ("open", "closed"), "open")
    order = concern_service.CLOSED_ORDER if show == "closed" else concern_service.OPEN_ORDER
    page = paginate(concern_service.queue_query(g.school.id, closed=show == "closed"), order, page_number(),
                    {"show": show})
    closed = concern_service.recently_closed(g.school.id) if show == "open" else []
    # The queue names pupils with concerns: that is a read of safeguarding data too.
    audit.record("concern.queue_read", g.school, school_id=g.school.id, show=show, page=page.number,
                 listed=len(page.rows) + len(closed))
    return render_then_commit("office/concern_queue.html", page=page, show=show, concerns=page.rows, closed=closed,
                              now=utcnow())


@office.get("/concerns/<uuid:concern_id>")
@office_page("concern.read")
def concern(concern_id):
    return _render(_concern_or_404(concern_id))


@office.post("/concerns/<uuid:concern_id>/notes")
@office_page("concern.act")
def concern_add_note(concern_id):
    return _decide(concern_id, NoteSchema(), "note", "Added to the concern's record.",
                   lambda found, data: concern_service.add_note(found, current_user, data["kind"], data["text"],
                                                                utcnow()))


@office.post("/concerns/<uuid:concern_id>/close")
@office_page("concern.act")
def concern_close(concern_id):
    return _decide(concern_id, CloseSchema(), "close",
                   "Concern closed with its outcome recorded. It has left the queue.",
                   lambda found, data: concern_service.close(found, current_user, data["outcome"], utcnow()),
                   done=url_for("office.dsl_queue"))


@office.post("/concerns/<uuid:concern_id>/reopen")
@office_page("concern.act")
def concern_reopen(concern_id):
    return _decide(concern_id, ReopenSchema(), "reopen",
                   "Concern reopened with your reason. It is back in the queue.",
                   lambda found, data: concern_service.reopen(found, current_user, data["reason"], utcnow()))


def _decide(concern_id, schema, form, message, decide, done=None):
    """One of the DSL's forms on a concern's page ("note", "close" or "reopen"): `decide(concern,
    data)` asks the service; then the concern's page (or `done`), or the page again with the
    messages beside that form."""
    found = _concern_or_404(concern_id)
    return submit(schema, lambda data: decide(found, data), lambda refusal: _render(found, form, refusal.errors),
                  done or url_for("office.concern", concern_id=found.uuid), message)


def _concern_or_404(concern_id):
    return in_school_or_404(SafeguardingConcern, concern_id, "concern.read", *concern_service.CONCERN_LOAD)


def _render(found, failed=None, errors=None):
    """The concern's page; after a refusal, the `failed` form shows its `errors` (422)."""
    concern_service.record_read([found], current_user, "concern")
    people = concern_service.people_by_id([found.closed_by_id] + [n.author_id for n in found.notes])
    shown = {form: errors if form == failed else {} for form in ("note", "close", "reopen")}
    page = render_then_commit(
        "office/concern.html", concern=found, people=people, escalations=concern_service.escalations(found),
        note_kinds=concern_service.NOTE_KINDS, entry_kinds=concern_service.ENTRY_KINDS,
        reopen_errors=shown["reopen"], may_write=may("concern.act"), may_open_visit=may("visit.read_review"),
        note_errors=shown["note"], close_errors=shown["close"], form=request.form, today=school_today())
    return page, 422 if failed else 200
