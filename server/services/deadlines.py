"""The deadlines the policy sets for each placement and provider, worked out from the visits
already received. docs/rollup.md states every rule exactly as implemented here.

`placement_due_items(placements, today)` is the batched entry point (the phone's bootstrap and
the office to-do use it): a constant number of queries however many placements it is given.
The rules themselves are plain functions of facts and dates, so they read like the policy and
are tested against real term dates.

Every item has the same meaning for "overdue": today is later than `due_on`.
"""
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa

from server.dates import england_day, long_date, short_date
from server.extensions import db
from server.models import AttendanceRecord, FollowUpAction, ProviderEvidence, RiskAssessment, Visit
from server.services import (agreement, before_start, flexi, parent_progress, partners, registration,
                             review_conditions, start_gates, time_limits)
from server.services.school_calendar import SchoolCalendar, load_calendars, weekday_code
from server.vocabulary import OPEN_PLACEMENT_STATUSES, labels

# §8.3: any of these, held on a placement, is its formal review; it counts only when it meets
# the conditions of §8.2 (review_conditions.py).
FORMAL_REVIEW_KINDS = review_conditions.FORMAL_REVIEW_KINDS
# Flexi-schooling is reviewed termly (§10.6) instead of half-termly.
HALF_TERMLY_REVIEW_PLACEMENT_KINDS = ("off_site_ap", "on_site_ap", "off_site_direction", "part_time_timetable")
# A half term (or term) is owed a review only when the placement is active on at least this
# many of its school days: a placement starting in the last two weeks of a half term owes its
# first review in the next one.
MIN_SCHOOL_DAYS_OWED = 10
# How far back the to-do looks for missed welfare checks and unrecorded attendance; the
# placement record lists every missed day since the start.
LOOKBACK_DAYS = 28
# How far ahead the next owed welfare-check day is looked for.
WELFARE_LOOKAHEAD_DAYS = 42
# §7.9: a material change asks for a review of the risk assessment within this many days.
MATERIAL_CHANGE_REVIEW_DAYS = 14

KIND_LABELS = {
    "formal_review": "Formal review",
    "flexi_review": "Flexi-schooling review",
    "direction_review": "Off-site direction review",
    "qa_visit": "QA visit",
    "welfare_check": "Welfare check",
    "attendance": "Attendance",
    "risk_assessment": "Risk assessment",
    "provider_evidence": "Provider evidence",
    "action": "Follow-up action",
    "registration": "Registration",
    "direction_end": "Off-site direction ends",
    "part_time_end": "Part-time timetable ends",
    "parent_progress": "Progress to parents",
    "flexi_notice": "Flexi-schooling ends (notice given)",
    **before_start.KIND_LABELS,
    "statutory_partners": "Statutory partners",
}
# Where in the school's AP policy each kind of deadline comes from (docs/rollup.md, "source").
POLICY_SECTIONS = {
    "formal_review": "§8.3",
    "flexi_review": "§10.6",
    "direction_review": "§6.2",
    "qa_visit": "§8.3",
    "welfare_check": "§9.6",
    "attendance": "§4.5",
    "risk_assessment": "§7.8, §7.9",
    "provider_evidence": "§7.8, §7.9",
    "action": "§8.6",
    "registration": "§7.2",
    "direction_end": "§6.2",
    "part_time_end": "§9.4",
    "parent_progress": "§4.3",
    "flexi_notice": "§10.6",
    **before_start.POLICY_SECTIONS,
    "statutory_partners": "§7.5, §7.6, §8.8",
}


@dataclass
class DueItem:
    kind: str
    label: str
    due_on: date
    overdue: bool
    placement_id: int | None = None
    provider_id: int | None = None
    action_uuid: object = None

    def as_dict(self):
        return {"kind": self.kind, "label": self.label, "due_on": self.due_on, "overdue": self.overdue}


def sort_key(item):
    return (not item.overdue, item.due_on, item.kind, item.label)


# --- Facts, loaded in a constant number of queries --------------------------------------------

