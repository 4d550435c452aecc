"""The §7.2 registration test: when an unregistered provider must be registered before it is used.

The test is worked out from what is recorded now, so every change re-runs it: editing a
placement's sessions, a pupil's EHCP or looked-after flag, or starting another placement at the
provider changes its answer for every open placement there. No Flask request globals.

- `failure()`: why the provider must be registered and is not, or None. A failure blocks new
  starts (placement_rules), and is an overdue safeguarding item (`due_on()`) on the to-do, the
  placement and provider records and the phone's due list (deadlines.registration_due).
- `unregistered_notice()`: a provider that is unregistered but passes the test is usable, and
  says so at the start and on the records, so nobody mistakes it for a registered one.
"""
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from server.extensions import db
from server.models import Placement, Pupil
from server.vocabulary import OPEN_PLACEMENT_STATUSES

POLICY_SECTION = "§7.2"
# Statuses that mean the provider is registered with Ofsted or the DfE.
REGISTERED_STATUSES = ("registered_independent_school", "registered_other")
# The school's own unit is covered by the school's registration.
EXEMPT_STATUSES = ("on_site_unit",)
UNREGISTERED_STATUS = "unregistered"
# §7.2: full-time education for this many pupils makes registration a legal requirement.
REGISTRATION_PUPIL_THRESHOLD = 5
# A placement counts as full time when it covers at least this many of the ten weekly sessions:
# seven sessions is about 18 hours, the DfE's working threshold for "full-time education".
FULL_TIME_SESSIONS = 7


def is_full_time(placement):
    return len(set(placement.sessions or ())) >= FULL_TIME_SESSIONS


def failure(provider, open_placements=None):
    """Why this provider must be registered and is not (§7.2), or None.

    Counts the larger of the provider's own full-time figure (pupils from every school) and
    this school's open full-time placements there, and any full-time pupil with an EHCP or who
    is looked after, for whom one is enough. A list of providers passes each one's open
    placements (`open_placements_by_provider`), read once for the whole list.
    """
    if provider is None or provider.registration_status in REGISTERED_STATUSES + EXEMPT_STATUSES:
        return None
    placements = open_placements_at(provider) if open_placements is None else open_placements
    full_time = [p for p in placements if is_full_time(p)]
    pupils_here = {p.pupil_id for p in full_time}
    count = max(provider.full_time_pupils or 0, len(pupils_here))
    special = sorted({p.pupil.full_name for p in full_time if p.pupil.ehcp or p.pupil.looked_after})
    if special:
        return (f"{provider.name} is not registered but teaches full time a pupil with an EHCP or who is "
                f"looked after ({', '.join(special)}). It must be registered before it is used: do not use it "
                f"and report it to the local authority ({POLICY_SECTION}).")
    if count >= REGISTRATION_PUPIL_THRESHOLD:
        return (f"{provider.name} is not registered but teaches {count} pupils full time. With "
                f"{REGISTRATION_PUPIL_THRESHOLD} or more it must be registered: do not use it and report it "
                f"to the local authority ({POLICY_SECTION}).")
    return None


def unregistered_notice(provider, open_placements=None):
    """For an unregistered provider that passes the test: the warning shown at the start and on
    the records. None for a registered, on-site or online-only provider, or one that fails."""
    if provider is None or provider.registration_status != UNREGISTERED_STATUS:
        return None
    if failure(provider, open_placements) is not None:
        return None
    return (f"Unregistered provider: {provider.name} is not registered with Ofsted or the DfE. It may be used "
            f"only while it passes the registration test: fewer than {REGISTRATION_PUPIL_THRESHOLD} pupils full "
            f"time and none full time with an EHCP or who is looked after ({POLICY_SECTION}). The test is re-run "
            "whenever sessions, pupils or placements there change.")


def due_on(open_placements, today):
    """When a failure is owed, given the provider's open placements (None: nobody is placed there).

    Pupils already there: overdue, from the earliest start of an active placement (and at the
    latest from yesterday, so it is overdue the day it is found). Only planned ones: the day
    before the earliest start, like the pre-placement check; the start is refused meanwhile."""
    active = [p.start_date for p in open_placements if p.status == "active"]
    if active:
        return min(min(active), today - timedelta(days=1))
    planned = [p.start_date for p in open_placements if p.status == "planned"]
    return min(planned) - timedelta(days=1) if planned else None


def open_placements_at(provider):
    return open_placements_by_provider([provider]).get(provider.id, [])


def open_placements_by_provider(providers):
    """{provider id: this school's open placements there, with their pupils}, in one query."""
    if not providers:
        return {}
    found = {}
    for placement in db.session.execute(
            sa.select(Placement).join(Pupil, Placement.pupil_id == Pupil.id)
            .where(sa.or_(*(sa.and_(Placement.provider_id == p.id, Placement.school_id == p.school_id)
                            for p in providers)), Placement.status.in_(OPEN_PLACEMENT_STATUSES))
            .options(selectinload(Placement.pupil))).scalars():
        found.setdefault(placement.provider_id, []).append(placement)
    return found
