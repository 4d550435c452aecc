"""Statutory partners (§7.5, §7.6, §8.8): who must be consulted before a placement starts, given
who the pupil is, recorded with who was consulted and when.

- a pupil with an EHCP: the local authority (§7.5);
- a looked-after pupil: the Virtual School Head and the social worker (§7.6, §8.8);
- a pupil with an allocated social worker: the social worker.
Each one owed and not recorded (both who and when) stops the start. The pupil's flags are read
now, so a flag set after the start makes the consultation owed on the next change, like §7.2.
Plain functions of values, no database.
"""

# key: (who, in words; policy section; whether this pupil needs them). Fields: <key>_consulted_name
# (who was consulted) and <key>_consulted_on (when).
PARTNERS = {
    "local_authority": ("the local authority (SEN team)", "§7.5", lambda pupil: pupil.ehcp),
    "virtual_school": ("the Virtual School Head", "§7.6, §8.8", lambda pupil: pupil.looked_after),
    "social_worker": ("the pupil's social worker", "§7.6", lambda pupil: pupil.looked_after or pupil.has_social_worker),
}
NAME_MAX_LENGTH = 200


def owed(pupil):
    """The partner keys this pupil's placement must consult."""
    if pupil is None:
        return []
    return [key for key, (_, _, needs) in PARTNERS.items() if needs(pupil)]


def start_blockers(placement):
    found = []
    for key in owed(placement.pupil):
        who, section, _ = PARTNERS[key]
        name = (getattr(placement, f"{key}_consulted_name") or "").strip()
        if not name or getattr(placement, f"{key}_consulted_on") is None:
            found.append(f"Consult {who} and record who and when ({section}).")
    return found
