"""The governors' report (§4.1, §4.2): how alternative provision is used, over a period, with no
pupil in it. Aggregates only: no names, no dates of birth, no ids. Counts of pupils from 1 to 4
are shown as "<5" (and drawn as no bar at all), percentages only when at least five pupils are
behind them, and free-text destinations only when at least five pupils share one, so no
number or phrase points at a child. Provider names are shown: a provider is not a pupil.

A "<5" beside a total and otherwise exact counts could be worked out by subtraction, so
`_withhold` hides one more count in any such group (the smallest shown, else the total), shown
as "*"; the page, the PDF and the CSV all draw the same rows, so they hide the same counts.

The numbers follow the product's own rules: reviews on time are counted half term by half term
(termly for flexi-schooling) exactly as `services/deadlines.py` owes them, attendance the way
`documents/attendance.py` counts sessions.
"""
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa

from server.extensions import db
from server.models import AttendanceRecord, Placement, Provider, Pupil, Visit
from server.services import deadlines
from server.services.documents import attendance
from server.services.documents.model import Chart, Document, Facts, Para, Section, Table
from server.services.school_calendar import calendar_for
from server.vocabulary import labels

SMALLEST_SHOWN = 5
COUNTED_STATUSES = ("active", "ended")    # planned placements have not happened; cancelled never did
NO_PROVIDER = "In school (no provider)"
OTHER_DESTINATIONS = "Other destinations (fewer than 5 pupils each)"
NOT_RECORDED = "Not recorded"
MARKING = "OFFICIAL"                      # aggregate figures: not sensitive, still not for publishing
WITHHELD = "*"                            # hidden only so that a "<5" beside it cannot be worked out


def shown(count):
    """How a count of pupils is written: "0", "<5" for 1 to 4, else the number."""
    return "<5" if 1 <= count < SMALLEST_SHOWN else str(count)


def drawn(count):
    """The length a chart may give a count: None (no bar) when it is suppressed."""
    return None if 1 <= count < SMALLEST_SHOWN else count


@dataclass
class Row:
    label: str
    count: int
    withheld: bool = False    # set by _withhold: shown exactly, it would give away a "<5"

    @property
    def suppressed(self):
        return self.withheld or drawn(self.count) is None

    @property
    def text(self):
        return WITHHELD if self.withheld else shown(self.count)

    @property
    def bar(self):
        return None if self.suppressed else self.count


@dataclass
class GovernorsReport:
    school_name: str
    period: object
    pupils: Row = None
    by_kind: list = field(default_factory=list)
    by_provider: list = field(default_factory=list)
    by_registration: list = field(default_factory=list)  # [(status label, providers, Row of pupils)]
    reviews_held: Row = None
    reviews_missed: Row = None
    reviews_due: Row = None
    review_pupils: int = 0
    attendance: object = None
    attendance_pupils: int = 0
    ended: Row = None
    destinations: list = field(default_factory=list)
    outcomes_recorded: int = 0
    own_assessments: int = 0


def build(school, period, today):
    """The report for `school` over `period` (periods.Period), as of `today`."""
    placements = db.session.execute(
        sa.select(Placement).where(
            Placement.school_id == school.id, Placement.status.in_(COUNTED_STATUSES),
            Placement.start_date <= period.ends_on,
            sa.or_(Placement.end_date.is_(None), Placement.end_date >= period.starts_on))
        .order_by(Placement.id)).scalars().all()
    providers = {p.id: p for p in db.session.execute(
        sa.select(Provider).where(Provider.id.in_({p.provider_id for p in placements if p.provider_id}))).scalars()}
    report = GovernorsReport(school_name=school.name, period=period)
    report.pupils = Row("Pupils in alternative provision", len({p.pupil_id for p in placements}))
    kinds = labels("placement_kinds")
    report.by_kind = _pupils_by(placements, lambda p: kinds[p.kind], kinds.values())
    report.by_provider = sorted(
        _pupils_by(placements, lambda p: providers[p.provider_id].name if p.provider_id else NO_PROVIDER),
        key=lambda row: (-row.count, row.label))
    report.by_registration = _registration(placements, providers)
    _reviews(report, school.id, placements, period, today)
    _attendance(report, placements, period)
    _endings(report, school.id, placements, period)
    _withhold(_totals_and_parts(report, providers))
    return report


