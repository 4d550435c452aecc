"""Alerts written to the outbox, in the transaction of the event that causes them.

Each function adds one `Alert` row per person told; the worker sends them later. The words
never name a pupil and never quote the record (no concern text, no review comment): an email
leaves the school's systems, so it says only that something happened and links to it, and
the link asks for the person's own sign-in.

Who is told is decided by permissions (server/permissions.py): "alert.concern_raised" for
the DSL (a deputy DSL holds the DSL role in the product, since the deputy must open and act
on concerns when the DSL is away), "alert.concern_escalated" for those told when nobody acts.

No Flask request globals; nothing here commits.
"""
from flask import current_app

import sqlalchemy as sa

from server.dates import in_england, long_date
from server.extensions import db
from server.models import Alert, AlertChoice, Membership, User
from server.permissions import allows, roles_with
from server.services import audit

# Concern alerts to the DSL and deputy cannot be turned off (KCSIE: the DSL hears at once).
ALWAYS_SENT = ("concern_raised",)
# Each kind a person may choose: (label, the permission that turns it on by default, the
# permission that lets someone without the default turn it on).
CHOICES = {
    "concern_raised": ("A safeguarding concern is raised", "alert.concern_raised", "alert.concern_raised"),
    "concern_escalated": ("A concern is not opened by the DSL in time", "alert.concern_escalated",
                          "alert.concern_escalated"),
    "visit_sent_back": ("A visit of mine is sent back for correction", "phone.use", "phone.use"),
    "morning_digest": ("Morning digest: what is overdue and due today", "alert.morning_digest",
                       "alert.morning_digest_offered"),
}


def choices_for(user, school_id):
    """[(kind, label, receives, may_change)] for the kinds offered to `user` in the school."""
    chosen = _choices([user.id])
    rows = []
    for kind, (label, default, offered) in CHOICES.items():
        if not allows(user, school_id, offered):
            continue
        always = kind in ALWAYS_SENT
        receives = always or chosen.get((user.id, kind), allows(user, school_id, default))
        rows.append((kind, label, receives, not always))
    return rows


def choose(user, school_id, wanted_kinds):
    """Records the person's choice for every kind offered to them; the fixed ones stay on."""
    for kind, _, _, may_change in choices_for(user, school_id):
        if not may_change:
            continue
        row = db.session.execute(sa.select(AlertChoice).where(
            AlertChoice.user_id == user.id, AlertChoice.kind == kind)).scalar_one_or_none()
        if row is None:
            db.session.add(AlertChoice(user_id=user.id, kind=kind, wanted=kind in wanted_kinds))
        else:
            row.wanted = kind in wanted_kinds
    audit.record("alert.choices_changed", user, school_id=school_id, receives=sorted(wanted_kinds))


def recipients(school_id, kind):
    """Who receives `kind` in the school: those it is on for by default who have not turned it
    off, and those offered it who turned it on."""
    _, default, offered = CHOICES[kind]
    by_default = people_holding(school_id, default)
    if kind in ALWAYS_SENT:
        return by_default
    others = [p for p in people_holding(school_id, offered) if p not in by_default]
    chosen = _choices([p.id for p in by_default + others])
    return ([p for p in by_default if chosen.get((p.id, kind), True)]
            + [p for p in others if chosen.get((p.id, kind), False)])


def _choices(user_ids):
    if not user_ids:
        return {}
    return {(row.user_id, row.kind): row.wanted for row in db.session.execute(
        sa.select(AlertChoice).where(AlertChoice.user_id.in_(user_ids))).scalars()}


def people_holding(school_id, permission):
    """The active people who hold `permission` in the school, in id order."""
    return db.session.execute(
        sa.select(User).join(Membership).where(
            Membership.school_id == school_id, Membership.role.in_(roles_with(permission)), User.active.is_(True))
        .order_by(User.id).distinct()).scalars().all()


def concern_raised(concern, raised_by):
    at = in_england(concern.raised_at_device)
    body = (f"A safeguarding concern was raised at {at:%H:%M} on {long_date(at)} by {raised_by.full_name}. "
            f"Open it: {link(f'/office/concerns/{concern.uuid}')}\n\n"
            "The concern itself is only in the office, after you sign in.")
    for person in recipients(concern.school_id, "concern_raised"):
        _add(concern.school_id, "concern_raised", person, concern.uuid, "Safeguarding concern raised", body)


def concern_escalated(concern, raised_by, waited):
    """The DSL has not opened the concern in time: the headteacher and trust leads hear."""
    hours = round(waited.total_seconds() / 3600, 1)
    body = (f"A safeguarding concern raised by {raised_by.full_name} has not been opened by the designated "
            f"safeguarding lead after {hours:g} school hours. Open it: {link(f'/office/concerns/{concern.uuid}')}")
    told = []
    for person in recipients(concern.school_id, "concern_escalated"):
        if _add(concern.school_id, "concern_escalated", person, concern.uuid,
                "Safeguarding concern not yet opened", body):
            told.append(person.full_name)
    audit.record("concern.escalated", concern, told=told)
    return told


def morning_digest(school_id, person, today, body):
    return _add(school_id, "morning_digest", person, f"digest:{school_id}:{today.isoformat()}",
                f"Due today and overdue: {long_date(today)}", body)


def visit_sent_back(visit, reviewer):
    body = (f"A visit you sent was sent back for correction by {reviewer.full_name}. "
            f"Open the app to see what to correct: {link('/')}")
    if not _choices([visit.author_id]).get((visit.author_id, "visit_sent_back"), True):
        return
    _add(visit.school_id, "visit_sent_back", visit.author, f"{visit.uuid}:{visit.current_version}",
         "A visit was sent back for correction", body)


def _add(school_id, kind, person, subject_id, subject, body):
    """Adds the row unless the person already has it (an event seen twice)."""
    subject_id = str(subject_id)
    exists = db.session.execute(sa.select(Alert.id).where(
        Alert.kind == kind, Alert.subject_id == subject_id, Alert.recipient_id == person.id)).first()
    if exists:
        return False
    db.session.add(Alert(school_id=school_id, kind=kind, recipient_id=person.id, subject_id=subject_id,
                         subject=subject, body=body))
    return True


def link(path):
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + path
