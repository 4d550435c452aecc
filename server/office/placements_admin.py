"""Placements: the list (paged; filtered by status, kind and provider; sorted), the commissioning
agreement form (new from a pupil, or edit), and starting, ending or cancelling one. The edit page says exactly what still stops a planned
placement starting. Reading a placement is audited."""
from uuid import UUID

from flask import flash, g, render_template, request, url_for
from flask_login import current_user

from server.dates import school_today
from server.extensions import db
from server.models import Placement, Pupil
from server.office import office
from server.office.access import office_page
from server.office.audited_pages import render_then_commit
from server.office.form_input import can_manage, form_payload, refuse_unless_manager, saved, submit
from server.office.paging import choice, page_number, paginate, sorted_by
from server.office.pupils_admin import FLAGS
from server.schemas.admin_placements import (AGREEMENT_TEXT, PlacementChangeSchema, PlacementInSchema,
                                             PlacementRecordSchema, PlacementStatusSchema)
from server.security import in_school_or_404
from server.services import audit
from server.services import placements as placement_service
from server.services import providers as provider_service
from server.services import pupil_import as pupil_service
from server.services.placement_rules import activation_blockers, registration_warning, start_warnings
from server.vocabulary import OPEN_PLACEMENT_STATUSES, PLACEMENT_KINDS, PLACEMENT_STATUSES, ROLES, label

KIND_HINTS = {
    "off_site_ap": "At a provider away from school.",
    "on_site_ap": "In the school's own unit, such as a learning centre.",
    "off_site_direction": ("Directed off site to improve behaviour: governors approve it, parents are told in "
                           "writing, and it is reviewed by a set date (§6)."),
    "part_time_timetable": ("Fewer hours in school for a short time: approved by the headteacher or AP leader and "
                            "agreed by the parent (§9)."),
    "flexi_schooling": "Part home-educated by agreement: the headteacher decides in writing (§10).",
}
AGREEMENT_LABELS = {
    "aims": ("Aims", "Why this placement: what it is for."),
    "planned_outcomes": ("Planned outcomes", "What success looks like, and by when."),
    "curriculum": ("Curriculum", None),
    "qualifications": ("Qualifications", "What the pupil works towards."),
    "induction": ("Induction", "How the pupil starts: visits, who meets them."),
    "pastoral_arrangements": ("Pastoral arrangements", None),
    "attendance_arrangements": ("Attendance", "How AM and PM attendance is confirmed to school every day."),
    "safeguarding_arrangements": ("Safeguarding", "Who the provider's DSL is and how concerns reach the school's DSL."),
    "free_school_meals": ("Free school meals", "How meals are provided if the pupil is eligible."),
    "exam_arrangements": ("Exams", "Entries and where exams are sat."),
    "communication": ("Communication", "How and how often the provider reports progress and concerns."),
    "review_arrangements": ("Reviews", "How often, and with whom (at least half-termly, §8.3)."),
}
OFF_SITE_KINDS = ("off_site_ap", "off_site_direction")
# The list's status filter: the open ones by default, everything, or one status.
STATUS_FILTERS = {"open": OPEN_PLACEMENT_STATUSES, "all": None,
                  **{status: (status,) for status in PLACEMENT_STATUSES}}
SORTS = {"pupil": ("Pupil", [Pupil.last_name, Pupil.first_name, Placement.start_date, Placement.id]),
         "start": ("Start date", [Placement.start_date.desc(), Placement.id.desc()]),
         "status": ("Status", [Placement.status, Pupil.last_name, Pupil.first_name, Placement.id])}
STATUS_CHANGED = {"active": "The placement has started.", "ended": "The placement has ended; its record is kept.",
                  "cancelled": "The placement is cancelled."}
DAYS = [("mon", "Mon"), ("tue", "Tue"), ("wed", "Wed"), ("thu", "Thu"), ("fri", "Fri")]


@office.get("/placements")
@office_page("pupil.read")
def placements():
    status = choice("status", STATUS_FILTERS, "open")
    kind = choice("kind", PLACEMENT_KINDS)
    providers = provider_service.list_providers(g.school)
    provider = choice("provider", {str(p.uuid) for p in providers})
    sort, order = sorted_by(SORTS, "pupil")
    query = placement_service.placements_query(g.school, STATUS_FILTERS[status], kind, provider and UUID(provider))
    page = paginate(query, order, page_number(), {"status": status, "kind": kind, "provider": provider, "sort": sort})
    today = school_today()
    rows = [{"placement": p, "blockers": activation_blockers(p, today) if p.status == "planned" else []}
            for p in page.rows]
    audit.record("placement.list_read", g.school, school_id=g.school.id)
    return render_then_commit(
        "office/admin/placements.html", rows=rows, page=page, status=status, kind=kind, provider=provider, sort=sort,
        sorts=SORTS, can_manage=can_manage(), provider_options=[(str(p.uuid), p.name) for p in providers],
        kind_codes=PLACEMENT_KINDS, status_codes=PLACEMENT_STATUSES)


