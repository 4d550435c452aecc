"""CSV exports for office staff: visits, follow-up actions, placements and provider checks over a
period, written to open cleanly in a spreadsheet: UTF-8 with a byte-order mark (so Excel reads
the accents), a header row, dates as ISO 8601 (2026-10-14), times in UK time.

A cell that starts with =, +, -, @, a tab or a carriage return is prefixed with a single quote,
so a note typed on a phone can never run as a formula on the office computer (OWASP's "CSV
injection" advice). Rows are streamed from the database as they are written, never held in
memory all at once.
"""
import csv
import io
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from server.dates import in_england
from server.extensions import db
from server.models import (FollowUpAction, Placement, Provider, Pupil, RiskAssessment, User, Visit,
                           VisitVersion)
from server.vocabulary import labels

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BATCH = 200
BOM = "\ufeff"


def neutralise(text):
    """A cell's text made safe from spreadsheet formulas."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def cell(value):
    """One value as CSV text: ISO dates, UK times, Yes/No, and neutralised text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        local = in_england(value)
        return local.strftime("%Y-%m-%d %H:%M") if local else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (int, float)):
        return str(value)
    return neutralise(str(value))


def stream(header, rows):
    """The CSV text in chunks: the BOM and the header at once (the download starts), then the
    rows BATCH at a time as the database gives them."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([cell(name) for name in header])
    yield BOM + _take(buffer)
    for count, row in enumerate(rows, start=1):
        writer.writerow([cell(value) for value in row])
        if count % BATCH == 0:
            yield _take(buffer)
    rest = _take(buffer)
    if rest:
        yield rest


def _take(buffer):
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def _stream_rows(query):
    return db.session.execute(query.execution_options(yield_per=BATCH))


# --- The exports --------------------------------------------------------------------------------

def visits(school_id, period):
    kinds, modes, statuses = labels("visit_kinds"), labels("visit_modes"), labels("review_statuses")
    author, reviewer = aliased(User), aliased(User)
    query = (
        sa.select(Visit.uuid, Visit.visit_date, Visit.kind, VisitVersion.mode, Pupil.first_name, Pupil.last_name,
                  Pupil.year_group, Placement.kind, Provider.name, author.full_name, Visit.received_at,
                  Visit.current_version, Visit.complete, Visit.review_status, Visit.reviewed_at, reviewer.full_name,
                  Visit.review_comment)
        .join(VisitVersion, sa.and_(VisitVersion.visit_id == Visit.id, VisitVersion.version == Visit.current_version))
        .join(author, author.id == Visit.author_id)
        .outerjoin(reviewer, reviewer.id == Visit.reviewed_by_id)
        .outerjoin(Placement, Placement.id == Visit.placement_id)
        .outerjoin(Pupil, Pupil.id == Placement.pupil_id)
        .outerjoin(Provider, Provider.id == Visit.provider_id)
        .where(Visit.school_id == school_id, Visit.visit_date.between(period.starts_on, period.ends_on))
        .order_by(Visit.visit_date, Visit.received_at, Visit.id))
    header = ["Visit ID", "Visit date", "Kind", "How", "Pupil", "Year group", "Placement", "Provider",
              "Recorded by", "Received (UK time)", "Version", "All photos arrived", "Review", "Reviewed (UK time)",
              "Reviewed by", "Review comment"]

    def rows():
        placement_kinds = labels("placement_kinds")
        for (uuid, on, kind, mode, first, last, year, placement_kind, provider, by, received, version, complete,
             status, reviewed_at, reviewed_by, comment) in _stream_rows(query):
            yield [str(uuid), on, kinds.get(kind, kind), modes.get(mode, mode), _name(first, last), year,
                   placement_kinds.get(placement_kind), provider, by, received, version, complete,
                   statuses.get(status, status), reviewed_at, reviewed_by, comment]
    return header, rows()


def actions(school_id, period, today):
    done_by = aliased(User)
    query = (
        sa.select(FollowUpAction.uuid, FollowUpAction.description, FollowUpAction.owner_name, FollowUpAction.due_on,
                  FollowUpAction.done_at, done_by.full_name, FollowUpAction.done_note, Pupil.first_name,
                  Pupil.last_name, Provider.name, Visit.visit_date)
        .outerjoin(done_by, done_by.id == FollowUpAction.done_by_id)
        .outerjoin(Placement, Placement.id == FollowUpAction.placement_id)
        .outerjoin(Pupil, Pupil.id == Placement.pupil_id)
        .outerjoin(Provider, Provider.id == sa.func.coalesce(FollowUpAction.provider_id, Placement.provider_id))
        .outerjoin(Visit, Visit.id == FollowUpAction.visit_id)
        .where(FollowUpAction.school_id == school_id,
               FollowUpAction.due_on.between(period.starts_on, period.ends_on))
        .order_by(FollowUpAction.due_on, FollowUpAction.id))
    header = ["Action ID", "Action", "Owner", "Due", "State", "Done (UK time)", "Done by", "Note", "Pupil",
              "Provider", "Agreed on the visit of"]

    def rows():
        for uuid, what, owner, due, done_at, by, note, first, last, provider, visit_date in _stream_rows(query):
            state = "Done" if done_at else ("Overdue" if due < today else "Open")
            yield [str(uuid), what, owner, due, state, done_at, by, note, _name(first, last), provider, visit_date]
    return header, rows()


def placements(school_id, period):
    kinds, statuses = labels("placement_kinds"), labels("placement_statuses")
    query = (
        sa.select(Placement.uuid, Pupil.first_name, Pupil.last_name, Pupil.date_of_birth, Pupil.year_group,
                  Pupil.ehcp, Pupil.looked_after, Placement.kind, Provider.name, Placement.status,
                  Placement.start_date, Placement.planned_end_date, Placement.end_date, Placement.sessions,
                  Placement.la_informed_on, Placement.cost_pence, Placement.cost_basis, Placement.destination,
                  Placement.outcome)
        .join(Pupil, Pupil.id == Placement.pupil_id)
        .outerjoin(Provider, Provider.id == Placement.provider_id)
        .where(Placement.school_id == school_id, Placement.start_date <= period.ends_on,
               sa.or_(Placement.end_date.is_(None), Placement.end_date >= period.starts_on))
        .order_by(Pupil.last_name, Pupil.first_name, Placement.start_date, Placement.id))
    header = ["Placement ID", "Pupil", "Date of birth", "Year group", "EHCP", "Looked after", "Kind", "Provider",
              "Status", "Start", "Planned end", "End", "Sessions a week", "LA informed on", "Cost (£)", "Cost basis",
              "Destination", "Outcome"]

    def rows():
        for (uuid, first, last, born, year, ehcp, looked_after, kind, provider, status, start, planned_end, end,
             sessions, informed, cost, basis, destination, outcome) in _stream_rows(query):
            yield [str(uuid), _name(first, last), born, year, ehcp, looked_after, kinds.get(kind, kind), provider,
                   statuses.get(status, status), start, planned_end, end, len(sessions or ()), informed,
                   f"{cost / 100:.2f}" if cost is not None else None, basis, destination, outcome]
    return header, rows()


def provider_checks(school_id, period):
    """One row per pre-placement check in the period, and one for each provider with none."""
    registrations, statuses = labels("registration_statuses"), labels("review_statuses")
    ratings, modes = labels("risk_ratings"), labels("visit_modes")
    checked_by = aliased(User)
    in_period = sa.and_(Visit.provider_id == Provider.id, Visit.kind == "provider_check",
                        Visit.visit_date.between(period.starts_on, period.ends_on))
    query = (
        sa.select(Provider.name, Provider.registration_status, Provider.urn, Provider.on_la_approved_list,
                  Visit.uuid, Visit.visit_date, VisitVersion.mode, checked_by.full_name, Visit.review_status,
                  RiskAssessment.rating, RiskAssessment.assessed_on, RiskAssessment.valid_until)
        .outerjoin(Visit, in_period)
        .outerjoin(VisitVersion, sa.and_(VisitVersion.visit_id == Visit.id,
                                         VisitVersion.version == Visit.current_version))
        .outerjoin(checked_by, checked_by.id == Visit.author_id)
        .outerjoin(RiskAssessment, RiskAssessment.visit_id == Visit.id)
        .where(Provider.school_id == school_id)
        .order_by(Provider.name, Visit.visit_date, Visit.id))
    header = ["Provider", "Registration", "URN", "On the LA approved list", "Check ID", "Check date", "How",
              "Checked by", "Review", "Risk rating", "Assessed on", "Valid until"]

    def rows():
        for (name, registration, urn, listed, uuid, on, mode, by, status, rating, assessed,
             valid_until) in _stream_rows(query):
            yield [name, registrations.get(registration, registration), urn, listed,
                   str(uuid) if uuid else "No check in this period", on, modes.get(mode, mode), by,
                   statuses.get(status, status), ratings.get(rating, rating), assessed, valid_until]
    return header, rows()


def _name(first, last):
    return f"{first} {last}" if first is not None else None


# name → (title on the page, what the rows are)
EXPORTS = {
    "visits": "Visits",
    "actions": "Follow-up actions",
    "placements": "Placements",
    "provider-checks": "Provider checks",
}


def export(name, school_id, period, today):
    """(header, rows) of the export called `name` (a key of EXPORTS)."""
    if name == "visits":
        return visits(school_id, period)
    if name == "actions":
        return actions(school_id, period, today)
    if name == "placements":
        return placements(school_id, period)
    if name == "provider-checks":
        return provider_checks(school_id, period)
    raise KeyError(name)
