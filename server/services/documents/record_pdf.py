"""A placement's record as a document for the local authority, the Virtual School, a social
worker or an inspector (§4.3, §8.6): the pupil and the placement, the commissioning agreement
(§7.11), the provider and its risk assessment (§7.8, §7.9), reviews and what is due next, every
visit in date order with its answers and photos, the follow-up actions and their state,
attendance, and the chronology.

It is built from `placement_record.build()`, the same computation as the office page. Concerns
are in it only when the record was built with them (for the roles that may read concerns).
"""
import unicodedata
from collections import defaultdict

import sqlalchemy as sa

from server.dates import england_day
from server.extensions import db
from server.models import AttendanceRecord
from server.services import review
from server.services.concerns import people_by_id
from server.services.documents import MARKING, attendance, pdf_layout, wording
from server.services.documents.model import Document, Facts, Heading, Para, Section, Table
from server.services.documents.visit_pdf import actions_table, visit_blocks, visit_heading
from server.services.risk_assessments import status as risk_assessment_status
from server.vocabulary import labels

AGREEMENT_FIELDS = (
    ("aims", "Aims"), ("planned_outcomes", "Planned outcomes"), ("curriculum", "Curriculum"),
    ("qualifications", "Qualifications"), ("induction", "Induction"), ("pastoral_arrangements", "Pastoral"),
    ("attendance_arrangements", "Attendance"), ("safeguarding_arrangements", "Safeguarding"),
    ("free_school_meals", "Free school meals"), ("exam_arrangements", "Exams"),
    ("communication", "How the provider communicates"), ("review_arrangements", "Reviews: how often, with whom"),
)
REVIEW_STATES = {"done": "Held", "missed": "Missed", "due": "Due now", "upcoming": "Next"}


def record_document(record, produced_by, produced_at):
    """The Document of a PlacementRecord, produced by `produced_by` (a User) at `produced_at`."""
    placement = record.placement
    pupil = placement.pupil
    today = england_day(produced_at)
    visits = sorted(record.visits, key=lambda v: (v.visit_date, v.received_at, v.id))
    people = people_by_id(list(record.people) + [v.reviewed_by_id for v in visits])
    kind = labels("placement_kinds").get(placement.kind, placement.kind)
    where = f" at {placement.provider.name}" if placement.provider else ""
    status = labels("placement_statuses").get(placement.status, placement.status)
    sections = [
        _summary(record, visits),
        _agreement(placement, people),
        _provider(placement, record, today),
        _reviews_and_due(record, today),
        _visits(visits, record, people, today),
        Section("Follow-up actions", [actions_table(record.actions, people, today) if record.actions
                                      else Para("No follow-up actions.", tone="muted")]),
        _attendance(placement),
        _chronology(record),
    ]
    slug = ascii_slug(f"{pupil.last_name}-{pupil.first_name[:1]}")
    return Document(title=f"Placement record: {pupil.full_name}", subtitle=f"{kind}{where} · {status}",
                    school_name=placement.school.name, produced_by=produced_by.full_name, produced_at=produced_at,
                    marking=MARKING, sections=sections,
                    filename=f"placement-record-{slug or 'pupil'}-{today.isoformat()}.pdf")


