"""Reviewing synced visits in the office: the queue, a visit laid out as its form shows it, and
the two decisions, sign off or send back with a comment (the phone sees both through the
bootstrap's my_visits). Signing off a pre-placement check makes the provider's risk assessment.

No Flask request globals; callers pass the person and the time. Nothing here commits.
"""
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from server.extensions import db
from server.models import (AuditEvent, FollowUpAction, Placement, SafeguardingConcern, User, Visit,
                           VisitVersion)
from server.services import alerts, audit, completeness, review_conditions, risk_assessments
from server.services.forms import FIXED_OPTIONS, get_form, visible_item_keys
from server.services.refusal import Refused
from server.services.row_locks import locked
from server.services.school_settings import touch
from server.vocabulary import ANSWER_LABELS

COMMENT_MAX_LENGTH = 2000


@dataclass
class QueueRow:
    visit: Visit
    subject: str
    missing_photos: int
    has_concern: bool


def subject_of(visit):
    if visit.placement is not None:
        pupil = visit.placement.pupil
        where = f" at {visit.placement.provider.name}" if visit.placement.provider else ""
        return f"{pupil.full_name}{where}"
    return visit.provider.name if visit.provider else "—"


QUEUE_STATES = ("awaiting_review", "sent_back")


def queue_query(school_id, state="awaiting_review", kind=None, has_concern=None):
    """The visits in one part of the review queue, unordered (the caller pages them): one kind
    when given; with or without a safeguarding concern when has_concern is True or False."""
    query = (sa.select(Visit).where(Visit.school_id == school_id, Visit.review_status == state)
             .options(selectinload(Visit.author), selectinload(Visit.provider),
                      selectinload(Visit.placement).selectinload(Placement.pupil),
                      selectinload(Visit.placement).selectinload(Placement.provider)))
    if kind is not None:
        query = query.where(Visit.kind == kind)
    if has_concern is not None:
        raised = sa.exists().where(SafeguardingConcern.visit_id == Visit.id)
        query = query.where(raised if has_concern else ~raised)
    return query


def queue_counts(school_id):
    """{state: visits in it}, for each part of the queue."""
    counts = dict(db.session.execute(
        sa.select(Visit.review_status, sa.func.count()).where(
            Visit.school_id == school_id, Visit.review_status.in_(QUEUE_STATES)).group_by(Visit.review_status)).all())
    return {state: counts.get(state, 0) for state in QUEUE_STATES}


def queue_rows(visits):
    """The queue's rows for these visits: who or what each is about, photos still missing and
    whether it raised a concern, in two queries however many visits."""
    ids = [visit.id for visit in visits]
    with_concern = set(db.session.execute(
        sa.select(SafeguardingConcern.visit_id).where(SafeguardingConcern.visit_id.in_(ids))
    ).scalars()) if ids else set()
    missing = completeness.missing_counts([visit.id for visit in visits if not visit.complete])
    return [QueueRow(visit, subject_of(visit), missing.get(visit.id, 0), visit.id in with_concern) for visit in visits]


# What the review page and a visit's PDF read of a visit, loaded with it
# (security.in_school_or_404 takes these).
VISIT_LOAD = (selectinload(Visit.versions).selectinload(VisitVersion.author), selectinload(Visit.photos),
              selectinload(Visit.author), selectinload(Visit.reviewed_by), selectinload(Visit.provider),
              selectinload(Visit.placement).selectinload(Placement.pupil),
              selectinload(Visit.placement).selectinload(Placement.provider))


# --- A visit laid out as its form shows it ----------------------------------------------------

@dataclass
class AnswerRow:
    label: str
    value: str | None            # None: not answered
    note: str | None = None
    people: list = field(default_factory=list)
    photos: list = field(default_factory=list)
    is_photo_item: bool = False
    flagged: bool = False        # an answer the form says needs a follow-up action (weak, missing...)


@dataclass
class VisitLayout:
    version: VisitVersion
    form_title: str
    sections: list               # [(title, [AnswerRow])]
    other_photos: list           # photos not tied to an item of the form
    missing_photos: int
    actions: list
    concerns: list


def layout(visit, version_number=None):
    """The answers of one version (the current one by default) in form order, with labels
    from its form definition, the photos each item evidences, and the visit's actions and
    concerns. None when there is no such version."""
    version = next((v for v in visit.versions if v.version == (version_number or visit.current_version)), None)
    if version is None:
        return None
    form = get_form(version.form_id, version.form_version)
    answers = version.answers or {}
    manifest = {str(entry.get("uuid")): entry for entry in version.photo_manifest or ()}
    photos = [photo for photo in visit.photos if str(photo.uuid) in manifest]
    by_item = {}
    for photo in photos:
        by_item.setdefault(photo.item_key, []).append(photo)
    sections = []
    placed = set()
    if form is not None:
        shown = visible_item_keys(form, {"mode": version.mode, "answers": answers})
        for section in form["sections"]:
            rows = []
            for item in section["items"]:
                if item["key"] not in shown:
                    continue
                item_photos = by_item.get(item["key"], [])
                placed.add(item["key"])
                rows.append(_answer_row(item, answers.get(item["key"]), item_photos))
            if rows:
                sections.append((section["title"], rows))
    else:
        # A form version this server does not know: still show everything that was sent.
        sections.append(("Answers", [AnswerRow(label=key, value=_plain(answer.get("value")), note=answer.get("note"))
                                     for key, answer in answers.items() if isinstance(answer, dict)]))
    other_photos = [photo for photo in photos if photo.item_key not in placed]
    actions = db.session.execute(
        sa.select(FollowUpAction).where(FollowUpAction.visit_id == visit.id).order_by(FollowUpAction.due_on)
    ).scalars().all()
    concerns = db.session.execute(
        sa.select(SafeguardingConcern).where(SafeguardingConcern.visit_id == visit.id)
        .order_by(SafeguardingConcern.received_at).options(selectinload(SafeguardingConcern.notes))
    ).scalars().all()
    return VisitLayout(version=version, form_title=form["title"] if form else version.form_id,
                       sections=sections, other_photos=other_photos,
                       missing_photos=len(completeness.missing_photos(visit, version)), actions=actions, concerns=concerns)