def _totals_and_parts(report, providers):
    """Every (total, parts) a reader could subtract in. A pupil with placements of two kinds or
    at two providers makes the parts add up to more than the total; they are treated as adding
    up all the same, since a reader cannot tell."""
    by_name = {row.label: row for row in report.by_provider}
    in_school = [by_name[NO_PROVIDER]] if NO_PROVIDER in by_name else []
    groups = [(report.pupils, report.by_kind), (report.pupils, report.by_provider),
              (report.pupils, [row for _, _, row in report.by_registration] + in_school),
              (report.reviews_due, [report.reviews_held, report.reviews_missed]),
              (report.ended, report.destinations)]
    for code, (_, _, row) in zip(labels("registration_statuses"), report.by_registration):
        names = {provider.name for provider in providers.values() if provider.registration_status == code}
        groups.append((row, [by_name[name] for name in sorted(names)]))
    return groups


def _withhold(groups):
    """Where exactly one count of a total and its parts is suppressed, the others give it away:
    withhold one more, the smallest part shown exactly (or the total when no part is). A count
    withheld for one group may leave another with one hidden, so go round until none has."""
    changed = True
    while changed:
        changed = False
        for total, parts in groups:
            if sum(row.suppressed for row in (total, *parts)) != 1:
                continue
            exact = [row for row in parts if row.count and not row.suppressed]
            row = min(exact, key=lambda row: (row.count, row.label)) if exact else total
            if not row.suppressed:
                row.withheld = changed = True


def _pupils_by(placements, key, every=()):
    """[Row(label, distinct pupils)] for each label (and each of `every`, even when 0)."""
    pupils = defaultdict(set)
    for label in every:
        pupils[label]
    for placement in placements:
        pupils[key(placement)].add(placement.pupil_id)
    return [Row(label, len(ids)) for label, ids in pupils.items()]


def _registration(placements, providers):
    statuses = labels("registration_statuses")
    used = defaultdict(set)
    pupils = defaultdict(set)
    for placement in placements:
        if placement.provider_id:
            status = providers[placement.provider_id].registration_status
            used[status].add(placement.provider_id)
            pupils[status].add(placement.pupil_id)
    return [(label, len(used[code]), Row(label, len(pupils[code]))) for code, label in statuses.items()]


def _reviews(report, school_id, placements, period, today):
    """Review windows whose deadline fell in the period (and has passed): held in time or missed."""
    calendar = calendar_for(school_id)
    reviewed = [p for p in placements if p.kind == "flexi_schooling"
                or p.kind in deadlines.HALF_TERMLY_REVIEW_PLACEMENT_KINDS]
    dates = defaultdict(list)
    if reviewed:
        for placement_id, kind, day in db.session.execute(
                sa.select(Visit.placement_id, Visit.kind, Visit.visit_date)
                .where(Visit.placement_id.in_([p.id for p in reviewed]),
                       Visit.kind.in_(deadlines.FORMAL_REVIEW_KINDS))):
            dates[placement_id].append((kind, day))
    pupils = set()
    held = missed = 0
    for placement in reviewed:
        if placement.kind == "flexi_schooling":
            windows, kinds = calendar.terms, ("flexi_review",)
        else:
            windows, kinds = calendar.half_terms, deadlines.FORMAL_REVIEW_KINDS
        held_on = [day for kind, day in dates[placement.id] if kind in kinds]
        for window, state, _ in deadlines.review_history(calendar, windows, placement, held_on, today):
            if not period.covers(window.ends_on) or window.ends_on >= today:
                continue
            pupils.add(placement.pupil_id)
            if state == "done":
                held += 1
            else:
                missed += 1
    report.reviews_held, report.reviews_missed = Row("Held in time", held), Row("Missed", missed)
    report.reviews_due = Row("Reviews due in the period", held + missed)
    report.review_pupils = len(pupils)