@dataclass
class Facts:
    calendars: dict = field(default_factory=dict)            # school_id -> SchoolCalendar
    last_visit: dict = field(default_factory=dict)           # (placement_id, visit kind) -> date
    welfare_days: dict = field(default_factory=lambda: defaultdict(set))   # placement_id -> {date}
    attendance: dict = field(default_factory=lambda: defaultdict(set))     # placement_id -> {(date, "am")}
    assessments: dict = field(default_factory=lambda: defaultdict(list))   # provider_id -> [RiskAssessment]
    evidence: dict = field(default_factory=lambda: defaultdict(list))      # provider_id -> [ProviderEvidence]
    actions: dict = field(default_factory=lambda: defaultdict(list))       # placement_id -> [open actions]
    providers: dict = field(default_factory=dict)                          # provider_id -> Provider
    # provider_id -> the school's open placements there, with pupils: the §7.2 test counts them all,
    # not only those the reader was given.
    open_at_provider: dict = field(default_factory=dict)
    reviews: dict = field(default_factory=dict)          # placement_id -> [review_conditions.HeldReview]
    progress_sent: dict = field(default_factory=dict)    # placement_id -> last day progress went to parents
    signed_off_review: dict = field(default_factory=dict)   # placement_id -> latest signed-off formal review

    def last_formal_review(self, placement_id, kinds=FORMAL_REVIEW_KINDS):
        """The latest review of these kinds that counts (§8.2)."""
        return review_conditions.last_counted(self.reviews.get(placement_id, ()), kinds)


def load_facts(placements, today, school_ids=()):
    """Everything the rules need for these placements (and the calendars of `school_ids`)."""
    facts = Facts()
    ids = [p.id for p in placements]
    facts.calendars = load_calendars(sorted({p.school_id for p in placements} | set(school_ids)))
    providers = sorted({p.provider_id for p in placements if p.provider_id})
    since = today - timedelta(days=LOOKBACK_DAYS)
    if ids:
        # A visit dated after today clears nothing ahead of time. The sync refuses such dates
        # (visit_date_in_future); this keeps rows stored before that from counting.
        rows = db.session.execute(
            sa.select(Visit.placement_id, Visit.kind, sa.func.max(Visit.visit_date))
            .where(Visit.placement_id.in_(ids), Visit.kind == "qa_visit", Visit.visit_date <= today)
            .group_by(Visit.placement_id, Visit.kind))
        facts.last_visit = {(placement_id, kind): day for placement_id, kind, day in rows}
        facts.reviews = review_conditions.load(ids, today)
        facts.progress_sent = parent_progress.last_sent(ids, today)
        facts.signed_off_review = before_start.last_signed_off_reviews(ids, FORMAL_REVIEW_KINDS, today)
        part_time = [p.id for p in placements if p.kind == "part_time_timetable"]
        if part_time:
            for placement_id, day in db.session.execute(
                    sa.select(Visit.placement_id, Visit.visit_date)
                    .where(Visit.placement_id.in_(part_time), Visit.kind == "welfare_check",
                           Visit.visit_date.between(since, today))):
                facts.welfare_days[placement_id].add(day)
        for placement_id, day, session in db.session.execute(
                sa.select(AttendanceRecord.placement_id, AttendanceRecord.on_date, AttendanceRecord.session)
                .where(AttendanceRecord.placement_id.in_(ids), AttendanceRecord.on_date >= since)):
            facts.attendance[placement_id].add((day, session))
        for action in db.session.execute(
                sa.select(FollowUpAction).where(FollowUpAction.placement_id.in_(ids),
                                                FollowUpAction.done_at.is_(None))).scalars():
            facts.actions[action.placement_id].append(action)
    if providers:
        facts.providers = {p.provider_id: p.provider for p in placements if p.provider_id}
        facts.open_at_provider = registration.open_placements_by_provider(list(facts.providers.values()))
        for assessment in db.session.execute(
                sa.select(RiskAssessment).where(RiskAssessment.provider_id.in_(providers))).scalars():
            facts.assessments[assessment.provider_id].append(assessment)
        for evidence in db.session.execute(
                sa.select(ProviderEvidence).where(ProviderEvidence.provider_id.in_(providers))).scalars():
            facts.evidence[evidence.provider_id].append(evidence)
    return facts


