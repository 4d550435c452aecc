"""School administration as JSON: the same operations as the office's settings, staff,
providers, pupils and placements pages, through the same schemas and services.

A school is named by its public id in the path. Each route asks one permission
(server/permissions.py); a school, provider, pupil or placement of a school the user has no
role in answers 404, one where their roles do not allow the operation 403 (`in_school_or_404`).
Reads of pupils and placements are audited.
"""

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


def _no_body():
    """Routes that act on their path alone refuse a body rather than ignore what it says."""
    if request.get_data(cache=True):
        raise ApiError("validation_failed", details={"_schema": ["This request takes no body."]})


# --- School settings ---------------------------------------------------------------------------

@api.get("/admin/schools/<uuid:school_id>")
@require_permission("school.read_settings")
@documented("A school's local authority settings", responses={200: SchoolSettingsSchema}, tags=TAGS)
def admin_school(school_id):
    return respond(SchoolSettingsSchema(), in_school_or_404(School, school_id, "school.read_settings"))


@api.put("/admin/schools/<uuid:school_id>")
@require_permission("school.administer")
@documented("Change the local authority settings", body=SchoolSettingsSchema, responses={200: SchoolSettingsSchema},
            tags=TAGS)
def admin_school_update(school_id):
    school = in_school_or_404(School, school_id, "school.administer")
    school_settings.update_school(school, load_json(SchoolSettingsSchema()), current_user)
    db.session.commit()
    return respond(SchoolSettingsSchema(), school)


@api.get("/admin/schools/<uuid:school_id>/key-contacts")
@require_permission("school.read_settings")
@documented("The key contacts phones show", responses={200: KeyContactsSchema}, tags=TAGS)
def admin_key_contacts(school_id):
    school = in_school_or_404(School, school_id, "school.read_settings")
    return respond(KeyContactsSchema(), {"contacts": school.key_contacts})


@api.put("/admin/schools/<uuid:school_id>/key-contacts")
@require_permission("school.administer")
@documented("Replace the key contacts (the DSL is required)", body=KeyContactsSchema,
            responses={200: KeyContactsSchema}, tags=TAGS)
def admin_key_contacts_update(school_id):
    school = in_school_or_404(School, school_id, "school.administer")
    school_settings.save_key_contacts(school, load_json(KeyContactsSchema())["contacts"], current_user)
    db.session.commit()
    return respond(KeyContactsSchema(), {"contacts": school.key_contacts})


@api.get("/admin/schools/<uuid:school_id>/term-dates/<int:academic_year>")
@require_permission("school.read_settings")
@documented("One academic year's half terms (the usual dates when none are saved)",
            responses={200: TermYearSchema}, tags=TAGS)
def admin_term_dates(school_id, academic_year):
    school = in_school_or_404(School, school_id, "school.read_settings")
    if academic_year not in CALENDAR_YEARS:
        raise ApiError("not_found")
    saved = school_settings.term_year(school, academic_year)
    halves = saved if len(saved) == 6 else school_settings.usual_term_dates(academic_year)
    return respond(TermYearSchema(), {"academic_year": academic_year, "halves": halves, "saved": len(saved) == 6,
                                      "inset_days": school_settings.inset_days_of(school, academic_year)})


@api.put("/admin/schools/<uuid:school_id>/term-dates")
@require_permission("school.administer")
@documented("Set one academic year's six half terms (and, if given, its INSET days)", body=TermYearSchema,
            responses={200: TermYearSchema}, tags=TAGS)
def admin_term_dates_update(school_id):
    school = in_school_or_404(School, school_id, "school.administer")
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




@api.get("/admin/schools/<uuid:school_id>/staff")
@require_permission("staff.read")
@documented("Everyone with a role in the school", responses={200: StaffMemberSchema(many=True)}, tags=TAGS)
def admin_staff(school_id):
    school = in_school_or_404(School, school_id, "staff.read")
    return respond(StaffMemberSchema(many=True), staff.members(school, current_user))


@api.post("/admin/schools/<uuid:school_id>/staff")
@require_permission("school.administer")
@documented("Add a member of staff; a new account comes with its set-password link", body=StaffCreateSchema,
            responses={201: NewStaffSchema}, tags=TAGS)