def _attendance(report, placements, period):
    by_id = {p.id: p for p in placements}
    rows = db.session.execute(
        sa.select(AttendanceRecord.placement_id, AttendanceRecord.code)
        .where(AttendanceRecord.placement_id.in_(list(by_id)),
               AttendanceRecord.on_date.between(period.starts_on, period.ends_on))).all() if by_id else []
    report.attendance = attendance.summarise(code for _, code in rows)
    report.attendance_pupils = len({by_id[placement_id].pupil_id for placement_id, _ in rows})


def _endings(report, school_id, placements, period):
    ended = [p for p in placements if p.status == "ended" and period.covers(p.end_date)]
    report.ended = Row("Placements ended", len(ended))
    report.outcomes_recorded = sum(1 for p in ended if (p.outcome or "").strip())
    report.own_assessments = sum(1 for p in ended if (p.pupil_assessment or "").strip())
    names = _pupil_names(school_id)
    groups = Counter()
    spelled = {}
    for placement in ended:
        text = " ".join((placement.destination or "").split())
        if not text:
            groups[NOT_RECORDED] += 1
            continue
        if names and names.search(text):
            # Free text that names a pupil is never shown, however many share it.
            groups[OTHER_DESTINATIONS] += 1
            continue
        key = text.casefold()
        spelled.setdefault(key, text)
        groups[key] += 1
    rows = []
    for key, count in groups.items():
        if key in (NOT_RECORDED, OTHER_DESTINATIONS):
            continue
        if count < SMALLEST_SHOWN:
            groups[OTHER_DESTINATIONS] += count
        else:
            rows.append(Row(spelled[key], count))
    rows.sort(key=lambda row: (-row.count, row.label))
    for label in (OTHER_DESTINATIONS, NOT_RECORDED):
        if groups[label]:
            rows.append(Row(label, groups[label]))
    report.destinations = rows


def _pupil_names(school_id):
    """A pattern matching any pupil's first or last name as a whole word, or None."""
    words = set()
    for first, last in db.session.execute(sa.select(Pupil.first_name, Pupil.last_name)
                                          .where(Pupil.school_id == school_id)):
        words.update(part for part in re.split(r"[\s-]+", f"{first} {last}") if len(part) > 1)
    if not words:
        return None
    return re.compile(r"\b(" + "|".join(sorted(map(re.escape, words), key=len, reverse=True)) + r")\b",
                      re.IGNORECASE)


# --- The report as a document ------------------------------------------------------------------

def percentage(part, whole, pupils):
    """"82.5%" when at least five pupils stand behind it; "—" otherwise (or when nothing to divide)."""
    if pupils < SMALLEST_SHOWN or not whole:
        return "—"
    return f"{round(100 * part / whole, 1)}%"


