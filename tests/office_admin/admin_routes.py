"""Every school-administration page, form and API route, with who may use it and a valid
request for each: the tables the access and bad-input tests walk. A route missing from these
tables fails `test_every_admin_route_is_in_the_tables`."""
import io
import uuid
from datetime import timedelta

import sqlalchemy as sa

from rollup.factories import RECORDED_BEFORE_START
from server.dates import school_today
from server.extensions import db
from server.models import Placement, Provider, Pupil
from server.services.school_settings import usual_term_dates
from server.services import staff_invitations
from server.permissions import roles_with
from server.vocabulary import PROGRESS_METHODS, ROLES

TODAY_PLUS = "2027-01-11"
# A complete service-level agreement (§7.11) and QA frequency (§8.1), as a form or the API sends
# them: what a placement with a provider needs to start.
COMPLETE_AGREEMENT = {
    **{name: f"Agreed {name.replace('_', ' ')}." for name in (
        "aims", "planned_outcomes", "curriculum", "qualifications", "induction", "pastoral_arrangements",
        "attendance_arrangements", "safeguarding_arrangements", "free_school_meals", "exam_arrangements",
        "communication", "review_arrangements")},
    "cost": "95.00", "cost_basis": "per day", "qa_visit_every_weeks": "4",
}
# The statutory partners every pupil might need consulted (§7.5, §7.6, §8.8), who and when.
PARTNERS_CONSULTED = {**{f"{key}_consulted_name": "A. Partner" for key in (
    "local_authority", "virtual_school", "social_worker")},
    **{f"{key}_consulted_on": "2026-09-01" for key in ("local_authority", "virtual_school", "social_worker")}}
# What the school records about the pupil before the start (§4.3, §7.4, §7.10), who, when and what.
BEFORE_START = {
    "needs_analysis_by": "Priya Shah", "needs_analysis_on": "2026-09-01", "needs_analysis": "Small groups.",
    "pupil_risk_assessed_by": "Priya Shah", "pupil_risk_assessed_on": "2026-09-01",
    "pupil_risks": "Leaves the site when upset.", "pupil_risk_mitigations": "Key worker meets the bus.",
    "parents_consulted_name": "The pupil's mother", "parents_consulted_on": "2026-09-01",
    "parents_view": "Supports it.", "information_shared": "Needs and risks.", "information_shared_on": "2026-09-01",
    "information_shared_by": "AP leader", "information_shared_with": "The provider's DSL",
}
READY_TO_START = COMPLETE_AGREEMENT | PARTNERS_CONSULTED | BEFORE_START

# Who the tables expect each route to serve: read from the one permission table.
ADMINISTRATORS = roles_with("school.administer")
SETTINGS_READERS = roles_with("school.read_settings")
STAFF_READERS = roles_with("staff.read")
PUPIL_READERS = roles_with("pupil.read")


def provider(demo, school="riverside", name="Oakfield Independent School"):
    return db.session.execute(sa.select(Provider).where(
        Provider.school_id == demo.school(school).id, Provider.name == name)).scalar_one()


def pupil(demo, school="riverside"):
    return db.session.execute(sa.select(Pupil).where(Pupil.school_id == demo.school(school).id)
                              .order_by(Pupil.id)).scalars().first()


def planned_placement(demo, school="riverside"):
    """A fresh planned placement of `school`, so each caller has one of its own to change."""
    placement = Placement(school=demo.school(school), pupil=pupil(demo, school), kind="flexi_schooling",
                          start_date=demo.placements(school)[0].start_date, sessions=["mon_am"], status="planned")
    db.session.add(placement)
    db.session.commit()
    return placement


def ready_but_for_the_provider(demo, provider):
    """A planned flexi-schooling placement at `provider` with everything else it owes before the
    start recorded, so only the provider's risk assessment can stop it."""
    placement = Placement(school=demo.school(), pupil=pupil(demo), provider=provider, kind="flexi_schooling",
                          start_date=school_today() + timedelta(days=7), sessions=["mon_am"], status="planned",
                          head_decision_in_writing_on=school_today() - timedelta(days=3),
                          # The parents' written request and who has the child on home days (§10.5).
                          flexi_request_received_on=school_today() - timedelta(days=10),
                          flexi_home_educator="Mother", flexi_home_welfare="Mother",
                          # The pupil has an EHCP: the local authority was consulted (§7.5).
                          local_authority_consulted_name="SEN case officer",
                          local_authority_consulted_on=school_today() - timedelta(days=5),
                          # Its needs analysis and risk assessment are recorded (§4.3).
                          **RECORDED_BEFORE_START)
    db.session.add(placement)
    db.session.commit()
    return placement