def admin_staff_create(school_id):
    school = in_school_or_404(School, school_id, "school.administer")
    how, record = staff.add_staff(school, load_json(StaffCreateSchema()), current_user)
    if how == "invited":
        answer = {"member": None, "password_link": None,
                  "invitation": {"invitation": record, "link": invitation_link(record)}}
    else:
        answer = {"member": _member_view(school, record), "invitation": None,
                  "password_link": password_link(record, school, current_user) if how == "created" else None}
    db.session.commit()
    return respond(NewStaffSchema(), answer, 201)


@api.get("/admin/schools/<uuid:school_id>/staff/invitations")
@require_permission("staff.read")
@documented("Invitations waiting for their owner to accept", responses={200: InvitationSchema(many=True)},
            tags=TAGS)
def admin_staff_invitations(school_id):
    school = in_school_or_404(School, school_id, "staff.read")
    return respond(InvitationSchema(many=True), staff_invitations.pending(school))


@api.post("/admin/schools/<uuid:school_id>/staff/invitations/<uuid:invitation_id>/withdraw")
@require_permission("school.administer")
@documented("Withdraw an invitation before it is accepted", responses={204: None}, tags=TAGS)
def admin_staff_invitation_withdraw(school_id, invitation_id):
    _no_body()
    school = in_school_or_404(School, school_id, "school.administer")
    invitation = staff_invitations.pending_by_uuid(school, invitation_id)
    if invitation is None:
        raise ApiError("not_found")
    staff_invitations.withdraw(invitation, current_user)
    db.session.commit()
    return "", 204


@api.put("/admin/schools/<uuid:school_id>/staff/<uuid:user_id>/roles")
@require_permission("school.administer")
@documented("Set a person's roles in the school (an empty list removes them)", body=StaffRolesSchema,
            responses={200: StaffMemberSchema, 204: None}, tags=TAGS)
def admin_staff_roles(school_id, user_id):
    school = in_school_or_404(School, school_id, "school.administer")
    user = _staff_member(school, user_id)
    roles = load_json(StaffRolesSchema())["roles"]
    staff.set_roles(user, school, roles, current_user)
    db.session.commit()
    return respond(StaffMemberSchema(), _member_view(school, user)) if roles else ("", 204)


@api.put("/admin/schools/<uuid:school_id>/staff/<uuid:user_id>")
@require_permission("school.administer")
@documented("Correct a person's name, work email or mobile", body=StaffDetailsSchema,
            responses={200: StaffMemberSchema}, tags=TAGS)
def admin_staff_details(school_id, user_id):
    school = in_school_or_404(School, school_id, "school.administer")
    user = _staff_member(school, user_id)
    staff.correct_details(user, school, load_json(StaffDetailsSchema()), current_user)
    db.session.commit()
    return respond(StaffMemberSchema(), _member_view(school, user))


@api.post("/admin/schools/<uuid:school_id>/staff/<uuid:user_id>/deactivate")
@require_permission("school.administer")
@documented("A leaver: the account stops working and every session ends at once",
            responses={200: StaffMemberSchema}, tags=TAGS)
def admin_staff_deactivate(school_id, user_id):
    _no_body()
    school = in_school_or_404(School, school_id, "school.administer")
    user = _staff_member(school, user_id)
    staff.deactivate(user, school, current_user)
    db.session.commit()
    return respond(StaffMemberSchema(), _member_view(school, user))


@api.post("/admin/schools/<uuid:school_id>/staff/<uuid:user_id>/reactivate")
@require_permission("school.administer")
@documented("Let a deactivated account sign in again", responses={200: StaffMemberSchema}, tags=TAGS)
def admin_staff_reactivate(school_id, user_id):
    _no_body()
    school = in_school_or_404(School, school_id, "school.administer")
    user = _staff_member(school, user_id)
    staff.reactivate(user, school, current_user)
    db.session.commit()
    return respond(StaffMemberSchema(), _member_view(school, user))


