"""The AP leader's to-do list: everything overdue, and everything due in the next two weeks,
across the school's open placements and the providers they use, grouped by kind of work and
sorted overdue first, then by date. Counts for the top of the home page.

Provider deadlines (risk assessment, evidence, provider actions) are listed once per provider,
not once per placement there. The rules are those of services/deadlines.py.
"""
from dataclasses import dataclass, field
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from server.extensions import db
from server.models import Placement, Visit
from server.services.actions import open_provider_actions
from server.services.concerns import open_count
from server.services.deadlines import actions_due, load_facts, placement_items, provider_items, sort_key
from server.vocabulary import OPEN_PLACEMENT_STATUSES, labels

HORIZON_DAYS = 14
GROUPS = [
    # A provider that must be registered and is not: a safeguarding matter, first on the list.
    ("registration", "Registration (safeguarding)", ("registration",)),
    ("reviews", "Reviews", ("formal_review", "flexi_review", "direction_review")),
    ("time_limits", "Time-limited arrangements", ("direction_end", "part_time_end", "flexi_notice")),
    ("parents", "Progress to parents", ("parent_progress",)),
    # Owed before the start (§4.3, §7.4, §7.10) and the statutory partners (§7.5, §7.6, §8.8).
    ("pupil", "The pupil: needs, risks and who was consulted",
     ("statutory_partners", "pupil_risk_assessment", "needs_analysis", "information_shared", "parents_consulted")),
    ("qa", "QA visits", ("qa_visit",)),
    ("welfare", "Welfare checks", ("welfare_check",)),
    ("attendance", "Attendance", ("attendance",)),
    ("risk", "Checks and risk assessments", ("risk_assessment",)),
    ("evidence", "Provider evidence", ("provider_evidence",)),
    ("actions", "Follow-up actions", ("action",)),
]


@dataclass
class TodoItem:
    due: object                 # a deadlines.DueItem
    subject: str                # the pupil and placement, or the provider
    placement_uuid: object = None
    provider_uuid: object = None


@dataclass
class Group:
    key: str
    title: str
    items: list = field(default_factory=list)

    @property
    def overdue(self):
        return sum(1 for item in self.items if item.due.overdue)


@dataclass
class Todo:
    groups: list
    overdue: int
    due_soon: int
    awaiting_review: int
    open_concerns: int | None
    term_dates_run_out: object  # the last day the school's term dates cover (None: no term dates)


def placement_subject(placement):
    kind = labels("placement_kinds").get(placement.kind, placement.kind)
    at = f" at {placement.provider.name}" if placement.provider else ""
    planned = " (planned)" if placement.status == "planned" else ""
    return f"{placement.pupil.full_name}: {kind}{at}{planned}"


def build_todo(school_id, today, with_concerns=False, horizon_days=HORIZON_DAYS):
    entries, facts = school_due_entries(school_id, today)
    horizon = today + timedelta(days=horizon_days)
    entries = [e for e in entries if e.due.overdue or e.due.due_on <= horizon]
    groups = []
    for key, title, kinds in GROUPS:
        group = Group(key, title, [e for e in entries if e.due.kind in kinds])
        if group.items:
            groups.append(group)
    return Todo(
        groups=groups,
        overdue=sum(1 for e in entries if e.due.overdue),
        due_soon=sum(1 for e in entries if not e.due.overdue),
        awaiting_review=db.session.execute(
            sa.select(sa.func.count()).select_from(Visit)
            .where(Visit.school_id == school_id, Visit.review_status == "awaiting_review")).scalar(),
        open_concerns=open_count(school_id) if with_concerns else None,
        term_dates_run_out=facts.calendars[school_id].last_day,
    )


def school_due_entries(school_id, today):
    """Everything the school's open placements and their providers owe on `today`, however far
    ahead, sorted overdue first, then by date; and the facts it was worked out from."""
    placements = db.session.execute(
        sa.select(Placement).where(Placement.school_id == school_id, Placement.status.in_(OPEN_PLACEMENT_STATUSES))
        .options(selectinload(Placement.pupil), selectinload(Placement.provider))
    ).scalars().all()
    facts = load_facts(placements, today, school_ids=[school_id])
    entries = []
    needed_from = {}
    providers = {}
    for placement in placements:
        entries += [TodoItem(item, placement_subject(placement), placement_uuid=placement.uuid)
                    for item in placement_items(placement, facts, today)]
        if placement.provider is not None:
            providers[placement.provider_id] = placement.provider
            start = needed_from.get(placement.provider_id)
            needed_from[placement.provider_id] = min(start, placement.start_date) if start else placement.start_date
    provider_actions = open_provider_actions(sorted(providers))
    for provider_id, provider in providers.items():
        items = provider_items(provider_id, facts, today, needed_from[provider_id])
        items += actions_due(provider_actions.get(provider_id, ()), today)
        entries += [TodoItem(item, provider.name, provider_uuid=provider.uuid) for item in items]
    return sorted(entries, key=lambda e: sort_key(e.due)), facts