def staff_target(demo, school="riverside"):
    return demo.user("visiting_staff", school)


def invitation(demo, school="riverside"):
    """A fresh invitation from `school` to the other school's visiting staff member."""
    other = "hillcrest" if school == "riverside" else "riverside"
    made = staff_invitations.invite(demo.school(school), demo.user("visiting_staff", other),
                                    {"full_name": "Invited Person", "roles": ["visiting_staff"]},
                                    demo.user("ap_leader", school))
    db.session.commit()
    return made


def term_form(year=2030):
    form = {"academic_year": str(year)}
    for index, half in enumerate(usual_term_dates(year)):
        form.update({f"halves-{index}-term": half["term"], f"halves-{index}-half": str(half["half"]),
                     f"halves-{index}-starts_on": half["starts_on"].isoformat(),
                     f"halves-{index}-ends_on": half["ends_on"].isoformat()})
    return form


def term_json(year=2030):
    return {"academic_year": year, "halves": [
        {"term": h["term"], "half": h["half"], "starts_on": h["starts_on"].isoformat(),
         "ends_on": h["ends_on"].isoformat()} for h in usual_term_dates(year)]}


def provider_form(name, status="unregistered"):
    return {"name": name, "registration_status": status, "full_time_pupils": "1",
            "evidence-0-kind": "insurance", "evidence-0-expires_on": "2027-06-30"}


def provider_json(name, status="unregistered"):
    return {"name": name, "registration_status": status, "full_time_pupils": 1,
            "evidence": [{"kind": "insurance", "expires_on": "2027-06-30"}]}


def pupil_form(tag):
    return {"first_name": "Rowan", "last_name": f"Test-{tag}", "date_of_birth": "2012-05-04", "year_group": "9",
            "ehcp": "y", "mis_id": f"T-{tag}"}


def pupil_json(tag):
    return {"first_name": "Rowan", "last_name": f"Test-{tag}", "date_of_birth": "2012-05-04", "year_group": 9,
            "ehcp": True, "mis_id": f"T-{tag}"}


def placement_form(demo, school="riverside"):
    return {"pupil_id": str(pupil(demo, school).uuid), "kind": "part_time_timetable", "start_date": TODAY_PLUS,
            "sessions": ["mon_am", "tue_am"], "cost": "0"}


def placement_json(demo, school="riverside"):
    return {"pupil_id": str(pupil(demo, school).uuid), "kind": "part_time_timetable", "start_date": TODAY_PLUS,
            "sessions": ["mon_am", "tue_am"]}


def planned_change():
    """A change to a planned placement: the same fields as a form and as JSON."""
    return {"kind": "flexi_schooling", "start_date": TODAY_PLUS, "sessions": ["mon_am", "mon_pm"],
            "head_decision_in_writing_on": "2026-11-02"}


CSV = "MIS id,First name,Surname,DOB,Year\nX1,Ada,Lovel,01/02/2012,9\n"


# Office pages (GET): name → (path builder(demo, school), roles that may open it).
OFFICE_PAGES = {
    "settings": (lambda d, s: "/office/settings", SETTINGS_READERS),
    "staff": (lambda d, s: "/office/staff", STAFF_READERS),
    "staff_member": (lambda d, s: f"/office/staff/{staff_target(d, s).uuid}", STAFF_READERS),
    "providers": (lambda d, s: "/office/providers", PUPIL_READERS),
    "provider_new": (lambda d, s: "/office/providers/new", ADMINISTRATORS),
    "provider_edit": (lambda d, s: f"/office/providers/{provider(d, s).uuid}/edit", PUPIL_READERS),
    "pupils": (lambda d, s: "/office/pupils", PUPIL_READERS),
    "pupil_new": (lambda d, s: "/office/pupils/new", ADMINISTRATORS),
    "pupil_edit": (lambda d, s: f"/office/pupils/{pupil(d, s).uuid}/edit", PUPIL_READERS),
    "pupil_import": (lambda d, s: "/office/pupils/import", ADMINISTRATORS),
    "placements": (lambda d, s: "/office/placements", PUPIL_READERS),
    "placement_new": (lambda d, s: f"/office/placements/new?pupil={pupil(d, s).uuid}", ADMINISTRATORS),
    "placement_edit": (lambda d, s: f"/office/placements/{d.placements(s)[0].uuid}/edit", PUPIL_READERS),
}
# Pages about one object: another school's object is not found.
OBJECT_PAGES = ("staff_member", "provider_edit", "pupil_edit", "placement_edit")

