"""A placement's record (§4.3, §8.6, §9.7), computed from its agreement and its visits: what it
owes now, its reviews half term by half term, missed welfare checks, and the chronology of
everything that happened, each entry with who and when.

The chronology is ordered by the server's receive time; the phone's own time is kept beside it
as evidence, never used to order (docs/OFFLINE_SYNC.md, "Clocks"). Concerns are in the record only
for the people who may read them. A constant number of queries, however long the placement.
"""
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from server.dates import long_date
from server.extensions import db
from server.models import AuditEvent, FollowUpAction, Placement, SafeguardingConcern, User, Visit, VisitVersion
from server.services import before_start, deadlines, parent_progress, registration, review_conditions
from server.services.concerns import ENTRY_KINDS
from server.services.forms import form_items, get_form
from server.services.placement_rules import activation_blockers
from server.services.school_calendar import SchoolCalendar
from server.vocabulary import OPEN_PLACEMENT_STATUSES, labels

REVIEW_DECISIONS = {"visit.signed_off": "signed off", "visit.sent_back": "sent back"}


@dataclass
class Entry:
    at: datetime                 # when the server received or recorded it: the order
    kind: str                    # placement, visit, revision, review, photo, action, action_done,
                                 # concern, concern_note, concern_closed, progress, notice
    title: str
    who: str | None = None
    device_at: datetime | None = None   # the phone's clock, shown beside the server time
    body: str | None = None
    visit_uuid: object = None


@dataclass
class GalleryPhoto:
    photo: object
    visit: object
    item_label: str | None


@dataclass
class PlacementRecord:
    placement: Placement
    due: list
    review_noun: str | None
    review_history: list          # [(window, status, [dates])]
    last_review: date | None
    welfare_missed: list          # school days not on site without a welfare check, since the start
    chronology: list
    gallery: list
    visits: list
    actions: list
    concerns: list                # empty unless the reader may see concerns
    risk_assessment: object
    blockers: list                # what stops a planned placement starting
    calendar_ends: date | None
    unregistered_notice: str | None = None   # open, at an unregistered provider that passes §7.2
    reviews_not_counted: list = field(default_factory=list)   # [(visit, [reasons])]: held, not counted (§8.2)
    progress_reports: list = field(default_factory=list)      # progress information sent to parents (§4.3)
    before_start: list = field(default_factory=list)   # the records owed before the start (before_start.py)
    people: dict = field(default_factory=dict)


# What a record reads of its placement, loaded with it (security.in_school_or_404 takes these).
PLACEMENT_LOAD = (selectinload(Placement.pupil), selectinload(Placement.provider), selectinload(Placement.school))