# --- The batched entry point ------------------------------------------------------------------

def placement_due_items(placements, today):
    """{placement.id: [{"kind", "label", "due_on", "overdue"}, ...]}, overdue first, then by date.

    Active placements owe everything below; planned ones owe only their provider's check, risk
    assessment and evidence (the rest starts with the placement); ended and cancelled ones owe
    nothing. `due_on` is a datetime.date.
    """
    facts = load_facts(placements, today)
    return {p.id: [item.as_dict() for item in due_items_for(p, facts, today)] for p in placements}


def due_items_for(placement, facts, today):
    items = placement_items(placement, facts, today)
    if placement.provider_id and placement.status in OPEN_PLACEMENT_STATUSES:
        items += provider_items(placement.provider_id, facts, today, needed_from=placement.start_date)
    return sorted(items, key=sort_key)


def placement_items(placement, facts, today):
    """What this placement itself owes (not its provider)."""
    if placement.status != "active":
        return []
    calendar = facts.calendars.get(placement.school_id) or SchoolCalendar([])
    items = []
    reviews = facts.reviews.get(placement.id, ())
    if placement.kind in HALF_TERMLY_REVIEW_PLACEMENT_KINDS:
        items += explained(periodic_review_due(
            "formal_review", "Formal review", owed_windows(calendar, calendar.half_terms, placement),
            facts.last_formal_review(placement.id), today), reviews, FORMAL_REVIEW_KINDS)
    if placement.kind == "flexi_schooling":
        items += explained(periodic_review_due(
            "flexi_review", "Flexi-schooling review", owed_windows(calendar, calendar.terms, placement),
            facts.last_formal_review(placement.id, ("flexi_review",)), today), reviews, ("flexi_review",))
    items += periodic_review_due(
        parent_progress.KIND, parent_progress.NOUN, owed_windows(calendar, calendar.half_terms, placement),
        facts.progress_sent.get(placement.id), today, never=parent_progress.NEVER)
    items += qa_visit_due(placement, calendar, facts.last_visit.get((placement.id, "qa_visit")), today)
    items += welfare_checks_due(placement, calendar, facts.welfare_days.get(placement.id, set()), today)
    items += attendance_due(placement, calendar, facts.attendance.get(placement.id, set()), today)
    items += direction_review_due(placement, today)
    items += [DueItem(*parts) for parts in time_limits.due(placement, today)]
    items += [DueItem(*parts) for parts in flexi.due(placement, today)]
    items += [DueItem(*parts) for parts in partners.due(placement, today)]
    items += [DueItem(*parts)
              for parts in before_start.due(placement, facts.signed_off_review.get(placement.id), today)]
    items += actions_due(facts.actions.get(placement.id, ()), today)
    for item in items:
        item.placement_id = placement.id
    return items


def provider_items(provider_id, facts, today, needed_from):
    """What a provider owes before (and while) pupils are placed there from `needed_from`."""
    items = risk_assessment_due(facts.assessments.get(provider_id, ()), today, needed_from)
    items += registration_due(facts.providers.get(provider_id), facts.open_at_provider.get(provider_id, []), today)
    items += evidence_due(facts.evidence.get(provider_id, ()), today)
    for item in items:
        item.provider_id = provider_id
    return items


# --- Half-termly and termly reviews (§8.3, §10.6) ---------------------------------------------

def owed_windows(calendar, windows, placement):
    """The half terms (or terms) in which this placement owes a review: those where it is
    active on at least MIN_SCHOOL_DAYS_OWED school days (all of them, in a shorter one)."""
    end = placement.end_date
    owed = []
    for window in windows:
        first = max(placement.start_date, window.starts_on)
        last = min(end, window.ends_on) if end else window.ends_on
        if first > last:
            continue
        active = calendar.count_school_days(first, last)
        if active and active >= min(MIN_SCHOOL_DAYS_OWED, calendar.count_school_days(window.starts_on, window.ends_on)):
            owed.append(window)
    return owed