# Office forms (POST), all for ADMINISTRATORS: name → request builder(demo, role, school) → (path, form data).
OFFICE_FORMS = {
    "settings_school": lambda d, r, s: ("/office/settings/school",
                                        {"local_authority": f"Council {r}", "la_notifications_email": "la@x.example"}),
    "settings_contacts": lambda d, r, s: ("/office/settings/contacts", {
        "contacts-0-role": "dsl", "contacts-0-name": f"DSL {r}", "contacts-0-phone": "01632 960999"}),
    "settings_terms": lambda d, r, s: ("/office/settings/terms", term_form()),
    "staff": lambda d, r, s: ("/office/staff", {"full_name": "New Person", "email": f"new.{r}@{s}.example",
                                                "roles": ["visiting_staff"]}),
    "staff_roles": lambda d, r, s: (f"/office/staff/{staff_target(d, s).uuid}/roles",
                                    {"roles": ["visiting_staff", "attendance_officer"]}),
    "staff_password_link": lambda d, r, s: (f"/office/staff/{staff_target(d, s).uuid}/password-link", {}),
    "staff_details": lambda d, r, s: (f"/office/staff/{staff_target(d, s).uuid}/details",
                                      {"full_name": f"Corrected by {r}", "email": staff_target(d, s).email,
                                       "phone": "07700 900321"}),
    "staff_deactivate": lambda d, r, s: (f"/office/staff/{staff_target(d, s).uuid}/deactivate", {}),
    "staff_reactivate": lambda d, r, s: (f"/office/staff/{staff_target(d, s).uuid}/reactivate", {}),
    "staff_invitation_withdraw": lambda d, r, s: (f"/office/staff/invitations/{invitation(d, s).uuid}/withdraw", {}),
    "provider_new": lambda d, r, s: ("/office/providers/new", provider_form(f"Provider {r}")),
    "provider_edit": lambda d, r, s: (f"/office/providers/{provider(d, s).uuid}/edit",
                                      provider_form("Oakfield Independent School", "unregistered")),
    "pupil_new": lambda d, r, s: ("/office/pupils/new", pupil_form(r)),
    "pupil_edit": lambda d, r, s: (f"/office/pupils/{pupil(d, s).uuid}/edit", pupil_form(r)),
    "pupil_import": lambda d, r, s: ("/office/pupils/import", {"file": (io.BytesIO(CSV.encode()), "pupils.csv")}),
    "placement_new": lambda d, r, s: ("/office/placements/new", placement_form(d, s)),
    "placement_edit": lambda d, r, s: (f"/office/placements/{planned_placement(d, s).uuid}/edit",
                                       planned_change()),
    "placement_status": lambda d, r, s: (f"/office/placements/{planned_placement(d, s).uuid}/status",
                                         {"status": "cancelled", "outcome": "Family moved away"}),
}
# The import's second step needs an upload of the same session first: see test_admin_pupil_import.py.
# Joining through an invitation link is open to its invited owner alone: see test_staff_invitations.py.
# Resetting a second factor and ending a session: tests/office_admin/test_sign_in_settings.py.
OFFICE_FORMS_TESTED_ELSEWHERE = {"pupil_import_step", "set_password", "join_school", "staff_second_factor_reset",
                                 "staff_session_end", "staff_passkey_remove"}  # the last: tests/api/test_passkeys.py
OBJECT_FORMS = ("staff_roles", "staff_details", "staff_password_link", "staff_deactivate", "staff_reactivate",
                "staff_invitation_withdraw", "provider_edit",
                "pupil_edit", "placement_edit", "placement_status")


# API routes: (method, rule) → (request builder(demo, role, school) → kwargs for ApiClient.open, roles allowed,
#                               status when allowed).
def _school_path(d, s, rest=""):
    return f"/api/admin/schools/{d.school(s).uuid}{rest}"