def build(placement, today, with_concerns):
    visits = db.session.execute(
        sa.select(Visit).where(Visit.placement_id == placement.id).order_by(Visit.received_at, Visit.id)
        .options(selectinload(Visit.versions).selectinload(VisitVersion.author), selectinload(Visit.photos),
                 selectinload(Visit.author))
    ).scalars().all()
    actions = db.session.execute(
        sa.select(FollowUpAction).where(FollowUpAction.placement_id == placement.id)
        .order_by(FollowUpAction.due_on, FollowUpAction.id)
    ).scalars().all()
    concerns = db.session.execute(
        sa.select(SafeguardingConcern).where(SafeguardingConcern.placement_id == placement.id)
        .order_by(SafeguardingConcern.received_at)
        .options(selectinload(SafeguardingConcern.notes), selectinload(SafeguardingConcern.raised_by))
    ).scalars().all() if with_concerns else []
    decisions = db.session.execute(
        sa.select(AuditEvent).where(AuditEvent.object_type == "visit",
                                    AuditEvent.object_id.in_([str(v.uuid) for v in visits]),
                                    AuditEvent.action.in_(tuple(REVIEW_DECISIONS)))
        .order_by(AuditEvent.at, AuditEvent.id)
    ).scalars().all() if visits else []
    people = _people([e.actor_id for e in decisions] + [a.done_by_id for a in actions]
                     + [c.closed_by_id for c in concerns] + [n.author_id for c in concerns for n in c.notes])

    facts = deadlines.load_facts([placement], today)
    progress = parent_progress.reports(placement)
    calendar = facts.calendars.get(placement.school_id) or SchoolCalendar([])
    noun, history, last_review, not_counted = _reviews(placement, calendar, visits, today)
    return PlacementRecord(
        placement=placement,
        due=deadlines.due_items_for(placement, facts, today),
        review_noun=noun, review_history=history, last_review=last_review,
        welfare_missed=_welfare_missed(placement, calendar, visits, today),
        chronology=_chronology(placement, visits, actions, concerns, decisions, people, progress),
        gallery=_gallery(visits),
        visits=visits, actions=actions, concerns=concerns,
        risk_assessment=deadlines.current_risk_assessment(facts.assessments.get(placement.provider_id, ())),
        blockers=_blockers(placement, today),
        calendar_ends=calendar.last_day,
        unregistered_notice=registration.unregistered_notice(
            placement.provider, facts.open_at_provider.get(placement.provider_id, []))
        if placement.status in OPEN_PLACEMENT_STATUSES else None,
        people=people,
        reviews_not_counted=not_counted,
        progress_reports=progress,
        before_start=before_start.owed(placement),
    )


def _people(ids):
    ids = sorted({i for i in ids if i is not None})
    if not ids:
        return {}
    return {user.id: user for user in db.session.execute(sa.select(User).where(User.id.in_(ids))).scalars()}


def _reviews(placement, calendar, visits, today):
    if placement.kind == "flexi_schooling":
        noun, windows, kinds = "Flexi-schooling review (termly)", calendar.terms, ("flexi_review",)
    elif placement.kind in deadlines.HALF_TERMLY_REVIEW_PLACEMENT_KINDS:
        noun, windows, kinds = "Formal review (half-termly)", calendar.half_terms, deadlines.FORMAL_REVIEW_KINDS
    else:
        return None, [], None, []
    # Only a review that meets §8.2 (signed off, pupil and parents there or why not) counts; the
    # others are listed with why. A review dated after today counts for nothing yet.
    held = [(v, review_conditions.held(v, v.versions[-1])) for v in visits
            if v.kind in kinds and v.versions and v.visit_date <= today]
    dates = [review.visit_date for _, review in held if review.counts]
    history = deadlines.review_history(calendar, windows, placement, dates, today)
    not_counted = [(visit, review.reasons) for visit, review in held if not review.counts]
    return noun, history, max(dates) if dates else None, sorted(not_counted, key=lambda pair: pair[0].visit_date)


def _welfare_missed(placement, calendar, visits, today):
    if placement.kind != "part_time_timetable":
        return []
    checked = {v.visit_date for v in visits if v.kind == "welfare_check"}
    owed = deadlines.off_site_days(placement, calendar, placement.start_date, today - timedelta(days=1))
    return [day for day in owed if day not in checked]


def _blockers(placement, today):
    """What stops a planned placement starting (none once it has started)."""
    return activation_blockers(placement, today) if placement.status == "planned" else []


