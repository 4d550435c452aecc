"""A provider's record: registration and reports (§7.2), its pre-placement checks, the risk
assessment they produced, current and past (§7.8, §7.9), the evidence it supplied and when each
piece runs out, what it owes now, and the placements there. A constant number of queries.
"""
from dataclasses import dataclass
import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from server.extensions import db
from server.models import FollowUpAction, Placement, Provider, RiskAssessment, Visit
from server.services import deadlines, registration

from server.vocabulary import OPEN_PLACEMENT_STATUSES


@dataclass
class ProviderRecord:
    provider: Provider
    due: list
    current_assessment: RiskAssessment | None
    past_assessments: list
    current_evidence: set        # ids of the evidence rows that count (the latest of each kind)
    checks: list                 # provider_check visits, newest first
    placements: list
    actions: list                # every action about the provider itself, open first
    registration_warning: str | None     # it fails the §7.2 test
    unregistered_notice: str | None      # it is unregistered and passes the test


# What a record reads of its provider, loaded with it (security.in_school_or_404 takes these).
PROVIDER_LOAD = (selectinload(Provider.reports), selectinload(Provider.evidence),
                 selectinload(Provider.risk_assessments).selectinload(RiskAssessment.signed_off_by))


def build(provider, today):
    placements = db.session.execute(
        sa.select(Placement).where(Placement.provider_id == provider.id, Placement.school_id == provider.school_id)
        .order_by(Placement.status != "active", Placement.start_date.desc())
        .options(selectinload(Placement.pupil))
    ).scalars().all()
    checks = db.session.execute(
        sa.select(Visit).where(Visit.provider_id == provider.id, Visit.kind == "provider_check")
        .order_by(Visit.visit_date.desc(), Visit.id.desc()).options(selectinload(Visit.author))
    ).scalars().all()
    actions = db.session.execute(
        sa.select(FollowUpAction)
        .where(FollowUpAction.provider_id == provider.id, FollowUpAction.placement_id.is_(None))
        .order_by(FollowUpAction.done_at.is_not(None), FollowUpAction.due_on)
    ).scalars().all()

    open_placements = [p for p in placements if p.status in OPEN_PLACEMENT_STATUSES]
    open_starts = [p.start_date for p in open_placements]
    facts = deadlines.Facts()
    facts.providers[provider.id] = provider
    facts.open_at_provider[provider.id] = open_placements
    facts.assessments[provider.id] = list(provider.risk_assessments)
    facts.evidence[provider.id] = list(provider.evidence)
    due = deadlines.provider_items(provider.id, facts, today, needed_from=min(open_starts, default=today))
    due += deadlines.actions_due([a for a in actions if a.done_at is None], today)
    current = deadlines.current_risk_assessment(provider.risk_assessments)
    return ProviderRecord(
        provider=provider,
        due=sorted(due, key=deadlines.sort_key),
        current_assessment=current,
        past_assessments=sorted((r for r in provider.risk_assessments if r is not current),
                                key=lambda r: (r.assessed_on, r.id), reverse=True),
        current_evidence={row.id for row in deadlines.current_evidence(provider.evidence)},
        checks=checks,
        placements=placements,
        actions=actions,
        registration_warning=registration.failure(provider, open_placements),
        unregistered_notice=registration.unregistered_notice(provider, open_placements),
    )
