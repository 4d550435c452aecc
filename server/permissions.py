"""Who may do what: the one table of named permissions and the roles that hold them.

Views, the API, the phone's bootstrap and the office navigation ask this module; no other file
lists roles for a decision. A role holds a permission in a school, never across schools: every
check takes the school it is about.

The roles and what they are for are in `shared_schemas/vocabulary.json` and docs/DOMAIN.md.
"""
from server.vocabulary import ROLES

_SENIOR = ("headteacher", "ap_leader")
_ADMINISTRATION = ("ap_leader", "headteacher", "admin")
_RECORD_READERS = ("ap_leader", "dsl", "headteacher", "admin", "trust_lead")

PERMISSIONS = {
    # The phone: who may sign in on it, see the school's placements and send visits.
    "phone.use": ("ap_leader", "dsl", "headteacher", "trust_lead", "admin", "attendance_officer",
                  "visiting_staff"),
    # School administration: providers, pupils, placements, staff and settings.
    "school.administer": _ADMINISTRATION,
    "school.read_administration": _ADMINISTRATION + ("trust_lead",),
    "pupil.read": _ADMINISTRATION + ("trust_lead", "dsl"),
    "placement.read_record": _RECORD_READERS,
    # Visits sent for review, and signing them off (never one's own).
    "visit.review": _SENIOR,
    "visit.read_review": _SENIOR + ("trust_lead",),
    "action.write": ("ap_leader", "headteacher", "admin", "dsl"),
    # Safeguarding concerns: who reads them, and who acts on them (§6 of the policy).
    "concern.read": ("dsl", "ap_leader", "trust_lead"),
    "concern.act": ("dsl",),
    # A part-time timetable (§9.5) and the mitigations that let a risky placement start (§7.8).
    "placement.approve_part_time": _SENIOR,
    "placement.approve_mitigations": ("headteacher",),
    "attendance.register": ("attendance_officer", "ap_leader", "headteacher", "admin"),
    "document.pupil": _RECORD_READERS,
    "report.read": _RECORD_READERS + ("governor",),
    "local_authority.notify": _ADMINISTRATION,
    # Alerts. Told at once of a concern: the DSL (a deputy DSL holds the DSL role). Told when the
    # DSL has not opened it in time: the headteacher and the trust's safeguarding lead.
    "alert.concern_raised": ("dsl",),
    "alert.concern_escalated": ("headteacher", "trust_lead"),
    # The morning digest is on by default for the AP leader, who owns the deadlines (§4.3).
    "alert.morning_digest": ("ap_leader",),
    "alert.morning_digest_offered": _RECORD_READERS,
    # Everyone chooses which alerts they receive, for themselves only.
    "alert.choose_own": ROLES,
    # Alerts that could not be sent, and the development mail folder: those who run the school.
    "alert.read_failed": _ADMINISTRATION,
    # Clearing someone's second factor when they lose it: those who run the school's staff,
    # and only for people holding roles they could give (services/staff.py GIVEN_BY), and
    # only when a second such person confirms.
    "second_factor.reset": _ADMINISTRATION,
    # Revoking someone else's signed-in session (a lost phone): the same people.
    "session.revoke_others": _ADMINISTRATION,
}
# Whoever can read safeguarding records (concerns, placement records, pupil documents) signs
# in with a second factor; so do those who manage accounts, since they could hand that access on.
PERMISSIONS["sign_in.requires_second_factor"] = tuple(
    role for role in ROLES
    if any(role in PERMISSIONS[name] for name in ("concern.read", "placement.read_record", "document.pupil",
                                                   "school.administer")))

unknown_roles = {role for roles in PERMISSIONS.values() for role in roles} - set(ROLES)
assert not unknown_roles, f"permissions name roles that do not exist: {unknown_roles}"


def roles_with(permission):
    """The roles that hold `permission`; a name not in the table is a programming error."""
    return PERMISSIONS[permission]


def allows(user, school_id, permission):
    """Whether `user` holds `permission` in the school `school_id`."""
    roles = roles_with(permission)
    return any(m.school_id == school_id and m.role in roles for m in user.memberships)


def schools_where(user, permission):
    """The ids of the schools where `user` holds `permission`, in order."""
    roles = roles_with(permission)
    return sorted({m.school_id for m in user.memberships if m.role in roles})