def _chronology(placement, visits, actions, concerns, decisions, people, progress_reports=()):
    kinds = labels("visit_kinds")
    modes = labels("visit_modes")
    entries = [Entry(at=placement.created_at, kind="placement", title="Placement recorded")]
    for report in progress_reports:
        entries.append(Entry(at=report.recorded_at, kind="progress", title="Progress information sent to parents",
                             who=report.recorded_by.full_name, body=parent_progress.describe(report)
                             + (f": {report.summary}" if report.summary else "")))
    if placement.flexi_notice_on is not None and placement.flexi_notice_recorded_at is not None:
        who = labels("notice_givers").get(placement.flexi_notice_by, placement.flexi_notice_by)
        entries.append(Entry(at=placement.flexi_notice_recorded_at, kind="notice",
                             title="Notice to withdraw from flexi-schooling recorded",
                             who=placement.flexi_notice_recorded_by.full_name if placement.flexi_notice_recorded_by
                             else None,
                             body=f"Given by {who.lower()} on {long_date(placement.flexi_notice_on)}; ends on "
                                  f"{long_date(placement.planned_end_date)}"
                                  + (f". Earlier end agreed: {placement.flexi_notice_earlier_end_agreed}"
                                     if placement.flexi_notice_earlier_end_agreed else "")))
    visit_by_uuid = {str(v.uuid): v for v in visits}
    for visit in visits:
        name = kinds.get(visit.kind, visit.kind)
        for version in visit.versions:
            first = version.version == 1
            entries.append(Entry(
                at=version.received_at, kind="visit" if first else "revision",
                title=f"{name} received" if first else f"{name} corrected (version {version.version})",
                who=version.author.full_name, device_at=version.device_completed_at,
                body=f"Visit on {long_date(version.visit_date)}, "
                     f"{modes.get(version.mode, version.mode).lower()}",
                visit_uuid=visit.uuid))
        for photo in visit.photos:
            if photo.stored_at is not None:
                entries.append(Entry(at=photo.stored_at, kind="photo", title="Photo received",
                                     who=visit.author.full_name, body=photo.caption, visit_uuid=visit.uuid))
    for event in decisions:
        visit = visit_by_uuid.get(event.object_id)
        actor = people.get(event.actor_id)
        comment = (event.details or {}).get("comment")
        entries.append(Entry(
            at=event.at, kind="review", who=actor.full_name if actor else None, body=comment,
            title=f"{kinds.get(visit.kind, visit.kind)} {REVIEW_DECISIONS[event.action]}",
            visit_uuid=visit.uuid))
    for action in actions:
        entries.append(Entry(at=action.created_at, kind="action", title="Follow-up action agreed",
                             who=action.owner_name,
                             body=f"{action.description} (due {long_date(action.due_on)})"))
        if action.done_at is not None:
            done_by = people.get(action.done_by_id)
            entries.append(Entry(at=action.done_at, kind="action_done", title="Follow-up action done",
                                 who=done_by.full_name if done_by else None,
                                 body=action.description + (f" — {action.done_note}" if action.done_note else "")))
    for concern in concerns:
        entries.append(Entry(at=concern.received_at, kind="concern", title="Safeguarding concern raised",
                             who=concern.raised_by.full_name, device_at=concern.raised_at_device, body=concern.text,
                             visit_uuid=next((v.uuid for v in visits if v.id == concern.visit_id), None)))
        for note in concern.notes:
            author = people.get(note.author_id)
            kind = ENTRY_KINDS.get(note.kind, note.kind)
            entries.append(Entry(at=note.created_at, kind="concern_note",
                                 title=f"Concern: {kind[0].lower()}{kind[1:]}",
                                 who=author.full_name if author else None, body=note.text))
        if concern.closed_at is not None:
            closer = people.get(concern.closed_by_id)
            entries.append(Entry(at=concern.closed_at, kind="concern_closed", title="Concern closed by the DSL",
                                 who=closer.full_name if closer else None, body=concern.outcome))
    order = {id(entry): index for index, entry in enumerate(entries)}
    return sorted(entries, key=lambda e: (e.at, order[id(e)]))


def _gallery(visits):
    photos = []
    for visit in sorted(visits, key=lambda v: (v.visit_date, v.id), reverse=True):
        version = visit.versions[-1] if visit.versions else None
        form = get_form(version.form_id, version.form_version) if version else None
        item_labels = {item["key"]: item["label"] for item in form_items(form)} if form else {}
        for photo in visit.photos:
            if photo.stored_at is not None:
                photos.append(GalleryPhoto(photo, visit, item_labels.get(photo.item_key)))
    return photos