def periodic_review_due(kind, noun, owed, last_done, today, never="none held yet"):
    """One item: overdue when a past owed window had no review in or after it; otherwise due
    by the end of the next owed window not yet covered. `last_done` is the latest review date."""
    def uncovered(window):
        return last_done is None or last_done < window.window_start

    missed = [w for w in owed if w.ends_on < today and uncovered(w)]
    if missed:
        since = f"none since {long_date(last_done)}" if last_done else never
        return [DueItem(kind, f"{noun} overdue: {since} (was due by the end of {missed[0].label})",
                        missed[0].ends_on, True)]
    upcoming = next((w for w in owed if w.ends_on >= today and uncovered(w)), None)
    if upcoming is None:
        return []
    return [DueItem(kind, f"{noun} due by the end of {upcoming.label}", upcoming.ends_on, False)]


def explained(items, reviews, kinds):
    """Review items saying why the latest review held does not count, if it does not (§8.2)."""
    for item in items:
        item.label = review_conditions.explain(item.label, reviews, kinds)
    return items


def review_history(calendar, windows, placement, review_dates, today):
    """Every owed window up to the next one: [(window, status, [review dates])], status one of
    done, missed, due (the current one, not yet held), upcoming."""
    history = []
    for window in owed_windows(calendar, windows, placement):
        held = sorted(d for d in review_dates if window.contains(d))
        if held:
            status = "done"
        elif window.ends_on < today:
            status = "missed"
        elif window.window_start <= today:
            status = "due"
        else:
            status = "upcoming"
        history.append((window, status, held))
        if window.window_start > today:
            break  # show only the next one ahead
    return history


# --- QA visits (§8.3) -------------------------------------------------------------------------

def qa_visit_due(placement, calendar, last_visit, today):
    """Every `qa_visit_every_weeks` weeks from the last QA visit (or the start). A date that
    falls outside term time moves to the next school day."""
    weeks = placement.qa_visit_every_weeks
    if not weeks:
        # §8.1: an off-site placement always has QA visits; with no frequency set, that is owed.
        if placement.kind in agreement.OFF_SITE_KINDS:
            return [DueItem("qa_visit", agreement.QA_FREQUENCY_MISSING, placement.start_date,
                            today > placement.start_date)]
        return []
    base = last_visit if last_visit and last_visit >= placement.start_date else placement.start_date
    due = base + timedelta(weeks=weeks)
    if calendar.periods and not calendar.is_school_day(due):
        due = calendar.next_school_day(due) or due
    last = f"last on {long_date(last_visit)}" if last_visit else "none yet"
    return [DueItem("qa_visit", f"QA visit (every {weeks} weeks; {last})", due, today > due)]


# --- Welfare checks (§9.6) --------------------------------------------------------------------

def off_site_days(placement, calendar, first, last):
    """School days from `first` to `last` on which a part-time pupil attends no session."""
    attended = {session.split("_")[0] for session in placement.sessions or ()}
    first = max(first, placement.start_date)
    if placement.end_date:
        last = min(last, placement.end_date)
    return [day for day in calendar.school_days(first, last) if weekday_code(day) not in attended]


def welfare_checks_due(placement, calendar, checked_days, today):
    """A part-time pupil owes a welfare check on each school day with no session on site; a
    day without a check is overdue from the next day."""
    if placement.kind != "part_time_timetable":
        return []
    owed = off_site_days(placement, calendar, today - timedelta(days=LOOKBACK_DAYS),
                         today + timedelta(days=WELFARE_LOOKAHEAD_DAYS))
    items = []
    missed = [day for day in owed if day < today and day not in checked_days]
    if missed:
        days = ", ".join(short_date(day) for day in missed[:5]) + (" …" if len(missed) > 5 else "")
        plural = "day" if len(missed) == 1 else "days"
        items.append(DueItem("welfare_check", f"Welfare check missed on {len(missed)} {plural} not on site ({days})",
                             missed[0], True))
    upcoming = next((day for day in owed if day >= today and day not in checked_days), None)
    if upcoming is not None:
        items.append(DueItem("welfare_check", f"Welfare check on {short_date(upcoming)} (not on site)",
                             upcoming, False))
    return items


