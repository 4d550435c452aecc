"""School administration as JSON: the same operations as the office's settings, staff,
providers, pupils and placements pages, through the same schemas and services.

A school is named by its public id in the path. Each route names its permission once
(`_admin_route`, server/permissions.py): the user must hold it, and hold it in the school of the
record the path names (a school, provider, pupil or placement), which the view is given loaded
in place of its id. A record of a school the user has no role in answers 404; one where their
roles there do not allow the operation, 403 (`in_school_or_404`). Reads of pupils and
placements are audited.
"""
from functools import wraps

from flask import request
from flask_login import current_user

from server.api import api
from server.api.docs import documented
from server.api.wire import load_json, respond
from server.dates import school_today
from server.errors import ApiError
from server.extensions import db
from server.models import Placement, Provider, Pupil, School
from server.office.links import invitation_link, password_link
from server.schemas.admin_placements import (FlexiNoticeSchema, ParentProgressSchema, PlacementChangeSchema,
                                             PlacementInSchema, PlacementRecordSchema, PlacementStatusSchema)
from server.schemas.admin_providers import ProviderRecordSchema
from server.schemas.admin_pupils import ImportPlanSchema, PupilImportSchema, PupilRecordSchema
from server.schemas.admin_school import KeyContactsSchema, SchoolSettingsSchema, TermYearSchema
from server.schemas.admin_staff import (InvitationSchema, NewStaffSchema, PasswordLinkSchema, StaffCreateSchema,
                                        StaffDetailsSchema, StaffMemberSchema, StaffRolesSchema)
from server.schemas.base import CALENDAR_YEARS
from server.security import in_school_or_404, require_permission
from server.models.base import utcnow
from server.services import (audit, flexi, parent_progress, placements, providers, pupil_import, school_settings, staff,
                             staff_invitations)

TAGS = ["school administration"]
# The path ids that name a school's record: the view is given the record, under the second name.
RECORDS_IN_PATHS = {"school_id": ("school", School), "provider_id": ("provider", Provider),
                    "pupil_id": ("pupil", Pupil), "placement_id": ("placement", Placement)}


def _admin_route(method, path, permission, summary, *, body=None, responses=None, takes_no_body=False):
    """Register `path` for `method`, asking `permission` of the user and then of the record the
    path names, and describe it in the OpenAPI document."""
    def decorator(view):
        @wraps(view)
        def with_record(**path_values):
            if takes_no_body:
                _no_body()
            for id_name, (record_name, model) in RECORDS_IN_PATHS.items():
                if id_name in path_values:
                    path_values[record_name] = in_school_or_404(model, path_values.pop(id_name), permission)
            return view(**path_values)
        with_record = documented(summary, body=body, responses=responses, tags=TAGS)(with_record)
        return api.route(path, methods=[method])(require_permission(permission)(with_record))
    return decorator


def _no_body():
    """Routes that act on their path alone refuse a body rather than ignore what it says."""
    if request.get_data(cache=True):
        raise ApiError("validation_failed", details={"_schema": ["This request takes no body."]})


def _committed(schema, record, status=200):
    """The request's one commit, then the record as `schema` writes it."""
    db.session.commit()
    return respond(schema, record, status)


# --- School settings ---------------------------------------------------------------------------

@_admin_route("GET", "/admin/schools/<uuid:school_id>", "school.read_settings", "A school's local authority settings",
              responses={200: SchoolSettingsSchema})
def admin_school(school):
    return respond(SchoolSettingsSchema(), school)


@_admin_route("PUT", "/admin/schools/<uuid:school_id>", "school.administer", "Change the local authority settings",
              body=SchoolSettingsSchema, responses={200: SchoolSettingsSchema})
def admin_school_update(school):
    school_settings.update_school(school, load_json(SchoolSettingsSchema()), current_user)
    return _committed(SchoolSettingsSchema(), school)


@_admin_route("GET", "/admin/schools/<uuid:school_id>/key-contacts", "school.read_settings",
              "The key contacts phones show", responses={200: KeyContactsSchema})
def admin_key_contacts(school):
    return respond(KeyContactsSchema(), {"contacts": school.key_contacts})


@_admin_route("PUT", "/admin/schools/<uuid:school_id>/key-contacts", "school.administer",
              "Replace the key contacts (the DSL is required)", body=KeyContactsSchema,
              responses={200: KeyContactsSchema})
