"""Fictional demo data: one trust, two schools, every role, registration status, pupil flag and
placement kind. Names are invented; phone numbers are from Ofcom's ranges reserved for drama
(01632 960xxx, 07700 900xxx), so none reaches a real person."""
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache

from server import permissions
from server.dates import academic_year_of, school_today
from server.extensions import db
from server.models import (KeyContact, PlacementStaff, Placement, Provider, ProviderEvidence,
                           ProviderReport, Pupil, RiskAssessment, TermPeriod)
from server.models.base import utcnow
from server.services import second_factor
from server.services.accounts import create_user, hash_password
from server.services.second_factor import DEMO_TOTP_SECRET
from server.services.schools import create_school
from server.vocabulary import ROLES

DEMO_PASSWORD = "demo-password-2026"
TRUST_NAME = "Northfield Learning Trust"

# (term, half): (start, end) as (month, day) offsets from the academic year's September.
_HALF_TERMS = [
    ("autumn", 1, (9, 3), (10, 23)), ("autumn", 2, (11, 2), (12, 18)),
    ("spring", 1, (1, 5), (2, 12)), ("spring", 2, (2, 22), (3, 26)),
    ("summer", 1, (4, 12), (5, 28)), ("summer", 2, (6, 7), (7, 21)),
]

SCHOOLS = [
    {"key": "riverside", "name": "Riverside Academy", "urn": "990001", "la": "Northshire County Council",
     "shift_days": 0},
    {"key": "hillcrest", "name": "Hillcrest School", "urn": "990002", "la": "Westvale Borough Council",
     "shift_days": 1},
]

ROLE_PEOPLE = {
    "ap_leader": "Priya Marsh", "dsl": "Tom Ellery", "attendance_officer": "Jo Baxter",
    "visiting_staff": "Sam Okafor", "headteacher": "Helen Dunmore", "governor": "Graham Pike",
    "trust_lead": "Ruth Calloway", "admin": "Dev Lamb",
}

PROVIDERS = [
    ("Oakfield Independent School", "registered_independent_school", "990101", True, 40),
    ("Greenway Farm Learning", "registered_other", "990102", True, 3),
    ("Bright Sparks Mechanics", "unregistered", None, False, 2),
    ("Hearthstone Online Academy", "online_only", None, True, 0),
    ("The Learning Centre", "on_site_unit", None, True, 0),
]

PUPILS = [
    # first, last, year group, flags
    ("Alfie", "Brennan", 10, {"ehcp": True, "send_support": True}),
    ("Maya", "Chowdhury", 9, {"looked_after": True, "has_social_worker": True}),
    ("Kai", "Doyle", 11, {"fsm_eligible": True}),
    ("Lily", "Evans-Hart", 8, {"has_social_worker": True, "fsm_eligible": True}),
    ("Noah", "Fairweather", 7, {"send_support": True}),
    ("Isla", "Grant", 10, {}),
]


def seed_term_dates(school, years, shift_days=0):
    for year in years:
        for term, half, (sm, sd), (em, ed) in _HALF_TERMS:
            start_year = year if sm >= 8 else year + 1
            end_year = year if em >= 8 else year + 1
            school.term_periods.append(TermPeriod(
                academic_year=year, term=term, half=half,
                starts_on=date(start_year, sm, sd) + timedelta(days=shift_days),
                ends_on=date(end_year, em, ed) + timedelta(days=shift_days)))


@lru_cache(maxsize=1)
def demo_password_hash():
    """One argon2id hash for every demo account (they share a password), made once per process."""
    return hash_password(DEMO_PASSWORD)


def seed_demo(today=None, with_history=False):
    """The demo trust. `with_history` adds a few weeks of visits and registers (server/demo_history.py);
    tests start without it, so each test makes exactly the history it needs."""
    today = today or school_today()
    password_hash = demo_password_hash()
    for number, spec in enumerate(SCHOOLS):
        school, _, _ = create_school({"urn": spec["urn"], "name": spec["name"], "local_authority": spec["la"],
                                      "trust": TRUST_NAME, "new_trust": True,
                                      "la_notifications_email": f"ap-notifications@{spec['key']}-la.example"})
        year = academic_year_of(today)
        seed_term_dates(school, range(year - 1, year + 2), spec["shift_days"])
        _seed_school(school, spec["key"], number, today, password_hash, with_history)
    db.session.flush()