@api.post("/admin/schools/<uuid:school_id>/staff/<uuid:user_id>/password-link")
@require_permission("school.administer")
@documented("A new set-password link to hand to the person", responses={200: PasswordLinkSchema}, tags=TAGS)
def admin_staff_password_link(school_id, user_id):
    _no_body()
    school = in_school_or_404(School, school_id, "school.administer")
    link = password_link(_staff_member(school, user_id), school, current_user)
    db.session.commit()
    return respond(PasswordLinkSchema(), link)


# --- Providers ---------------------------------------------------------------------------------

@api.get("/admin/schools/<uuid:school_id>/providers")
@require_permission("pupil.read")
@documented("The school's providers", responses={200: ProviderRecordSchema(many=True)}, tags=TAGS)
def admin_providers(school_id):
    school = in_school_or_404(School, school_id, "pupil.read")
    return respond(ProviderRecordSchema(many=True), providers.list_providers(school))


@api.post("/admin/schools/<uuid:school_id>/providers")
@require_permission("school.administer")
@documented("Add a provider", body=ProviderRecordSchema, responses={201: ProviderRecordSchema}, tags=TAGS)
def admin_provider_create(school_id):
    school = in_school_or_404(School, school_id, "school.administer")
    provider = providers.create_provider(school, load_json(ProviderRecordSchema()), current_user)
    db.session.commit()
    return respond(ProviderRecordSchema(), provider, 201)


@api.get("/admin/providers/<uuid:provider_id>")
@require_permission("pupil.read")
@documented("One provider", responses={200: ProviderRecordSchema}, tags=TAGS)
def admin_provider(provider_id):
    return respond(ProviderRecordSchema(), in_school_or_404(Provider, provider_id, "pupil.read"))


@api.put("/admin/providers/<uuid:provider_id>")
@require_permission("school.administer")
@documented("Change a provider (the whole record, reports and evidence included)", body=ProviderRecordSchema,
            responses={200: ProviderRecordSchema}, tags=TAGS)
def admin_provider_update(provider_id):
    provider = in_school_or_404(Provider, provider_id, "school.administer")
    providers.update_provider(provider, load_json(ProviderRecordSchema()), current_user)
    db.session.commit()
    return respond(ProviderRecordSchema(), provider)


# --- Pupils ------------------------------------------------------------------------------------

@api.get("/admin/schools/<uuid:school_id>/pupils")
@require_permission("pupil.read")
@documented("The school's pupils", responses={200: PupilRecordSchema(many=True)}, tags=TAGS)
def admin_pupils(school_id):
    school = in_school_or_404(School, school_id, "pupil.read")
    found = pupil_import.list_pupils(school)
    audit.record("pupil.list_read", school, school_id=school.id, via="api")
    db.session.commit()
    return respond(PupilRecordSchema(many=True), found)


@api.post("/admin/schools/<uuid:school_id>/pupils")
@require_permission("school.administer")
@documented("Add a pupil", body=PupilRecordSchema, responses={201: PupilRecordSchema}, tags=TAGS)
def admin_pupil_create(school_id):
    school = in_school_or_404(School, school_id, "school.administer")
    pupil = pupil_import.create_pupil(school, load_json(PupilRecordSchema()), current_user, via="api")
    db.session.commit()
    return respond(PupilRecordSchema(), pupil, 201)


@api.get("/admin/pupils/<uuid:pupil_id>")
@require_permission("pupil.read")
@documented("One pupil", responses={200: PupilRecordSchema}, tags=TAGS)
def admin_pupil(pupil_id):
    pupil = in_school_or_404(Pupil, pupil_id, "pupil.read")
    audit.record("pupil.read", pupil, via="api")
    db.session.commit()
    return respond(PupilRecordSchema(), pupil)


@api.put("/admin/pupils/<uuid:pupil_id>")
@require_permission("school.administer")
@documented("Change a pupil", body=PupilRecordSchema, responses={200: PupilRecordSchema}, tags=TAGS)
def admin_pupil_update(pupil_id):
    pupil = in_school_or_404(Pupil, pupil_id, "school.administer")
    pupil_import.update_pupil(pupil, load_json(PupilRecordSchema()), current_user, via="api")
    db.session.commit()
    return respond(PupilRecordSchema(), pupil)