def admin_key_contacts_update(school):
    school_settings.save_key_contacts(school, load_json(KeyContactsSchema())["contacts"], current_user)
    db.session.commit()
    return respond(KeyContactsSchema(), {"contacts": school.key_contacts})


@_admin_route("GET", "/admin/schools/<uuid:school_id>/term-dates/<int:academic_year>", "school.read_settings",
              "One academic year's half terms (the usual dates when none are saved)",
              responses={200: TermYearSchema})
def admin_term_dates(school, academic_year):
    if academic_year not in CALENDAR_YEARS:
        raise ApiError("not_found")
    saved = school_settings.term_year(school, academic_year)
    halves = saved if len(saved) == 6 else school_settings.usual_term_dates(academic_year)
    return respond(TermYearSchema(), {"academic_year": academic_year, "halves": halves, "saved": len(saved) == 6,
                                      "inset_days": school_settings.inset_days_of(school, academic_year)})


@_admin_route("PUT", "/admin/schools/<uuid:school_id>/term-dates", "school.administer",
              "Set one academic year's six half terms (and, if given, its INSET days)", body=TermYearSchema,
              responses={200: TermYearSchema})
def admin_term_dates_update(school):
    data = load_json(TermYearSchema())
    year = data["academic_year"]
    school_settings.save_term_year(school, year, data["halves"], current_user)
    if data["inset_days"] is not None:
        school_settings.save_inset_days(school, year, data["inset_days"], current_user)
    db.session.commit()
    return respond(TermYearSchema(), {"academic_year": year, "saved": True,
                                      "halves": school_settings.term_year(school, year),
                                      "inset_days": school_settings.inset_days_of(school, year)})


# --- Staff -------------------------------------------------------------------------------------

def _member_view(school, user):
    return next(m for m in staff.members(school, current_user) if m["user"].id == user.id)


def _staff_member(school, user_uuid):
    user = staff.member_of(school, user_uuid)
    if user is None:
        raise ApiError("not_found")
    return user


def _member_committed(school, user):
    """The request's one commit, then the person as the staff list shows them."""
    db.session.commit()
    return respond(StaffMemberSchema(), _member_view(school, user))


@_admin_route("GET", "/admin/schools/<uuid:school_id>/staff", "staff.read", "Everyone with a role in the school",
              responses={200: StaffMemberSchema(many=True)})
def admin_staff(school):
    return respond(StaffMemberSchema(many=True), staff.members(school, current_user))


@_admin_route("POST", "/admin/schools/<uuid:school_id>/staff", "school.administer",
              "Add a member of staff; a new account comes with its set-password link", body=StaffCreateSchema,
              responses={201: NewStaffSchema})
def admin_staff_create(school):
    how, record = staff.add_staff(school, load_json(StaffCreateSchema()), current_user)
    if how == "invited":
        answer = {"member": None, "password_link": None,
                  "invitation": {"invitation": record, "link": invitation_link(record)}}
    else:
        answer = {"member": _member_view(school, record), "invitation": None,
                  "password_link": password_link(record, school, current_user) if how == "created" else None}
    return _committed(NewStaffSchema(), answer, 201)


@_admin_route("GET", "/admin/schools/<uuid:school_id>/staff/invitations", "staff.read",
              "Invitations waiting for their owner to accept", responses={200: InvitationSchema(many=True)})
def admin_staff_invitations(school):
    return respond(InvitationSchema(many=True), staff_invitations.pending(school))


@_admin_route("POST", "/admin/schools/<uuid:school_id>/staff/invitations/<uuid:invitation_id>/withdraw",
              "school.administer", "Withdraw an invitation before it is accepted", responses={204: None},
              takes_no_body=True)
def admin_staff_invitation_withdraw(school, invitation_id):
    invitation = staff_invitations.pending_by_uuid(school, invitation_id)
    if invitation is None:
        raise ApiError("not_found")
    staff_invitations.withdraw(invitation, current_user)
    db.session.commit()
    return "", 204


@_admin_route("PUT", "/admin/schools/<uuid:school_id>/staff/<uuid:user_id>/roles", "school.administer",
              "Set a person's roles in the school (an empty list removes them)", body=StaffRolesSchema,
              responses={200: StaffMemberSchema, 204: None})
