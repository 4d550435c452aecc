"""What the school must tell its local authority about, over a period: new off-site placements
(§7.12: off-site AP and off-site directions starting in the period), and the part-time
timetables (§9.7) and flexi-schooling arrangements (§10.7) in place during it. Each row carries
what the LA asks for, and the date the school recorded telling it.

No Flask request globals; callers pass the person and the date. Nothing here commits.
"""
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from server.extensions import db
from server.models import Placement
from server.services import audit
from server.services.refusal import Refused
from server.vocabulary import labels

NEW_PLACEMENT_KINDS = {"off_site_ap": "§7.12", "off_site_direction": "§7.12"}
ARRANGEMENT_KINDS = {"part_time_timetable": "§9.7", "flexi_schooling": "§10.7"}
LISTED_STATUSES = ("planned", "active", "ended")   # a cancelled placement never happened
HEADER = ["Reason", "Pupil", "Date of birth", "Year group", "EHCP", "Looked after", "Kind", "Provider",
          "Start date", "Sessions a week", "LA informed on"]


@dataclass
class Notification:
    placement: Placement
    reason: str

    @property
    def pupil(self):
        return self.placement.pupil

    def row(self):
        """The values of HEADER for this placement (dates as dates, flags as booleans)."""
        placement, pupil = self.placement, self.placement.pupil
        return [self.reason, pupil.full_name, pupil.date_of_birth, pupil.year_group, pupil.ehcp, pupil.looked_after,
                labels("placement_kinds").get(placement.kind, placement.kind),
                placement.provider.name if placement.provider else None, placement.start_date,
                len(placement.sessions or ()), placement.la_informed_on]


def notifications(school_id, period):
    """Every placement the LA should hear about in `period`, by start date."""
    starts_in_period = sa.and_(Placement.kind.in_(tuple(NEW_PLACEMENT_KINDS)),
                               Placement.start_date.between(period.starts_on, period.ends_on))
    in_place_during = sa.and_(Placement.kind.in_(tuple(ARRANGEMENT_KINDS)), Placement.start_date <= period.ends_on,
                              sa.or_(Placement.end_date.is_(None), Placement.end_date >= period.starts_on))
    placements = db.session.execute(
        sa.select(Placement)
        .where(Placement.school_id == school_id, Placement.status.in_(LISTED_STATUSES),
               sa.or_(starts_in_period, in_place_during))
        .order_by(Placement.start_date, Placement.id)
        .options(selectinload(Placement.pupil), selectinload(Placement.provider))).scalars().all()
    return [Notification(p, _reason(p)) for p in placements]


def _reason(placement):
    kind = labels("placement_kinds").get(placement.kind, placement.kind)
    if placement.kind in NEW_PLACEMENT_KINDS:
        return f"New {kind.lower()} ({NEW_PLACEMENT_KINDS[placement.kind]})"
    return f"{kind} ({ARRANGEMENT_KINDS[placement.kind]})"


def mark_informed(school_id, placement_uuids, informed_on, actor, today):
    """Record that the LA was told on `informed_on` about these placements of the school.
    Refuses (changing nothing) a date in the future, an empty choice, or a placement that is not
    the school's."""
    if informed_on > today:
        raise Refused("validation_failed",
                      "The date the local authority was told cannot be in the future.", field="informed_on")
    wanted = {str(uuid) for uuid in placement_uuids}
    if not wanted:
        raise Refused("validation_failed", "Tick the placements the local authority was told about.", field="placement")
    placements = db.session.execute(
        sa.select(Placement).where(Placement.school_id == school_id,
                                   Placement.uuid.in_(list(placement_uuids)))).scalars().all()
    if len(placements) != len(wanted):
        raise Refused("validation_failed",
                      "Some of the ticked placements are not this school's. Reload the page and try again.",
                      field="placement")
    for placement in placements:
        before = placement.la_informed_on
        placement.la_informed_on = informed_on
        audit.record("placement.la_informed", placement, actor=actor, informed_on=informed_on.isoformat(),
                     before=before.isoformat() if isinstance(before, date) else None)
    db.session.flush()
    return placements
