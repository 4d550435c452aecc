"""What a member of staff's phone holds offline, and the cursor that says when it changed.

The answer is a whole snapshot (a school's open placements are dozens, not thousands), so a
phone simply replaces what it had: removals need no tombstones. The cursor is the highest
change number among the rows the snapshot is built from. The due items also depend on the date:
a deadline passes at midnight with no row changing. So the snapshot says which day in England
its due items were worked out for (`due_as_of`), and only `since=cursor` together with
`due_as_of=` today answers "unchanged", without building anything.
"""
import time
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from server.dates import school_today
from server.extensions import db
from server.models import (InsetDay, KeyContact, Membership, Placement, PlacementStaff, Provider, Pupil, School,
                           TermPeriod, User, Visit)
from server.models.base import utcnow
from server.permissions import schools_where
from server.services.deadlines import placement_due_items
from server.services.forms import all_forms
from server.vocabulary import OPEN_PLACEMENT_STATUSES

MY_VISITS_DAYS = 60
# What a phone shows as owed: the deadlines a visit meets. Attendance, provider evidence and the
# direction's review date are office work and stay on the office to-do list.
# How long a snapshot waits for writers that hold change numbers below its cursor (see settle_cursor).
SETTLE_SECONDS = 2.0
SETTLE_POLL_SECONDS = 0.005
IN_FLIGHT_WRITERS = sa.text(
    "SELECT x::text FROM pg_snapshot_xip(pg_current_snapshot()) AS x WHERE NOT EXISTS ("
    "SELECT 1 FROM pg_stat_activity AS a WHERE a.backend_xid = xid(x) AND a.datname <> current_database())")
# A §7.2 registration failure is shown too: whoever visits should know the provider must not be used.
# Progress to parents (§4.3) too: whoever sees the family can say it is owed. And what the school
# has not recorded about the pupil (needs, risks, who was consulted): whoever visits meets the
# pupil, the parents and the provider, and reviews the pupil's risks.
PHONE_DUE_KINDS = ("formal_review", "flexi_review", "qa_visit", "welfare_check", "risk_assessment", "action",
                   "registration", "parent_progress", "statutory_partners", "pupil_risk_assessment", "needs_analysis",
                   "information_shared", "parents_consulted")


def _placement_filter(user):
    return sa.and_(Placement.status.in_(OPEN_PLACEMENT_STATUSES), _yours(user))


def _yours(user):
    # "phone.whole_school" carries every placement of the school; anyone else on the phone
    # carries only the placements they are assigned to visit.
    whole = schools_where(user, "phone.whole_school")
    assigned = schools_where(user, "phone.use")
    mine = sa.select(PlacementStaff.placement_id).where(PlacementStaff.user_id == user.id)
    return sa.or_(Placement.school_id.in_(whole), sa.and_(Placement.school_id.in_(assigned), Placement.id.in_(mine)))


def carried_by(user):
    """A SQL truth value, over `placement`: whether `user`'s phone carries that placement (open or
    not), to read beside the placement itself and hand to refusal_to_send()."""
    return _yours(user).label("carried")


def refusal_to_send(user, placement, visit_date, carried=None):
    """Why `user` may not send a visit dated `visit_date` about `placement` (an error code), or
    None when they may: the one rule for which visits a member of staff may send.

    A visit may be sent for any placement this person's phone carries (above), and for one it
    carried that has since ended, when the visit is dated on or before the end date: a visit
    captured offline before the end still arrives, however late. A placement planned and then
    cancelled keeps taking visits: nothing dates the cancellation, and a visit captured while it
    was planned (a concern raised on it above all) must reach the school. The caller has already
    answered 404 for a placement outside the person's schools. `carried`: carried_by(user), when
    the caller read it with the placement."""
    if carried is None:
        carried = db.session.execute(
            sa.select(Placement.id).where(Placement.id == placement.id, _yours(user))).first() is not None
    if not carried:
        return "placement_not_assigned"
    if placement.status == "ended" and visit_date > placement.end_date:
        return "placement_ended_before_visit"
    return None