@office.route("/placements/new", methods=["GET", "POST"])
@office_page("school.administer")
def placement_new():
    pupil = _pupil_from_query()
    if request.method == "GET":
        values = {"pupil_id": str(pupil.uuid) if pupil else None, "sessions": [], "staff": []}
        return _render_form(None, pupil, values)
    return submit(PlacementInSchema(), lambda data: placement_service.create_placement(g.school, data, current_user),
                  lambda refusal: (_render_form(None, _pupil_from_query(), _posted(), refusal.errors), refusal.status),
                  lambda placement: url_for("office.placement_edit", placement_id=placement.uuid),
                  "Placement saved as planned. The box at the top says what it needs before it can start.", admin=True)


@office.route("/placements/<uuid:placement_id>/edit", methods=["GET", "POST"])
@office_page("pupil.read")
def placement_edit(placement_id):
    placement = _placement(placement_id)
    if request.method == "GET":
        audit.record("placement.read", placement)
        db.session.commit()
        return _render_form(placement, placement.pupil, _dumped(placement))
    refuse_unless_manager()

    def refuse(refusal):
        again = _placement(placement_id)
        return _render_form(again, again.pupil, _posted(), refusal.errors), refusal.status

    return submit(PlacementChangeSchema(),
                  lambda data: placement_service.update_placement(placement, data, current_user), refuse,
                  url_for("office.placement_edit", placement_id=placement.uuid),
                  saved, admin=True)


@office.post("/placements/<uuid:placement_id>/status")
@office_page("school.administer")
def placement_status(placement_id):
    placement = _placement(placement_id)

    def save(data):
        placement_service.change_status(placement, data, current_user, school_today())
        return data["status"]

    def refuse(refusal):  # placement_not_ready: the page lists what is missing
        again = _placement(placement_id)
        posted = None if refusal.code else form_payload(PlacementStatusSchema(), request.form)
        return _render_form(again, again.pupil, _dumped(again), status_errors=refusal.errors,
                            status_values=posted), refusal.status

    def done(status):
        if status == "active":
            for warning in start_warnings(placement):
                flash(warning, "warning")
        return url_for("office.placement_edit", placement_id=placement.uuid)

    return submit(PlacementStatusSchema(), save, refuse, done, STATUS_CHANGED.get, admin=True)


def _placement(placement_uuid):
    return in_school_or_404(Placement, placement_uuid, "pupil.read")


def _pupil_from_query():
    pupil_uuid = request.args.get("pupil") or request.form.get("pupil_id")
    if not pupil_uuid:
        return None
    try:
        return pupil_service.find_pupil(g.school, UUID(pupil_uuid))
    except ValueError:
        return None


def _dumped(placement):
    values = PlacementRecordSchema().dump(placement)
    values["staff"] = [person["id"] for person in values["staff"]]
    return values


def _posted():
    return form_payload(PlacementInSchema(), request.form)


def _render_form(placement, pupil, values, errors=None, status_errors=None, status_values=None):
    today = school_today()
    providers = provider_service.list_providers(g.school)
    return render_template(
        "office/admin/placement_form.html", placement=placement, pupil=pupil, values=values, errors=errors or {},
        status_errors=status_errors or {}, status_values=status_values or {"end_date": today.isoformat()},
        can_manage=can_manage(), locked=placement is not None and placement.status != "planned",
        blockers=activation_blockers(placement, today) if placement and placement.status == "planned" else [],
        pupil_options=[(str(p.uuid), f"{p.last_name}, {p.first_name} (year {p.year_group})")
                       for p in (pupil_service.list_pupils(g.school) if pupil is None else [])],
        kinds=[(code, label(code, "placement_kinds"), KIND_HINTS[code]) for code in PLACEMENT_KINDS],
        provider_options=[(str(p.uuid), _provider_option(p)) for p in providers],
        provider_warnings={str(p.uuid): registration_warning(p) for p in providers},
        approver_options=[(str(u.uuid), u.full_name) for u in placement_service.approvers(g.school)],
        staff_choices=[(user, _roles_text(user)) for user in placement_service.visiting_staff_choices(g.school)],
        reminders=_reminders(placement) if placement else [],
        agreement=[(name, *AGREEMENT_LABELS[name]) for name in AGREEMENT_TEXT], days=DAYS, flags=FLAGS)


def _roles_text(user):
    held = user.roles_in(g.school.id)
    return ", ".join(label(role, "roles") for role in ROLES if role in held)


def _reminders(placement):
    """What the agreement still lacks: worth doing, but the policy does not make it a condition of starting."""
    reminders = []
    if placement.kind in OFF_SITE_KINDS and placement.la_informed_on is None:
        reminders.append("Tell the local authority about this off-site placement and record the date (§7.12).")
    if not placement.staff:
        reminders.append("Nobody is assigned to visit: no visiting phone carries it.")
    return reminders


def _provider_option(provider):
    return f"{provider.name} — {label(provider.registration_status, 'registration_statuses')}"
