"""Who may do what: the one table of named permissions and the roles that hold them.

Views, the API, the phone's bootstrap and the office navigation ask this module; no other file
lists roles for a decision. A role holds a permission in a school, never across schools: every
check takes the school it is about.

The roles and what they are for are in `shared_schemas/vocabulary.json` and docs/DOMAIN.md.
docs/security.md shows this table as a grid (a test keeps the two the same).
"""
from server.vocabulary import ROLES

_SENIOR = ("headteacher", "ap_leader")
_ADMINISTRATION = ("ap_leader", "headteacher", "admin")
_RECORD_READERS = ("ap_leader", "dsl", "headteacher", "admin", "trust_lead")

PERMISSIONS = {
    # The office's landing page: everyone on the staff lands there and finds their own links.
    "office.open": ROLES,
    # The phone: everyone but governors (aggregates only) signs in on it, sends visits and can be
    # assigned to visit a placement.
    "phone.use": ("ap_leader", "dsl", "headteacher", "trust_lead", "admin", "attendance_officer",
                  "visiting_staff"),
    # Whose phone carries every open placement of the school; visiting staff carry only theirs.
    "phone.whole_school": ("ap_leader", "dsl", "headteacher", "trust_lead", "admin", "attendance_officer"),
    # School administration (providers, pupils, placements, staff, settings): who runs the school's AP.
    "school.administer": _ADMINISTRATION,
    # Key contacts, term dates and LA settings: a trust lead overseeing deadlines reads them too.
    "school.read_settings": _ADMINISTRATION + ("trust_lead",),
    # Staff accounts (emails, phones, invitations) are the school's own business, not the trust's.
    "staff.read": _ADMINISTRATION,
    # Pupils, placements and providers: the DSL needs them for concerns, trust leads read across schools.
    "pupil.read": _ADMINISTRATION + ("trust_lead", "dsl"),
    # Placement and provider records, their photos and evidence, and the to-do list built from them.
    "placement.read_record": _RECORD_READERS,
    # Signing off visits (never one's own) and recording provider changes: the senior leaders (§4.3).
    "visit.review": _SENIOR,
    # Trust leads read the review queue across their schools but do not decide.
    "visit.read_review": _SENIOR + ("trust_lead",),
    # Marking follow-up actions done (§8.6): those who run AP, and the DSL for safeguarding actions.
    "action.write": ("ap_leader", "headteacher", "admin", "dsl"),
    # Safeguarding concerns: who reads them (§4.4), and who acts on them: the DSL alone.
    "concern.read": ("dsl", "ap_leader", "trust_lead"),
    "concern.act": ("dsl",),
    # A part-time timetable is approved by the head or the AP leader (§9.5).
    "placement.approve_part_time": _SENIOR,
    # The mitigations that let a risky placement start (§7.8) are the headteacher's decision.
    "placement.approve_mitigations": ("headteacher",),
    # Recording progress information sent to parents each half term (§4.3): those who run AP.
    "placement.record_parent_progress": _ADMINISTRATION,
    # Recording a notice of withdrawal from flexi-schooling, which sets its end (§10.6).
    "placement.record_flexi_notice": _ADMINISTRATION,
    # The daily register (§4.5): the attendance officer, and those who run AP cover for them.
    "attendance.register": ("attendance_officer", "ap_leader", "headteacher", "admin"),
    # The register's marks as CSV for the school's MIS (pupil names and absence reasons): those who
    # keep the register, and no one else.
    "attendance.export": ("attendance_officer", "ap_leader", "headteacher", "admin"),
    # Pupil-level documents (PDFs, CSV exports, the LA list): the record readers, never governors.
    "document.pupil": _RECORD_READERS,
    # The governors' report holds no pupil: governors read it (§4.1), and so do the record readers.
    "report.read": _RECORD_READERS + ("governor",),
    # Recording that the local authority has been told (§7.12): those who run the school's AP.
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
