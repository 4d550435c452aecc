"""Progress information to parents each half term (§4.3).

The AP leader makes sure a placed pupil's parents or carers are sent information about their
progress every half term. The office records each time it was sent: when, how (letter, email,
report, meeting...) and by whom, with a short note of what it said. Every active placement, of
any kind, owes it once in each half term of the school's own calendar in which it is active on
enough school days (the same windows as the formal review, services/deadlines.py); a half term
that ended without it is overdue. The deadline rule itself is deadlines.periodic_review_due,
fed by `last_sent()`.

Recording the same day and way again keeps the one record (the office form may be sent twice).
No Flask request globals; flush, never commit.
"""
import sqlalchemy as sa

from server.dates import long_date, refuse_unless_happened
from server.extensions import db
from server.models import ParentProgressReport
from server.services import audit
from server.services.refusal import Refused
from server.services.school_settings import touch
from server.vocabulary import PROGRESS_METHODS, labels

POLICY_SECTION = "§4.3"
KIND = "parent_progress"
NOUN = "Progress information to parents"
NEVER = "none sent yet"
NAME_MAX_LENGTH = 200
SUMMARY_MAX_LENGTH = 2000


def last_sent(placement_ids, today):
    """{placement id: the latest day progress information was sent, up to `today`}."""
    if not placement_ids:
        return {}
    return dict(db.session.execute(
        sa.select(ParentProgressReport.placement_id, sa.func.max(ParentProgressReport.sent_on))
        .where(ParentProgressReport.placement_id.in_(placement_ids), ParentProgressReport.sent_on <= today)
        .group_by(ParentProgressReport.placement_id)).all())


def reports(placement):
    """Every report recorded for a placement, latest first."""
    return db.session.execute(
        sa.select(ParentProgressReport).where(ParentProgressReport.placement_id == placement.id)
        .order_by(ParentProgressReport.sent_on.desc(), ParentProgressReport.id.desc())).scalars().all()


def describe(report):
    how = labels("progress_methods").get(report.method, report.method)
    return f"{how} sent on {long_date(report.sent_on)} by {report.sent_by_name}"


def record(placement, data, actor, now, today):
    """Record that progress information was sent (`data`: sent_on, method, sent_by_name,
    summary). Returns (report, created). Refused for a placement that is not running, a date
    after today or before the placement started, or a way of sending that is not on the list."""
    if placement.status not in ("active", "ended"):
        raise Refused("validation_failed", "Progress information is recorded for a placement that has started.")
    sent_on, method = data["sent_on"], data["method"]
    name = (data.get("sent_by_name") or "").strip()
    summary = (data.get("summary") or "").strip() or None
    refuse_unless_happened(
        sent_on, placement.start_date, today, "sent_on", missing="Enter the date it was sent.",
        future="The date it was sent cannot be after today.",
        early=f"The placement started on {long_date(placement.start_date)}: progress information is "
              "recorded from then.")
    if placement.end_date and sent_on > placement.end_date:
        raise Refused("validation_failed", f"The placement ended on {long_date(placement.end_date)}.", field="sent_on")
    if method not in PROGRESS_METHODS:
        raise Refused("validation_failed", "Choose how it was sent.", field="method")
    if not name:
        raise Refused("validation_failed", "Say who sent it.", field="sent_by_name")
    if len(name) > NAME_MAX_LENGTH or (summary and len(summary) > SUMMARY_MAX_LENGTH):
        raise Refused("validation_failed",
                      "That is too long.", field="sent_by_name" if len(name) > NAME_MAX_LENGTH else "summary")
    existing = db.session.execute(sa.select(ParentProgressReport).where(
        ParentProgressReport.placement_id == placement.id, ParentProgressReport.sent_on == sent_on,
        ParentProgressReport.method == method)).scalar_one_or_none()
    if existing is not None:
        return existing, False
    report = ParentProgressReport(school_id=placement.school_id, placement_id=placement.id, sent_on=sent_on,
                                  method=method, sent_by_name=name, summary=summary, recorded_by_id=actor.id,
                                  recorded_at=now)
    db.session.add(report)
    touch(placement)  # the phones' due lists depend on it: move their change cursor
    db.session.flush()
    audit.record("placement.parent_progress_recorded", placement, actor=actor, sent_on=sent_on.isoformat(),
                 method=method, sent_by=name, report=str(report.uuid))
    return report, True