def _seed_school(school, key, number, today, password_hash, with_history):
    users = {}
    for role in ROLES:
        users[role] = create_user(f"{role.replace('_', '.')}@{key}.example", ROLE_PEOPLE[role], None,
                                  [(school, role)], phone=f"07700 900{number}{ROLES.index(role):02d}",
                                  password_hash=password_hash)
        if role in permissions.roles_with("sign_in.requires_second_factor"):
            # Development only: second_factor refuses this secret unless APP_ENV is development.
            second_factor.set_fixed_secret(users[role], DEMO_TOTP_SECRET)
    school.key_contacts = [
        KeyContact(role="dsl", name=ROLE_PEOPLE["dsl"], phone=f"01632 960{number}01", email=f"dsl@{key}.example"),
        KeyContact(role="deputy_dsl", name="Amira Lowe", phone=f"01632 960{number}02"),
        KeyContact(role="attendance_officer", name=ROLE_PEOPLE["attendance_officer"], phone=f"01632 960{number}03"),
        KeyContact(role="virtual_school_head", name="Colin Reyes", phone=f"01632 960{number}04"),
    ]
    providers = [_provider(school, *spec, today=today, signer=users["ap_leader"]) for spec in PROVIDERS]
    pupils = [_pupil(school, number, index, *spec, today=today) for index, spec in enumerate(PUPILS)]
    placements = _seed_placements(school, pupils, providers, users, today)
    if with_history:
        from server.demo_history import seed_history
        db.session.flush()
        seed_history(school, placements, users, today)


def _provider(school, name, status, urn, approved, full_time_pupils, today, signer):
    slug = name.lower().replace(" ", "")
    provider = Provider(school=school, name=name, registration_status=status, urn=urn,
                        on_la_approved_list=approved, full_time_pupils=full_time_pupils,
                        website=f"https://{slug}.example", contact_name="Office manager",
                        contact_phone="01632 960500", contact_email=f"office@{slug}.example",
                        address="1 Example Lane, Northshire")
    db.session.add(provider)
    if urn:
        provider.reports.append(ProviderReport(source="ofsted", report_date=today - timedelta(days=400),
                                               judgement="Good", url=f"https://reports.example/{urn}"))
    provider.evidence = [
        ProviderEvidence(kind="insurance", description="Public liability insurance",
                         received_on=today - timedelta(days=300), expires_on=today + timedelta(days=65)),
        ProviderEvidence(kind="staff_checks_confirmation", description="Letter confirming DBS checks",
                         received_on=today - timedelta(days=200), expires_on=today + timedelta(days=10)),
        ProviderEvidence(kind="safeguarding_policy", received_on=today - timedelta(days=100),
                         expires_on=today + timedelta(days=265)),
    ]
    if status != "unregistered":
        db.session.add(RiskAssessment(
            provider=provider, rating="low" if approved else "medium",
            weaknesses=None if approved else "Fire drill records not seen.",
            assessed_on=today - timedelta(days=330), valid_until=today + timedelta(days=35),
            signed_off_by=signer, signed_off_at=utcnow() - timedelta(days=330)))
    return provider


def _pupil(school, number, index, first, last, year_group, flags, today):
    pupil = Pupil(school=school, mis_id=f"MIS{number}{index:04d}", first_name=first, last_name=last,
                  year_group=year_group, date_of_birth=date(today.year - year_group - 5, 1 + index, 10 + index),
                  parent_contact_name=f"Parent of {first}", parent_contact_phone=f"07700 900{500 + 10 * number + index}",
                  **flags)
    if pupil.has_social_worker or pupil.looked_after:
        pupil.social_worker_name = "Dana Whitfield"
        pupil.social_worker_phone = f"01632 960{600 + number}"
    db.session.add(pupil)
    return pupil


def _partners_consulted(pupil, on):
    """The statutory partners this pupil's placements consulted before the start (§7.5, §7.6, §8.8)."""
    consulted = {}
    if pupil.ehcp:
        consulted |= {"local_authority_consulted_name": "Sam Hollis, SEN case officer",
                      "local_authority_consulted_on": on}
    if pupil.looked_after:
        consulted |= {"virtual_school_consulted_name": "Colin Reyes, Virtual School Head",
                      "virtual_school_consulted_on": on}
    if pupil.looked_after or pupil.has_social_worker:
        consulted |= {"social_worker_consulted_name": pupil.social_worker_name or "The allocated social worker",
                      "social_worker_consulted_on": on}
    return consulted


def _before_start(pupil, kind, on):
    """What the school recorded about the pupil before the start (§4.3, §7.4, §7.10)."""
    name = pupil.first_name
    fields = {
        "needs_analysis_by": "Priya Shah, SENCo", "needs_analysis_on": on,
        "needs_analysis": f"{name} reads at about two years below age; works best in small groups with practical "
                          "tasks; anxious in crowded corridors. Needs a key adult and a quiet space at breaks.",
        "pupil_risk_assessed_by": "Priya Shah, SENCo", "pupil_risk_assessed_on": on,
        "pupil_risks": "Leaves the site when distressed; travels alone by bus; may be targeted by older young "
                       "people in town.",
        "pupil_risk_mitigations": "Key worker meets the bus; provider calls school within 30 minutes of any "
                                  "absence; agreed calm-down space; DSLs share concerns the same day.",
    }
    if kind not in ("off_site_ap", "on_site_ap", "off_site_direction"):
        return fields
    return fields | {
        "parents_consulted_name": f"{name}'s mother", "parents_consulted_on": on + timedelta(days=2),
        "parents_view": "Supports the placement; wants weekly updates and worries about the bus journey.",
        "information_shared": "Needs analysis summary, risk assessment, attendance history and the safeguarding "
                              "information the provider's DSL needs.",
        "information_shared_on": on + timedelta(days=5), "information_shared_by": "AP leader",
        "information_shared_with": "The provider's DSL",
    }