def admin_staff_roles(school, user_id):
    user = _staff_member(school, user_id)
    roles = load_json(StaffRolesSchema())["roles"]
    staff.set_roles(user, school, roles, current_user)
    db.session.commit()
    return respond(StaffMemberSchema(), _member_view(school, user)) if roles else ("", 204)


@_admin_route("PUT", "/admin/schools/<uuid:school_id>/staff/<uuid:user_id>", "school.administer",
              "Correct a person's name, work email or mobile", body=StaffDetailsSchema,
              responses={200: StaffMemberSchema})
def admin_staff_details(school, user_id):
    user = _staff_member(school, user_id)
    staff.correct_details(user, school, load_json(StaffDetailsSchema()), current_user)
    return _member_committed(school, user)


@_admin_route("POST", "/admin/schools/<uuid:school_id>/staff/<uuid:user_id>/deactivate", "school.administer",
              "A leaver: the account stops working and every session ends at once",
              responses={200: StaffMemberSchema}, takes_no_body=True)
def admin_staff_deactivate(school, user_id):
    user = _staff_member(school, user_id)
    staff.deactivate(user, school, current_user)
    return _member_committed(school, user)


@_admin_route("POST", "/admin/schools/<uuid:school_id>/staff/<uuid:user_id>/reactivate", "school.administer",
              "Let a deactivated account sign in again", responses={200: StaffMemberSchema}, takes_no_body=True)
def admin_staff_reactivate(school, user_id):
    user = _staff_member(school, user_id)
    staff.reactivate(user, school, current_user)
    return _member_committed(school, user)


@_admin_route("POST", "/admin/schools/<uuid:school_id>/staff/<uuid:user_id>/password-link", "school.administer",
              "A new set-password link to hand to the person", responses={200: PasswordLinkSchema},
              takes_no_body=True)
def admin_staff_password_link(school, user_id):
    return _committed(PasswordLinkSchema(), password_link(_staff_member(school, user_id), school, current_user))


# --- Providers ---------------------------------------------------------------------------------

@_admin_route("GET", "/admin/schools/<uuid:school_id>/providers", "pupil.read", "The school's providers",
              responses={200: ProviderRecordSchema(many=True)})
def admin_providers(school):
    return respond(ProviderRecordSchema(many=True), providers.list_providers(school))


@_admin_route("POST", "/admin/schools/<uuid:school_id>/providers", "school.administer", "Add a provider",
              body=ProviderRecordSchema, responses={201: ProviderRecordSchema})
def admin_provider_create(school):
    provider = providers.create_provider(school, load_json(ProviderRecordSchema()), current_user)
    return _committed(ProviderRecordSchema(), provider, 201)


@_admin_route("GET", "/admin/providers/<uuid:provider_id>", "pupil.read", "One provider",
              responses={200: ProviderRecordSchema})
def admin_provider(provider):
    return respond(ProviderRecordSchema(), provider)


@_admin_route("PUT", "/admin/providers/<uuid:provider_id>", "school.administer",
              "Change a provider (the whole record, reports and evidence included)", body=ProviderRecordSchema,
              responses={200: ProviderRecordSchema})
def admin_provider_update(provider):
    providers.update_provider(provider, load_json(ProviderRecordSchema()), current_user)
    return _committed(ProviderRecordSchema(), provider)


# --- Pupils ------------------------------------------------------------------------------------

@_admin_route("GET", "/admin/schools/<uuid:school_id>/pupils", "pupil.read", "The school's pupils",
              responses={200: PupilRecordSchema(many=True)})
def admin_pupils(school):
    found = pupil_import.list_pupils(school)
    audit.record("pupil.list_read", school, school_id=school.id, via="api")
    return _committed(PupilRecordSchema(many=True), found)


@_admin_route("POST", "/admin/schools/<uuid:school_id>/pupils", "school.administer", "Add a pupil",
              body=PupilRecordSchema, responses={201: PupilRecordSchema})
def admin_pupil_create(school):
    pupil = pupil_import.create_pupil(school, load_json(PupilRecordSchema()), current_user, via="api")
    return _committed(PupilRecordSchema(), pupil, 201)


@_admin_route("GET", "/admin/pupils/<uuid:pupil_id>", "pupil.read", "One pupil", responses={200: PupilRecordSchema})
def admin_pupil(pupil):
    audit.record("pupil.read", pupil, via="api")
    return _committed(PupilRecordSchema(), pupil)