def change_cursor(user):
    """The highest change number among everything this user's snapshot is built from: one
    statement, each table's part an index-only scan of its `(owner, change_seq)` index."""
    school_ids = schools_where(user, "phone.use")
    parts = [
        sa.select(sa.func.max(User.change_seq).label("seq")).where(User.id == user.id),
        sa.select(sa.func.max(Membership.change_seq)).where(Membership.user_id == user.id),
        sa.select(sa.func.max(School.change_seq)).where(School.id.in_(school_ids)),
        sa.select(sa.func.max(KeyContact.change_seq)).where(KeyContact.school_id.in_(school_ids)),
        sa.select(sa.func.max(TermPeriod.change_seq)).where(TermPeriod.school_id.in_(school_ids)),
        # INSET days move the due dates the snapshot carries.
        sa.select(sa.func.max(InsetDay.change_seq)).where(InsetDay.school_id.in_(school_ids)),
        sa.select(sa.func.max(Provider.change_seq)).where(Provider.school_id.in_(school_ids)),
        sa.select(sa.func.max(Pupil.change_seq)).where(Pupil.school_id.in_(school_ids)),
        sa.select(sa.func.max(Placement.change_seq)).where(Placement.school_id.in_(school_ids)),
        sa.select(sa.func.max(PlacementStaff.change_seq)).where(PlacementStaff.user_id == user.id),
        sa.select(sa.func.max(Visit.change_seq)).where(Visit.author_id == user.id),
    ]
    every_part = sa.union_all(*parts).subquery()
    return db.session.execute(sa.select(sa.func.max(every_part.c.seq))).scalar() or 0


def settle_cursor(cursor):
    """`cursor`, once no change numbered at or below it can still commit; 0 (a whole snapshot next
    time) if that takes longer than SETTLE_SECONDS.

    PostgreSQL hands out change numbers in the order transactions ask, not the order they commit
    (server/models/tracking.py). A writer that took a number at or below `cursor` and has not yet
    committed took its transaction id before its number, and so before the number `cursor` was
    taken and committed: it is among the transactions in flight now. Wait for those to end and
    then read the snapshot, which then holds their changes. Visit writes last milliseconds.
    SQLite numbers changes in commit order, so its cursor is settled already.
    Writers in other databases of the same PostgreSQL are left out; one whose database cannot be
    seen is waited for."""
    if db.session.get_bind().dialect.name != "postgresql":
        return cursor
    in_flight = db.session.execute(IN_FLIGHT_WRITERS).scalars().all()
    deadline = time.monotonic() + SETTLE_SECONDS
    while in_flight:
        in_flight = db.session.execute(
            sa.text("SELECT x::text FROM unnest(CAST(:xids AS xid8[])) AS x WHERE pg_xact_status(x) = 'in progress'"),
            {"xids": in_flight}).scalars().all()
        if not in_flight:
            break
        if time.monotonic() > deadline:
            return 0
        time.sleep(SETTLE_POLL_SECONDS)
    # What the session loaded before now (the user's roles) may predate those commits.
    db.session.expire_all()
    return cursor


def build_snapshot(user, since=None, due_as_of=None):
    """`since` and `due_as_of`: the cursor and the day of the snapshot the phone holds."""
    cursor = change_cursor(user)
    now = utcnow()
    today = school_today()
    if since is not None and since >= cursor and due_as_of == today:
        return {"cursor": cursor, "due_as_of": today, "unchanged": True, "generated_at": now}
    cursor = settle_cursor(cursor)
    school_ids = schools_where(user, "phone.use")
    schools = db.session.execute(
        sa.select(School).where(School.id.in_(school_ids)).order_by(School.name)
        .options(selectinload(School.key_contacts), selectinload(School.term_periods))
    ).scalars().all()
    placements = db.session.execute(
        sa.select(Placement).where(_placement_filter(user)).order_by(Placement.start_date)
        .options(selectinload(Placement.pupil).selectinload(Pupil.school),
                 selectinload(Placement.provider), selectinload(Placement.school))
    ).scalars().all()
    providers = db.session.execute(
        sa.select(Provider).where(Provider.school_id.in_(school_ids)).order_by(Provider.name)
        .options(selectinload(Provider.school))
    ).scalars().all()
    my_visits = db.session.execute(
        sa.select(Visit).where(Visit.author_id == user.id,
                               Visit.received_at >= now - timedelta(days=MY_VISITS_DAYS))
        .order_by(Visit.received_at.desc())
    ).scalars().all()
    due = placement_due_items(placements, today)
    for placement in placements:
        placement.due = [item for item in due.get(placement.id, []) if item["kind"] in PHONE_DUE_KINDS]
    pupils = {p.pupil.id: p.pupil for p in placements}
    return {
        "cursor": cursor,
        "due_as_of": today,
        "unchanged": False,
        "generated_at": now,
        "schools": schools,
        "placements": placements,
        "pupils": sorted(pupils.values(), key=lambda p: (p.last_name, p.first_name)),
        "providers": providers,
        "forms": all_forms(),
        "my_visits": my_visits,
    }