# --- Attendance (§4.5) ------------------------------------------------------------------------

def attendance_due(placement, calendar, recorded, today):
    """Each attended session (placement.sessions) on a school day before today needs a record."""
    sessions = set(placement.sessions or ())
    days = calendar.school_days(max(placement.start_date, today - timedelta(days=LOOKBACK_DAYS)),
                                today - timedelta(days=1))
    missing = [(day, half) for day in days for half in ("am", "pm")
               if f"{weekday_code(day)}_{half}" in sessions and (day, half) not in recorded]
    if not missing:
        return []
    plural = "session" if len(missing) == 1 else "sessions"
    return [DueItem("attendance", f"Attendance not recorded for {len(missing)} {plural} "
                                  f"(from {short_date(missing[0][0])})", missing[0][0], True)]


# --- Off-site direction (§6.2) ----------------------------------------------------------------

def direction_review_due(placement, today):
    if placement.kind != "off_site_direction":
        return []
    if placement.direction_review_on is None:
        return [DueItem("direction_review", "Set the date this off-site direction will be reviewed",
                        placement.start_date, today > placement.start_date)]
    due = time_limits.review_due_on(placement)
    return [DueItem("direction_review", "Off-site direction review (time-limited)",
                    due, today > due)]


# --- Registration (§7.2) ---------------------------------------------------------------------

def registration_due(provider, open_placements, today):
    """A provider that fails the registration test, with pupils placed or about to be: one
    safeguarding item, overdue once anyone is there (registration.due_on)."""
    if provider is None or not open_placements:
        return []
    reason = registration.failure(provider, open_placements)
    if reason is None:
        return []
    due = registration.due_on(open_placements, today)
    return [DueItem("registration", f"Registration test failed: {reason}", due, today > due)]


# --- Follow-up actions (§8.6) -----------------------------------------------------------------

def actions_due(actions, today):
    return [DueItem("action", f"{action.description} (owner: {action.owner_name})", action.due_on,
                    today > action.due_on, action_uuid=action.uuid)
            for action in actions if action.done_at is None]


# --- The provider's risk assessment (§7.8, §7.9) and evidence ---------------------------------

def current_risk_assessment(assessments):
    """The latest assessment, by date assessed (then by when it was made)."""
    return max(assessments, key=lambda r: (r.assessed_on, r.id or 0), default=None)


def risk_assessment_due(assessments, today, needed_from):
    current = current_risk_assessment(assessments)
    if current is None:
        due = needed_from - timedelta(days=1)
        return [DueItem("risk_assessment", "Pre-placement check and risk assessment needed before the placement starts",
                        due, today > due)]
    before_start = needed_from - timedelta(days=1)
    items = [DueItem("risk_assessment", blocker, before_start, today > before_start)
             for blocker in start_gates.blockers(current, "this provider")]
    items.append(DueItem("risk_assessment", "Risk assessment review (every 12 months)", current.valid_until,
                         today > current.valid_until))
    if current.review_requested_at is not None:
        due = england_day(current.review_requested_at) + timedelta(days=MATERIAL_CHANGE_REVIEW_DAYS)
        reason = f": {current.review_reason}" if current.review_reason else ""
        items.append(DueItem("risk_assessment", f"Risk assessment review after a material change{reason}",
                             due, today > due))
    return items


def current_evidence(evidence):
    """The latest-expiring document of each kind ("other" documents: of each description)."""
    latest = {}
    for row in evidence:
        if row.expires_on is None:
            continue
        key = (row.kind, row.description or "") if row.kind == "other" else (row.kind, None)
        if key not in latest or row.expires_on > latest[key].expires_on:
            latest[key] = row
    return sorted(latest.values(), key=lambda row: row.expires_on)


def evidence_due(evidence, today):
    names = labels("evidence_kinds")
    items = []
    for row in current_evidence(evidence):
        name = names.get(row.kind, row.kind)
        if row.description and row.kind == "other":
            name = row.description
        verb = "expired" if today > row.expires_on else "expires"
        items.append(DueItem("provider_evidence", f"{name} {verb}", row.expires_on, today > row.expires_on))
    return items