@api.post("/admin/schools/<uuid:school_id>/pupil-imports")
@require_permission("school.administer")
@documented("Import pupils from an MIS CSV export: a dry run, or apply (all or nothing)", body=PupilImportSchema,
            responses={200: ImportPlanSchema}, tags=TAGS)
def admin_pupil_import(school_id):
    school = in_school_or_404(School, school_id, "school.administer")
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

@api.get("/admin/schools/<uuid:school_id>/placements")
@require_permission("pupil.read")
@documented("The school's placements, ended and cancelled ones too", responses={200: PlacementRecordSchema(many=True)},
            tags=TAGS)
def admin_placements(school_id):
    school = in_school_or_404(School, school_id, "pupil.read")
    found = placements.list_placements(school, include_closed=True)
    audit.record("placement.list_read", school, school_id=school.id, via="api")
    db.session.commit()
    return respond(PlacementRecordSchema(many=True), found)


@api.post("/admin/schools/<uuid:school_id>/placements")
@require_permission("school.administer")
@documented("Commission a placement (it starts as planned)", body=PlacementInSchema,
            responses={201: PlacementRecordSchema}, tags=TAGS)
def admin_placement_create(school_id):
    school = in_school_or_404(School, school_id, "school.administer")
    placement = placements.create_placement(school, load_json(PlacementInSchema()), current_user)
    db.session.commit()
    return respond(PlacementRecordSchema(), placement, 201)


@api.get("/admin/placements/<uuid:placement_id>")
@require_permission("pupil.read")
@documented("One placement, with what stops it starting", responses={200: PlacementRecordSchema}, tags=TAGS)
def admin_placement(placement_id):
    placement = in_school_or_404(Placement, placement_id, "pupil.read")
    audit.record("placement.read", placement, via="api")
    db.session.commit()
    return respond(PlacementRecordSchema(), placement)


@api.put("/admin/placements/<uuid:placement_id>")
@require_permission("school.administer")
@documented("Change the agreement, approvals and visiting staff", body=PlacementChangeSchema,
            responses={200: PlacementRecordSchema}, tags=TAGS)
def admin_placement_update(placement_id):
    placement = in_school_or_404(Placement, placement_id, "school.administer")
    placements.update_placement(placement, load_json(PlacementChangeSchema()), current_user)
    db.session.commit()
    return respond(PlacementRecordSchema(), placement)


@api.post("/admin/placements/<uuid:placement_id>/status")
@require_permission("school.administer")
@documented("Start (422 placement_not_ready lists what is missing), end or cancel a placement",
            body=PlacementStatusSchema, responses={200: PlacementRecordSchema}, tags=TAGS)
def admin_placement_status(placement_id):
    placement = in_school_or_404(Placement, placement_id, "school.administer")
    placements.change_status(placement, load_json(PlacementStatusSchema()), current_user, school_today())
    db.session.commit()
    return respond(PlacementRecordSchema(), placement)


@api.post("/admin/placements/<uuid:placement_id>/parent-progress")
@require_permission("placement.record_parent_progress")
@documented("Record progress information sent to parents (§4.3): 201 when new, 200 when the same day and way "
            "was recorded already", body=ParentProgressSchema, responses={201: ParentProgressSchema}, tags=TAGS)
def admin_parent_progress(placement_id):
    placement = in_school_or_404(Placement, placement_id, "placement.record_parent_progress")
    data = load_json(ParentProgressSchema())
    report, created = parent_progress.record(placement, data, current_user, utcnow(), school_today())
    db.session.commit()
    return respond(ParentProgressSchema(), report, 201 if created else 200)


@api.post("/admin/placements/<uuid:placement_id>/flexi-notice")
@require_permission("placement.record_flexi_notice")
@documented("Record notice of withdrawal from flexi-schooling (§10.6); it sets the end date, four weeks on "
            "unless an earlier end was agreed", body=FlexiNoticeSchema, responses={200: PlacementRecordSchema},
            tags=TAGS)
def admin_flexi_notice(placement_id):
    placement = in_school_or_404(Placement, placement_id, "placement.record_flexi_notice")
    data = load_json(FlexiNoticeSchema())
    flexi.record_notice(placement, data, current_user, school_today())
    db.session.commit()
    return respond(PlacementRecordSchema(), placement)
