"""Delivering the alert outbox: claim due rows, send each, record what happened.

A claim is one atomic UPDATE that moves rows from `pending` (or from `sending` whose claim has
lapsed: a worker that died) to `sending` under this worker's token; the WHERE repeats the
status test, so of two workers racing for a row only one matches it (PostgreSQL re-checks the
WHERE on the row it waited for; SQLite runs one writer at a time). On PostgreSQL the rows are
chosen with FOR UPDATE SKIP LOCKED, so workers take different rows rather than queueing.

Before each send the worker renews its claim on that row (ALERT_CLAIM_SECONDS must outlast one
send: SMTP_TIMEOUT_SECONDS), so a slow batch never lets a second worker take a row it still
holds. Each message is committed as sent straight after the SMTP server takes it. A worker killed in
between leaves the row `sending`; once the claim lapses it is sent again with the same
Message-ID, so the receiver can tell it is the same message.

Runs outside requests; commits after each step, since each step is a fact about the world.
"""
import logging
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from server.extensions import db
from server.models import Alert
from server.models.base import utcnow
from server.services import audit, mail

BACKOFF_CAP = timedelta(hours=1)
log = logging.getLogger(__name__)


def _due(now):
    return sa.or_(sa.and_(Alert.status == "pending", Alert.next_attempt_at <= now),
                  sa.and_(Alert.status == "sending", Alert.claimed_until < now))


def claim(limit, now=None):
    """Claims up to `limit` due alerts for this call; returns them, oldest first."""
    config = current_app.config
    now = now or utcnow()
    token = secrets.token_hex(16)
    chosen = sa.select(Alert.id).where(_due(now)).order_by(Alert.id).limit(limit)
    if db.session.get_bind().dialect.name == "postgresql":
        chosen = chosen.with_for_update(skip_locked=True)
    db.session.execute(
        sa.update(Alert).where(Alert.id.in_(chosen.scalar_subquery()), _due(now))
        .values(status="sending", claimed_by=token, attempts=Alert.attempts + 1,
                claimed_until=now + timedelta(seconds=config["ALERT_CLAIM_SECONDS"]))
        .execution_options(synchronize_session=False))
    db.session.commit()
    return db.session.execute(
        sa.select(Alert).where(Alert.claimed_by == token, Alert.status == "sending").order_by(Alert.id)
    ).scalars().all()


def deliver_due(sender=None):
    """One pass: claim a batch, send it. Returns how many were sent."""
    config = current_app.config
    sender = sender or mail.sender(config)
    sent = 0
    for alert in claim(config["ALERT_BATCH_SIZE"]):
        sent += _deliver(alert, sender, config)
    return sent


def _deliver(alert, sender, config):
    message = mail.compose(config["MAIL_FROM"], alert.recipient.email, alert.subject, alert.body,
                           alert.message_id(mail.message_domain(config["MAIL_FROM"])), alert.created_at)
    token = alert.claimed_by
    if not _renew(alert, token, config):
        return 0  # our claim lapsed and another worker took the alert: it sends it
    try:
        sender.send(message)
    except mail.MailError as error:
        _failed_attempt(alert, token, str(error), config)
        return 0
    _finish(alert, token, status="sent", sent_at=utcnow(), claimed_until=None, last_error=None)
    audit.record("alert.sent", alert, kind=alert.kind, recipient=alert.recipient_id, attempts=alert.attempts)
    db.session.commit()
    return 1


def _renew(alert, token, config):
    """Holds the claim for one more send, so a slow batch never lets another worker in."""
    renewed = db.session.execute(
        sa.update(Alert).where(Alert.id == alert.id, Alert.claimed_by == token, Alert.status == "sending")
        .values(claimed_until=utcnow() + timedelta(seconds=config["ALERT_CLAIM_SECONDS"]))
        .execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    return renewed == 1


def _failed_attempt(alert, token, error, config):
    log.warning("alert %s, attempt %d: %s", alert.uuid, alert.attempts, error)
    if alert.attempts >= config["ALERT_MAX_ATTEMPTS"]:
        _finish(alert, token, status="failed", claimed_until=None, last_error=error)
        audit.record("alert.failed", alert, kind=alert.kind, recipient=alert.recipient_id,
                     attempts=alert.attempts, error=error)
    else:
        wait = min(timedelta(seconds=config["ALERT_RETRY_SECONDS"] * 2 ** (alert.attempts - 1)), BACKOFF_CAP)
        _finish(alert, token, status="pending", next_attempt_at=utcnow() + wait, claimed_until=None,
                last_error=error)
    db.session.commit()


def _finish(alert, token, **values):
    """Records the outcome only while this worker still holds the claim."""
    db.session.execute(sa.update(Alert).where(Alert.id == alert.id, Alert.claimed_by == token,
                                              Alert.status == "sending").values(**values)
                       .execution_options(synchronize_session=False))


def failed(school_id):
    return db.session.execute(sa.select(Alert).where(Alert.school_id == school_id, Alert.status == "failed")
                              .order_by(Alert.created_at.desc())).scalars().all()


def retry(alert):
    """The administrator asks for a failed alert to be tried again."""
    alert.status = "pending"
    alert.attempts = 0
    alert.next_attempt_at = utcnow()
    audit.record("alert.retried", alert, kind=alert.kind)
