"""Pupils: the list (paged, with a search, year and flag filters and a choice of order), and the
form to add or edit one with the flags that change who must be involved (§7.5, §7.6, §7.11).
Reading pupil records is audited."""
from flask import g, render_template, request, url_for
from flask_login import current_user

from server.extensions import db
from server.models import Pupil
from server.office import office
from server.office.access import office_page
from server.office.audited_pages import render_then_commit
from server.office.form_input import can_manage, form_payload, refuse_unless_manager, saved, submit
from server.office.paging import choice, page_number, paginate, sorted_by
from server.schemas.admin_pupils import PupilRecordSchema
from server.security import in_school_or_404
from server.services import audit
from server.services import pupil_import as pupil_service

SORTS = {"name": ("Name", [Pupil.last_name, Pupil.first_name, Pupil.id]),
         "year": ("Year group", [Pupil.year_group, Pupil.last_name, Pupil.first_name, Pupil.id]),
         "mis_id": ("MIS id", [Pupil.mis_id.is_(None), Pupil.mis_id, Pupil.id])}  # no id: last
FLAGS = [("ehcp", "EHCP", "The local authority is involved in placing and reviewing (§7.5, §8.8)."),
         ("looked_after", "Looked after", "Involve the Virtual School Headteacher and social worker (§7.6)."),
         ("has_social_worker", "Has a social worker", "Keep the social worker informed of the placement."),
         ("send_support", "SEN support", "Special educational needs support at school."),
         ("fsm_eligible", "Free school meals", "Eligible: the agreement must say how meals are provided (§7.11).")]


def year_options():
    return [(-1, "Nursery"), (0, "Reception")] + [(year, f"Year {year}") for year in range(1, 15)]


@office.get("/pupils")
@office_page("pupil.read")
def pupils():
    search = (request.args.get("q") or "").strip()[:100]
    years = dict(year_options())
    year = choice("year", {str(number) for number in years})
    flag = choice("flag", {name for name, _, _ in FLAGS})
    sort, order = sorted_by(SORTS, "name")
    page = paginate(pupil_service.pupils_query(g.school, search, int(year) if year else None, flag), order,
                    page_number(), {"q": search, "year": year, "flag": flag, "sort": sort})
    open_counts = pupil_service.open_placement_counts(g.school)
    audit.record("pupil.list_read", g.school, school_id=g.school.id, search=search or None)
    return render_then_commit("office/admin/pupils.html", page=page, pupils=page.rows, search=search, year=year,
                              flag=flag, sort=sort, sorts=SORTS, open_counts=open_counts, can_manage=can_manage(),
                              flags=FLAGS, years=years)


@office.route("/pupils/new", methods=["GET", "POST"])
@office_page("school.administer")
def pupil_new():
    if request.method == "GET":
        return _render_form(None, {})
    return submit(PupilRecordSchema(), lambda data: pupil_service.create_pupil(g.school, data, current_user),
                  _form_again(), lambda pupil: url_for("office.pupil_edit", pupil_id=pupil.uuid),
                  lambda pupil: f"{pupil.full_name} saved. Next: set up their placement.", admin=True)


@office.route("/pupils/<uuid:pupil_id>/edit", methods=["GET", "POST"])
@office_page("pupil.read")
def pupil_edit(pupil_id):
    pupil = in_school_or_404(Pupil, pupil_id, "pupil.read")
    if request.method == "GET":
        audit.record("pupil.read", pupil)
        db.session.commit()
        return _render_form(pupil, PupilRecordSchema().dump(pupil))
    refuse_unless_manager()
    return submit(PupilRecordSchema(), lambda data: pupil_service.update_pupil(pupil, data, current_user),
                  _form_again(pupil_id), url_for("office.pupil_edit", pupil_id=pupil.uuid), saved, admin=True)


def _form_again(pupil_id=None):
    """The form again with what was posted and the messages (the pupil read afresh after the
    rollback; none for a new one)."""
    def refuse(refusal):
        again = in_school_or_404(Pupil, pupil_id, "pupil.read") if pupil_id else None
        return _render_form(again, form_payload(PupilRecordSchema(), request.form), refusal.errors), refusal.status
    return refuse


def _render_form(pupil, values, errors=None):
    placements = sorted(pupil.placements, key=lambda p: p.start_date, reverse=True) if pupil else []
    return render_template("office/admin/pupil_form.html", pupil=pupil, values=values, errors=errors or {},
                           can_manage=can_manage(), flags=FLAGS, year_options=year_options(),
                           placements=placements)