def document(report, produced_by, produced_at):
    """The report as a Document: the office page and the PDF both draw this."""
    period = report.period
    summary = report.attendance
    held, due = report.reviews_held, report.reviews_due
    on_time = _on_time(report)
    sections = [
        Section("Summary", [Facts([
            ("Period", period.label),
            ("Pupils in alternative provision", report.pupils.text),
            ("Reviews held on time", f"{held.text} of {due.text} due ({on_time})"),
            ("Attendance where recorded", percentage(summary.present, summary.possible, report.attendance_pupils)),
            ("Placements ended", report.ended.text),
        ])]),
        Section("Pupils by kind of placement", [
            _chart("Pupils by kind of placement", report.by_kind),
            Table(["Kind of placement", "Pupils"], [[row.label, row.text] for row in report.by_kind], widths=[4, 1])]),
        Section("Pupils by provider", [
            _chart("Pupils by provider", report.by_provider),
            Table(["Provider", "Pupils"], [[row.label, row.text] for row in report.by_provider] or [["None", "0"]],
                  widths=[4, 1])]),
        Section("Registered and unregistered providers", [
            _chart("Pupils by the provider's registration", [row for _, _, row in report.by_registration]),
            Table(["Registration", "Providers used", "Pupils"],
                  [[label, str(providers), row.text] for label, providers, row in report.by_registration],
                  widths=[4, 1.5, 1]),
            Para("§7.2: a provider that should be registered (full time for five or more pupils, or for any "
                 "pupil with an EHCP or looked after) but is not must not be used.", tone="muted")]),
        Section("Reviews on time", [
            Facts([(due.label, due.text), (held.label, held.text),
                   (report.reviews_missed.label, report.reviews_missed.text), ("Held on time", on_time)]),
            Para("A review is due in every half term a placement is active (every term for flexi-schooling), "
                 "by the last day of that half term; only deadlines that have passed are counted.", tone="muted")]),
        Section("Attendance", _attendance_blocks(report, summary)),
        Section("Outcomes and destinations", [
            Facts([("Placements ended in the period", report.ended.text),
                   ("With an outcome recorded", shown(report.outcomes_recorded)),
                   ("With the pupil's own assessment", shown(report.own_assessments))]),
            Table(["Destination", "Pupils"], [[row.label, row.text] for row in report.destinations]
                  or [["No placement ended in the period", "0"]], widths=[4, 1])]),
        Section("About these numbers", [Para(
            "Counts of pupils from 1 to 4 are shown as “<5”, and percentages only where at least five pupils "
            "are counted, so that no figure identifies a child. Where a “<5” could be worked out by taking the "
            "other counts from their total, one more count is hidden too, shown as “*”, and no percentage is "
            "given of a hidden count. A pupil with placements of two kinds is counted "
            "once under each kind and once in the total.", tone="muted")]),
    ]
    return Document(title="Alternative provision: governors' report", subtitle=period.label,
                    school_name=report.school_name, produced_by=produced_by.full_name, produced_at=produced_at,
                    marking=MARKING, sections=sections,
                    filename=f"governors-report-{period.starts_on.isoformat()}-to-{period.ends_on.isoformat()}.pdf")


CSV_HEADER = ["Section", "Item", "Value"]


def csv_rows(document):
    """The report's figures as (section, item, value) rows: every fact and every table cell, as
    shown in the report (so "<5" stays "<5"). Charts add nothing the tables do not have."""
    for section in document.sections:
        for block in section.blocks:
            if isinstance(block, Facts):
                yield from ([section.title, label, value] for label, value in block.rows)
            elif isinstance(block, Table):
                for row in block.rows:
                    for column in range(1, len(block.header)):
                        item = row[0] if len(block.header) == 2 else f"{row[0]}: {block.header[column].lower()}"
                        yield [section.title, item, row[column]]


def _on_time(report):
    """Reviews held on time as a percentage; none when a count behind it is hidden, since the
    percentage of a shown total would give that count back."""
    if any(row.suppressed for row in (report.reviews_held, report.reviews_missed, report.reviews_due)):
        return "—"
    return percentage(report.reviews_held.count, report.reviews_due.count, report.review_pupils)


def _chart(title, rows):
    """A bar chart of the rows, or a line saying why there is none: a chart whose every bar is
    suppressed or zero shows nothing the table does not."""
    bars = [(row.label, row.bar, row.text) for row in rows]
    if not any(number for _, number, _ in bars):
        return Para("No chart: every count here is under 5 (or hidden, or none).", tone="muted")
    return Chart(title, bars)


def _attendance_blocks(report, summary):
    if not summary.possible:
        return [Para("No attendance is recorded for the period.", tone="muted")]
    pupils = report.attendance_pupils
    return [
        Facts([("Pupils with attendance recorded", shown(pupils)),
               ("Present (including approved education off site)",
                percentage(summary.present, summary.possible, pupils)),
               ("Authorised absence", percentage(summary.authorised, summary.possible, pupils)),
               ("Unauthorised absence", percentage(summary.unauthorised, summary.possible, pupils))]),
        Para("Percentages of possible sessions (morning and afternoon) recorded with the providers.", tone="muted"),
    ]
