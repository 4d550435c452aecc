"""Statutory partners (§7.5, §7.6, §8.8): who must be consulted before a placement starts, given
who the pupil is, recorded with who was consulted and when.

- a pupil with an EHCP: the local authority (§7.5);
- a looked-after pupil: the Virtual School Head and the social worker (§7.6, §8.8);
- a pupil with an allocated social worker: the social worker.
Each one owed and not recorded (both who and when) stops the start. The pupil's flags are read
now, so a flag set after the start (a pupil becomes looked after, gets an EHCP or a social
worker) makes the consultation owed at once: an overdue item on the to-do, the records and the
phone (`due`) until it is recorded, not a start gate then.
Plain functions of values, no database.
"""
from datetime import timedelta


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


def not_consulted(placement):
    """The partner keys owed and not recorded (both who and when)."""
    found = []
    for key in owed(placement.pupil):
        name = (getattr(placement, f"{key}_consulted_name") or "").strip()
        if not name or getattr(placement, f"{key}_consulted_on") is None:
            found.append(key)
    return found


def start_blockers(placement):
    return [f"Consult {PARTNERS[key][0]} and record who and when ({PARTNERS[key][1]})."
            for key in not_consulted(placement)]


def due(placement, today):
    """An active placement whose pupil now needs a partner not recorded as consulted: one overdue
    item per partner (kind `statutory_partners`). The product does not keep when a flag was set,
    so it is dated the day before the start, when it was owed (at the latest yesterday): overdue
    the day it is found, and stable from day to day."""
    if placement.status != "active":
        return []
    on = min(placement.start_date, today) - timedelta(days=1)
    return [("statutory_partners", f"Consult {PARTNERS[key][0]} and record who and when: the pupil's "
             f"circumstances need it ({PARTNERS[key][1]})", on, today > on) for key in not_consulted(placement)]