def _seed_placements(school, pupils, providers, users, today):
    agreement = {
        "aims": "Re-engage with learning and gain a Level 1 qualification.",
        "planned_outcomes": "Attendance above 90%; Level 1 certificate by July.",
        "curriculum": "English, maths, vocational practical sessions.",
        "qualifications": "Functional skills English and maths Level 1.",
        "induction": "Half-day visit with the AP leader before the start.",
        "pastoral_arrangements": "Named key worker at the provider; weekly call with the school's pastoral lead.",
        "attendance_arrangements": "Provider confirms AM and PM attendance to the attendance officer by 10:00 and 14:00.",
        "safeguarding_arrangements": "Provider DSL reports to the school DSL the same day.",
        "free_school_meals": "Packed lunch provided by the school kitchen.",
        "exam_arrangements": "Entered by the school; sits exams at the school.",
        "communication": "Weekly email summary; phone call for any concern.",
        "cost_pence": 9500, "cost_basis": "per day",
        "review_arrangements": "Half-termly review with the pupil, parents and provider, led by the AP leader.",
        "qa_visit_every_weeks": 4,
    }
    start = today - timedelta(days=60)
    rows = [
        (pupils[0], "off_site_ap", providers[0], ["mon_am", "mon_pm", "tue_am", "tue_pm"], {}),
        (pupils[1], "off_site_ap", providers[1], ["wed_am", "wed_pm", "thu_am"], {}),
        (pupils[2], "on_site_ap", providers[4], ["mon_am", "tue_am", "wed_am", "thu_am", "fri_am"], {}),
        (pupils[3], "off_site_direction", providers[0], ["mon_am", "mon_pm", "tue_am", "tue_pm", "wed_am",
                                                         "wed_pm", "thu_am", "thu_pm", "fri_am", "fri_pm"],
         {"governors_approved_on": start - timedelta(days=7), "parents_told_in_writing_on": start - timedelta(days=5),
          "direction_review_on": today + timedelta(days=30), "planned_end_date": today + timedelta(days=60)}),
        (pupils[4], "part_time_timetable", None, ["mon_am", "tue_am", "wed_am", "thu_am", "fri_am"],
         {"approved_by": users["headteacher"], "approved_on": start - timedelta(days=3),
          "parent_agreed_on": start - timedelta(days=4), "planned_end_date": today + timedelta(days=40),
          "part_time_reason": "Anxiety after a long illness; building back up to full days with CAMHS support."}),
        (pupils[5], "flexi_schooling", None, ["mon_am", "mon_pm", "tue_am", "tue_pm", "wed_am", "wed_pm"],
         {"head_decision_in_writing_on": start - timedelta(days=10),
          "flexi_request_received_on": start - timedelta(days=24),
          "flexi_home_educator": "Her mother, following the school's home-learning plan",
          "flexi_home_welfare": "Her mother; her grandmother on Thursdays"}),
        (pupils[0], "off_site_ap", providers[3], ["fri_am"], {"status": "planned"}),
    ]
    placements = []
    for pupil, kind, provider, sessions, extra in rows:
        fields = dict(agreement)
        fields.update(_partners_consulted(pupil, start - timedelta(days=14)))
        fields.update(_before_start(pupil, kind, start - timedelta(days=21)))
        fields.update(extra)
        approved_by = fields.pop("approved_by", None)
        placement = Placement(school=school, pupil=pupil, kind=kind, provider=provider, sessions=sessions,
                              start_date=start if fields.get("status") != "planned" else today + timedelta(days=21),
                              status=fields.pop("status", "active"), la_informed_on=start - timedelta(days=2),
                              **fields)
        if approved_by is not None:
            placement.approved_by_id = None
            db.session.add(placement)
            db.session.flush()
            placement.approved_by_id = approved_by.id
            # The approver's own word that it is not a behaviour sanction (§9.4).
            placement.not_a_sanction_affirmed_by_id = approved_by.id
            placement.not_a_sanction_affirmed_at = datetime.combine(start - timedelta(days=3), time(9),
                                                                    tzinfo=timezone.utc)
        placement.staff.append(PlacementStaff(user=users["visiting_staff"]))
        db.session.add(placement)
        placements.append(placement)
    return placements