API_ROUTES = {
    ("GET", "/api/admin/schools/<uuid:school_id>"): (
        lambda d, r, s: {"path": _school_path(d, s)}, SETTINGS_READERS, 200),
    ("PUT", "/api/admin/schools/<uuid:school_id>"): (
        lambda d, r, s: {"path": _school_path(d, s), "json": {"local_authority": f"Council {r}"}}, ADMINISTRATORS, 200),
    ("GET", "/api/admin/schools/<uuid:school_id>/key-contacts"): (
        lambda d, r, s: {"path": _school_path(d, s, "/key-contacts")}, SETTINGS_READERS, 200),
    ("PUT", "/api/admin/schools/<uuid:school_id>/key-contacts"): (
        lambda d, r, s: {"path": _school_path(d, s, "/key-contacts"),
                         "json": {"contacts": [{"role": "dsl", "name": f"DSL {r}", "phone": "01632 960999"}]}},
        ADMINISTRATORS, 200),
    ("GET", "/api/admin/schools/<uuid:school_id>/term-dates/<int:academic_year>"): (
        lambda d, r, s: {"path": _school_path(d, s, "/term-dates/2030")}, SETTINGS_READERS, 200),
    ("PUT", "/api/admin/schools/<uuid:school_id>/term-dates"): (
        lambda d, r, s: {"path": _school_path(d, s, "/term-dates"), "json": term_json()}, ADMINISTRATORS, 200),
    ("GET", "/api/admin/schools/<uuid:school_id>/staff"): (
        lambda d, r, s: {"path": _school_path(d, s, "/staff")}, STAFF_READERS, 200),
    ("GET", "/api/admin/schools/<uuid:school_id>/staff/invitations"): (
        lambda d, r, s: {"path": _school_path(d, s, "/staff/invitations")}, STAFF_READERS, 200),
    ("POST", "/api/admin/schools/<uuid:school_id>/staff/invitations/<uuid:invitation_id>/withdraw"): (
        lambda d, r, s: {"path": _school_path(d, s, f"/staff/invitations/{invitation(d, s).uuid}/withdraw")},
        ADMINISTRATORS, 204),
    ("POST", "/api/admin/schools/<uuid:school_id>/staff"): (
        lambda d, r, s: {"path": _school_path(d, s, "/staff"),
                         "json": {"full_name": "New Person", "email": f"new.{r}@{s}.example",
                                  "roles": ["visiting_staff"]}}, ADMINISTRATORS, 201),
    ("PUT", "/api/admin/schools/<uuid:school_id>/staff/<uuid:user_id>/roles"): (
        lambda d, r, s: {"path": _school_path(d, s, f"/staff/{staff_target(d, s).uuid}/roles"),
                         "json": {"roles": ["visiting_staff", "attendance_officer"]}}, ADMINISTRATORS, 200),
    ("PUT", "/api/admin/schools/<uuid:school_id>/staff/<uuid:user_id>"): (
        lambda d, r, s: {"path": _school_path(d, s, f"/staff/{staff_target(d, s).uuid}"),
                         "json": {"full_name": f"Corrected by {r}", "email": staff_target(d, s).email,
                                  "phone": None}}, ADMINISTRATORS, 200),
    ("POST", "/api/admin/schools/<uuid:school_id>/staff/<uuid:user_id>/deactivate"): (
        lambda d, r, s: {"path": _school_path(d, s, f"/staff/{staff_target(d, s).uuid}/deactivate")},
        ADMINISTRATORS, 200),
    ("POST", "/api/admin/schools/<uuid:school_id>/staff/<uuid:user_id>/reactivate"): (
        lambda d, r, s: {"path": _school_path(d, s, f"/staff/{staff_target(d, s).uuid}/reactivate")},
        ADMINISTRATORS, 200),
    ("POST", "/api/admin/schools/<uuid:school_id>/staff/<uuid:user_id>/password-link"): (
        lambda d, r, s: {"path": _school_path(d, s, f"/staff/{staff_target(d, s).uuid}/password-link")},
        ADMINISTRATORS, 200),
    ("GET", "/api/admin/schools/<uuid:school_id>/providers"): (
        lambda d, r, s: {"path": _school_path(d, s, "/providers")}, PUPIL_READERS, 200),
    ("POST", "/api/admin/schools/<uuid:school_id>/providers"): (
        lambda d, r, s: {"path": _school_path(d, s, "/providers"), "json": provider_json(f"Provider {r}")},
        ADMINISTRATORS, 201),
    ("GET", "/api/admin/providers/<uuid:provider_id>"): (
        lambda d, r, s: {"path": f"/api/admin/providers/{provider(d, s).uuid}"}, PUPIL_READERS, 200),
    ("PUT", "/api/admin/providers/<uuid:provider_id>"): (
        lambda d, r, s: {"path": f"/api/admin/providers/{provider(d, s).uuid}",
                         "json": provider_json("Oakfield Independent School")}, ADMINISTRATORS, 200),
    ("GET", "/api/admin/schools/<uuid:school_id>/pupils"): (
        lambda d, r, s: {"path": _school_path(d, s, "/pupils")}, PUPIL_READERS, 200),
    ("POST", "/api/admin/schools/<uuid:school_id>/pupils"): (
        lambda d, r, s: {"path": _school_path(d, s, "/pupils"), "json": pupil_json(r)}, ADMINISTRATORS, 201),
    ("GET", "/api/admin/pupils/<uuid:pupil_id>"): (
        lambda d, r, s: {"path": f"/api/admin/pupils/{pupil(d, s).uuid}"}, PUPIL_READERS, 200),
    ("PUT", "/api/admin/pupils/<uuid:pupil_id>"): (
        lambda d, r, s: {"path": f"/api/admin/pupils/{pupil(d, s).uuid}", "json": pupil_json(r)}, ADMINISTRATORS, 200),
    ("POST", "/api/admin/schools/<uuid:school_id>/pupil-imports"): (
        lambda d, r, s: {"path": _school_path(d, s, "/pupil-imports"),
                         "json": {"csv_text": CSV, "apply": True, "mapping": {
                             "mis_id": "MIS id", "first_name": "First name", "last_name": "Surname",
                             "date_of_birth": "DOB", "year_group": "Year"}}}, ADMINISTRATORS, 200),
    ("GET", "/api/admin/schools/<uuid:school_id>/placements"): (
        lambda d, r, s: {"path": _school_path(d, s, "/placements")}, PUPIL_READERS, 200),
    ("POST", "/api/admin/schools/<uuid:school_id>/placements"): (
        lambda d, r, s: {"path": _school_path(d, s, "/placements"), "json": placement_json(d, s)}, ADMINISTRATORS, 201),
    ("GET", "/api/admin/placements/<uuid:placement_id>"): (
        lambda d, r, s: {"path": f"/api/admin/placements/{d.placements(s)[0].uuid}"}, PUPIL_READERS, 200),
    ("PUT", "/api/admin/placements/<uuid:placement_id>"): (
        lambda d, r, s: {"path": f"/api/admin/placements/{planned_placement(d, s).uuid}",
                         "json": planned_change()}, ADMINISTRATORS, 200),
    ("POST", "/api/admin/placements/<uuid:placement_id>/status"): (
        lambda d, r, s: {"path": f"/api/admin/placements/{planned_placement(d, s).uuid}/status",
                         "json": {"status": "cancelled"}}, ADMINISTRATORS, 200),
    ("POST", "/api/admin/placements/<uuid:placement_id>/parent-progress"): (
        lambda d, r, s: {"path": f"/api/admin/placements/{active_placement(d, s).uuid}/parent-progress",
                         # A different way for each role: the same day and way again is the same record (200).
                         "json": {"sent_on": school_today().isoformat(),
                                  "method": PROGRESS_METHODS[ROLES.index(r) % len(PROGRESS_METHODS)],
                                  "sent_by_name": "R Patel, AP leader"}},
        roles_with("placement.record_parent_progress"), 201),
    ("POST", "/api/admin/placements/<uuid:placement_id>/flexi-notice"): (
        lambda d, r, s: {"path": f"/api/admin/placements/{active_placement(d, s, 'flexi_schooling').uuid}/flexi-notice",
                         "json": {"notice_by": "parents", "notice_on": school_today().isoformat()}},
        roles_with("placement.record_flexi_notice"), 200),
}


def active_placement(demo, school="riverside", kind="off_site_ap"):
    return db.session.execute(sa.select(Placement).where(
        Placement.school_id == demo.school(school).id, Placement.kind == kind, Placement.status == "active")
        .order_by(Placement.id)).scalars().first()


def admin_api_routes(app):
    return {(method, rule.rule) for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/admin/")
            for method in rule.methods - {"HEAD", "OPTIONS"}}


def admin_office_endpoints(app, method):
    """The school-administration office endpoints that answer `method`."""
    modules = ("server.office.settings", "server.office.staff", "server.office.providers_admin",
               "server.office.pupils_admin", "server.office.pupil_import_admin", "server.office.placements_admin")
    return {rule.endpoint.split(".", 1)[1] for rule in app.url_map.iter_rules()
            if method in rule.methods and getattr(app.view_functions[rule.endpoint], "__module__", "") in modules}


def random_uuid():
    return str(uuid.uuid4())