def ascii_slug(text):
    """"Wiśniewska-Ł" → "wisniewska": a file name any browser and HTTP header accepts."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return "-".join(part for part in "".join(ch if ch.isalnum() else "-" for ch in plain).split("-") if part)


def record_pdf(record, produced_by, produced_at):
    return pdf_layout.render(record_document(record, produced_by, produced_at))


def _summary(record, visits):
    placement = record.placement
    pupil = placement.pupil
    rows = [
        ("Pupil", pupil.full_name), ("Date of birth", wording.day(pupil.date_of_birth)),
        ("Year group", str(pupil.year_group)), ("Needs and support", wording.flags(pupil)),
    ]
    if pupil.social_worker_name:
        rows.append(("Social worker", ", ".join(filter(None, (pupil.social_worker_name, pupil.social_worker_phone)))))
    if pupil.parent_contact_name:
        rows.append(("Parent or carer", ", ".join(filter(None, (pupil.parent_contact_name,
                                                                 pupil.parent_contact_phone)))))
    rows += [
        ("Placement", labels("placement_kinds").get(placement.kind, placement.kind)),
        ("Status", labels("placement_statuses").get(placement.status, placement.status)),
        ("Provider", placement.provider.name if placement.provider else "None (in school)"),
        ("Visiting staff", ", ".join(s.user.full_name for s in placement.staff) or "Nobody assigned"),
        ("Visits recorded", str(len(visits))),
    ]
    if record.concerns:
        still_open = sum(1 for c in record.concerns if c.closed_at is None)
        rows.append(("Safeguarding concerns", f"{len(record.concerns)} raised, {still_open} open"))
    return Section("Pupil and placement", [Facts(rows)])


def _agreement(placement, people):
    rows = [
        ("Starts", wording.day(placement.start_date)),
        ("Planned end", wording.day(placement.planned_end_date) if placement.planned_end_date else None),
        ("Sessions attended", wording.sessions(placement.sessions)),
        ("QA visits", f"Every {placement.qa_visit_every_weeks} weeks" if placement.qa_visit_every_weeks
         else "No frequency set"),
        ("Cost", wording.money(placement.cost_pence, placement.cost_basis)),
        ("Local authority informed", wording.day(placement.la_informed_on) if placement.la_informed_on
         else "Not recorded"),
    ]
    rows += [(title, getattr(placement, name)) for name, title in AGREEMENT_FIELDS if getattr(placement, name)]
    if placement.kind == "off_site_direction":
        rows += [("Governors approved", wording.day(placement.governors_approved_on)),
                 ("Parents told in writing", wording.day(placement.parents_told_in_writing_on)),
                 ("Direction review date", wording.day(placement.direction_review_on))]
    if placement.kind == "part_time_timetable":
        approver = people.get(placement.approved_by_id) or (
            people_by_id([placement.approved_by_id]).get(placement.approved_by_id))
        rows += [("Approved by", approver.full_name if approver else None),
                 ("Approved on", wording.day(placement.approved_on)),
                 ("Parent agreed", wording.day(placement.parent_agreed_on))]
    if placement.kind == "flexi_schooling":
        rows.append(("Head's decision in writing", wording.day(placement.head_decision_in_writing_on)))
    if placement.end_date:
        rows += [("Ended", wording.day(placement.end_date)), ("Outcome", placement.outcome),
                 ("Destination", placement.destination), ("Pupil's own assessment", placement.pupil_assessment)]
    return Section("Commissioning agreement", [Facts(rows)])


def _provider(placement, record, today):
    provider = placement.provider
    if provider is None:
        return Section("Provider and risk assessment",
                       [Para("No provider: this arrangement is run by the school itself.", tone="muted")])
    report = provider.reports[0] if provider.reports else None
    rows = [
        ("Provider", provider.name),
        ("Registration", labels("registration_statuses").get(provider.registration_status)),
        ("URN", provider.urn), ("On the LA approved list", wording.yes_no(provider.on_la_approved_list)),
        ("Latest report", f"{report.source.replace('_', ' ').capitalize()}, {wording.day(report.report_date)}"
                          f"{': ' + report.judgement if report.judgement else ''}" if report else "None recorded"),
        ("Contact", ", ".join(filter(None, (provider.contact_name, provider.contact_phone, provider.contact_email)))),
        ("Address", provider.address),
    ]
    blocks = [Facts(rows)]
    assessment = record.risk_assessment
    if assessment is None:
        blocks.append(Para("No risk assessment is recorded for this provider.", tone="warning"))
    else:
        ratings = labels("risk_ratings")
        _, state = risk_assessment_status(assessment, today)
        blocks.append(Heading("Risk assessment"))
        blocks.append(Facts([
            ("Rating", ratings.get(assessment.rating, assessment.rating)),
            ("Assessed", wording.day(assessment.assessed_on)), ("Valid until", wording.day(assessment.valid_until)),
            ("Weaknesses found", assessment.weaknesses or "None recorded"),
            ("Signed off by", assessment.signed_off_by.full_name if assessment.signed_off_by else None),
            ("State", state),
        ]))
        if assessment.review_requested_at is not None:
            blocks.append(Para(f"Review requested after a material change on "
                               f"{wording.day(assessment.review_requested_at)}: {assessment.review_reason or ''}",
                               tone="warning"))
    return Section("Provider and risk assessment", blocks)


def _reviews_and_due(record, today):
    blocks = []
    if record.review_noun:
        blocks.append(Para(f"{record.review_noun}. Last held: "
                           f"{wording.day(record.last_review) if record.last_review else 'none yet'}."))
        if record.review_history:
            blocks.append(Table(["Period", "Due by", "State", "Held on"], [
                [window.label, wording.day(window.ends_on), REVIEW_STATES[state],
                 ", ".join(wording.day(d) for d in held) or "—"]
                for window, state, held in record.review_history], widths=[3, 3, 2, 4]))
    if record.welfare_missed:
        days = ", ".join(wording.day(d) for d in record.welfare_missed)
        blocks.append(Para(f"Welfare checks missed on {len(record.welfare_missed)} day(s) not on site: {days}",
                           tone="warning"))
    if record.due:
        blocks.append(Heading("Next due"))
        blocks.append(Table(["Due", "What", "State"], [
            [wording.day(item.due_on), item.label, "Overdue" if item.overdue else "Due"]
            for item in record.due], widths=[3, 8, 2]))
    else:
        blocks.append(Para("Nothing is owed on this placement.", tone="muted"))
    return Section("Reviews and what is due", blocks)


def _visits(visits, record, people, today):
    section = Section(f"Visits ({len(visits)})")
    if not visits:
        return section.add(Para("No visits recorded yet.", tone="muted"))
    actions_by_visit = defaultdict(list)
    for action in record.actions:
        actions_by_visit[action.visit_id].append(action)
    concerns_by_visit = defaultdict(list)
    for concern in record.concerns:
        concerns_by_visit[concern.visit_id].append(concern)
    for number, visit in enumerate(visits, start=1):
        shown = review.layout(visit)
        if shown is None:
            section.add(Heading(visit_heading(visit, number)), Para("Nothing recorded.", tone="muted"))
            continue
        section.add(*visit_blocks(visit, shown, actions_by_visit[visit.id], concerns_by_visit[visit.id], people,
                                  today, number=number))
    return section


def _attendance(placement):
    codes = db.session.execute(
        sa.select(AttendanceRecord.code).where(AttendanceRecord.placement_id == placement.id)).scalars().all()
    if not codes:
        return Section("Attendance", [Para("No attendance recorded yet.", tone="muted")])
    summary = attendance.summarise(codes)
    return Section("Attendance", [Facts([
        ("Sessions recorded", str(len(codes))),
        ("Present (incl. approved education off site)", f"{summary.present} ({summary.share('present')}%)"),
        ("Authorised absence", f"{summary.authorised} ({summary.share('authorised')}%)"),
        ("Unauthorised absence", f"{summary.unauthorised} ({summary.share('unauthorised')}%)"),
        ("By register code", attendance.by_code(codes)),
    ])])


def _chronology(record):
    rows = [[wording.moment(entry.at), entry.title, entry.who or "—", entry.body or ""]
            for entry in record.chronology]
    return Section("Chronology", [
        Para("Everything on this placement in the order the school received it. Times are the server's; "
             "a phone's own clock is shown with each visit above.", tone="muted"),
        Table(["Received", "What", "Who", "Detail"], rows, widths=[3, 4, 3, 6])])