@_admin_route("PUT", "/admin/pupils/<uuid:pupil_id>", "school.administer", "Change a pupil", body=PupilRecordSchema,
              responses={200: PupilRecordSchema})
def admin_pupil_update(pupil):
    pupil_import.update_pupil(pupil, load_json(PupilRecordSchema()), current_user, via="api")
    return _committed(PupilRecordSchema(), pupil)


@_admin_route("POST", "/admin/schools/<uuid:school_id>/pupil-imports", "school.administer",
              "Import pupils from an MIS CSV export: a dry run, or apply (all or nothing)", body=PupilImportSchema,
              responses={200: ImportPlanSchema})
def admin_pupil_import(school):
    request_data = load_json(PupilImportSchema())
    csv_file = pupil_import.read_csv(request_data["csv_text"].encode("utf-8"))
    plan = pupil_import.plan_import(school, csv_file, request_data["mapping"])
    if request_data["apply"]:
        if request_data["fingerprint"] is not None and request_data["fingerprint"] != plan.fingerprint:
            raise ApiError("conflict", message="The import plan changed since its dry run; run it again.",
                           details={"fingerprint": plan.fingerprint})
        pupil_import.apply_import(school, plan, current_user)
        db.session.commit()
    return respond(ImportPlanSchema(), plan)


# --- Placements --------------------------------------------------------------------------------

@_admin_route("GET", "/admin/schools/<uuid:school_id>/placements", "pupil.read",
              "The school's placements, ended and cancelled ones too",
              responses={200: PlacementRecordSchema(many=True)})
def admin_placements(school):
    found = placements.list_placements(school, include_closed=True)
    audit.record("placement.list_read", school, school_id=school.id, via="api")
    return _committed(PlacementRecordSchema(many=True), found)


@_admin_route("POST", "/admin/schools/<uuid:school_id>/placements", "school.administer",
              "Commission a placement (it starts as planned)", body=PlacementInSchema,
              responses={201: PlacementRecordSchema})
def admin_placement_create(school):
    placement = placements.create_placement(school, load_json(PlacementInSchema()), current_user)
    return _committed(PlacementRecordSchema(), placement, 201)


@_admin_route("GET", "/admin/placements/<uuid:placement_id>", "pupil.read",
              "One placement, with what stops it starting", responses={200: PlacementRecordSchema})
def admin_placement(placement):
    audit.record("placement.read", placement, via="api")
    return _committed(PlacementRecordSchema(), placement)


@_admin_route("PUT", "/admin/placements/<uuid:placement_id>", "school.administer",
              "Change the agreement, approvals and visiting staff", body=PlacementChangeSchema,
              responses={200: PlacementRecordSchema})
def admin_placement_update(placement):
    placements.update_placement(placement, load_json(PlacementChangeSchema()), current_user)
    return _committed(PlacementRecordSchema(), placement)


@_admin_route("POST", "/admin/placements/<uuid:placement_id>/status", "school.administer",
              "Start (422 placement_not_ready lists what is missing), end or cancel a placement",
              body=PlacementStatusSchema, responses={200: PlacementRecordSchema})
def admin_placement_status(placement):
    placements.change_status(placement, load_json(PlacementStatusSchema()), current_user, school_today())
    return _committed(PlacementRecordSchema(), placement)


@_admin_route("POST", "/admin/placements/<uuid:placement_id>/parent-progress", "placement.record_parent_progress",
              "Record progress information sent to parents (§4.3): 201 when new, 200 when the same day and way "
              "was recorded already", body=ParentProgressSchema, responses={201: ParentProgressSchema})
def admin_parent_progress(placement):
    data = load_json(ParentProgressSchema())
    report, created = parent_progress.record(placement, data, current_user, utcnow(), school_today())
    return _committed(ParentProgressSchema(), report, 201 if created else 200)


@_admin_route("POST", "/admin/placements/<uuid:placement_id>/flexi-notice", "placement.record_flexi_notice",
              "Record notice of withdrawal from flexi-schooling (§10.6); it sets the end date, four weeks on "
              "unless an earlier end was agreed", body=FlexiNoticeSchema, responses={200: PlacementRecordSchema})
def admin_flexi_notice(placement):
    flexi.record_notice(placement, load_json(FlexiNoticeSchema()), current_user, school_today())
    return _committed(PlacementRecordSchema(), placement)