def _answer_row(item, answer, photos):
    if item["type"] == "photo":
        return AnswerRow(label=item["label"], value=None, photos=photos, is_photo_item=True)
    answer = answer if isinstance(answer, dict) else {}
    value = answer.get("value")
    row = AnswerRow(label=item["label"], value=None, note=answer.get("note") or None, photos=photos)
    if value is None or value == "" or value == []:
        return row
    if item["type"] == "people":
        row.people = [f"{person.get('name')} ({person.get('role')})" for person in value if isinstance(person, dict)]
        row.value = ", ".join(row.people)
    elif item["type"] in FIXED_OPTIONS:
        row.value = ANSWER_LABELS.get(value, str(value))
        row.flagged = value in item.get("requires", {}).get("action", ())
    elif item["type"] in ("rating", "choice"):
        row.value = next((o["label"] for o in item.get("options", ()) if o["value"] == value), str(value))
        row.flagged = value in item.get("requires", {}).get("action", ())
    else:
        row.value = _plain(value)
    return row


def _plain(value):
    if value is None:
        return None
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return str(value)


# --- Decisions --------------------------------------------------------------------------------

def _check_version(visit, seen_version):
    if seen_version != visit.current_version:
        raise Refused("visit_changed_while_reading",
                      f"Version {visit.current_version} of this visit arrived while you were reading "
                      f"version {seen_version}. Look at the new version before deciding.")


def sign_off(visit, reviewer, now, seen_version, comment=None, accept_incomplete=False):
    """Sign the visit off. A provider check becomes the provider's risk assessment, which is
    returned (None for other kinds)."""
    visit = locked(visit)  # two reviewers cannot both decide it
    _check_version(visit, seen_version)
    if visit.review_status == "signed_off":
        raise Refused("already_done", "This visit is already signed off.")
    if visit.author_id == reviewer.id:
        # Four eyes on every record: an AP leader's own provider check needs a second signer too.
        raise Refused("own_visit",
                      "You made this visit, so someone else signs it off: another AP leader or the headteacher.")
    comment = _clean_comment(comment, required=False)
    version = visit.versions[-1]
    missing = len(completeness.missing_photos(visit, version))
    if missing and not accept_incomplete:
        raise Refused("photos_missing",
                      f"{missing} photo(s) have not arrived yet. Wait for them, send the visit back, or tick "
                      "“Sign off without the missing photos”.", field="accept_incomplete")
    visit.review_status = "signed_off"
    visit.reviewed_by_id = reviewer.id
    visit.reviewed_at = now
    visit.review_comment = comment
    if visit.kind in review_conditions.FORMAL_REVIEW_KINDS and visit.placement is not None:
        # A signed-off review may now clear the placement's review deadline (§8.2): every phone
        # carrying the placement pulls its due list again.
        touch(visit.placement)
    assessment = None
    if visit.kind == "provider_check":
        assessment = risk_assessments.from_provider_check(visit, version, reviewer, now)
    audit.record("visit.signed_off", visit, version=visit.current_version, comment=comment,
                 missing_photos=missing, risk_assessment=str(assessment.uuid) if assessment else None)
    return assessment


def send_back(visit, reviewer, now, seen_version, comment):
    """Send the visit back to its author with a comment saying what to correct."""
    visit = locked(visit)  # two reviewers cannot both decide it
    _check_version(visit, seen_version)
    if visit.review_status == "signed_off":
        raise Refused("already_done", "This visit is already signed off; it cannot be sent back.")
    comment = _clean_comment(comment, required=True)
    visit.review_status = "sent_back"
    visit.reviewed_by_id = reviewer.id
    visit.reviewed_at = now
    visit.review_comment = comment
    audit.record("visit.sent_back", visit, version=visit.current_version, comment=comment)
    alerts.visit_sent_back(visit, reviewer)
    return visit


def _clean_comment(comment, required):
    comment = (comment or "").strip()
    if required and not comment:
        raise Refused("validation_failed",
                      "Write what needs correcting: the comment is what the author sees on their phone.",
                      field="comment")
    if len(comment) > COMMENT_MAX_LENGTH:
        raise Refused("validation_failed", f"Keep the comment under {COMMENT_MAX_LENGTH} characters.", field="comment")
    return comment or None


def decisions(visit):
    """Every send-back and sign-off of `visit`, oldest first, from the audit log: dicts with
    action ("sent_back" or "signed_off"), at, by (a User or None), version and comment. The visit
    row keeps only the latest decision; after a correction the office still shows the earlier ones."""
    rows = db.session.execute(
        sa.select(AuditEvent, User).outerjoin(User, User.id == AuditEvent.actor_id)
        .where(AuditEvent.object_type == "visit", AuditEvent.object_id == str(visit.uuid),
               AuditEvent.action.in_(("visit.sent_back", "visit.signed_off")))
        .order_by(AuditEvent.at, AuditEvent.id)).all()
    return [{"action": event.action.split(".", 1)[1], "at": event.at, "by": user,
             "version": event.details.get("version"), "comment": event.details.get("comment")}
            for event, user in rows]
