"""The worker under faults: two at once, and one killed in the middle of a batch. Every alert
is delivered, none twice (counted by Message-ID at the SMTP server).

A worker killed in the instant after the SMTP server accepted a message and before it recorded
it as sent will send that one message again, under the same Message-ID (no protocol can close
that instant with SMTP); the kill here lands where a real one mostly does, mid-conversation."""
import time
from collections import Counter

import sqlalchemy as sa

from server.extensions import db
from server.models import Alert


def many_alerts(demo, count):
    """Alerts as the outbox holds them, for the DSL, each its own event."""
    dsl = demo.user("dsl")
    for number in range(count):
        db.session.add(Alert(school_id=demo.school().id, kind="concern_raised", recipient_id=dsl.id,
                             subject_id=f"test-event-{number}", subject="Safeguarding concern raised",
                             body=f"Test alert {number}."))
    db.session.commit()


def settle(mailbox, count, quiet=1.5):
    """Waits for `count` messages, then a little more: anything sent twice shows up."""
    mailbox.wait_for(count, timeout=60)
    time.sleep(quiet)
    return Counter(mailbox.message_ids())


def test_two_workers_at_once_send_each_alert_once(demo, smtp_server, start_worker):
    many_alerts(demo, 40)
    start_worker(ALERT_BATCH_SIZE=5)
    start_worker(ALERT_BATCH_SIZE=5)
    seen = settle(smtp_server.mailbox, 40)
    assert len(seen) == 40 and set(seen.values()) == {1}
    db.session.rollback()
    assert db.session.execute(sa.select(Alert.status).distinct()).scalars().all() == ["sent"]


def test_a_worker_killed_mid_batch_and_restarted_delivers_each_alert_once(demo, smtp_server, start_worker):
    many_alerts(demo, 12)
    smtp_server.mailbox.delay = 0.3  # each message takes a while: the kill lands inside a batch
    first = start_worker(ALERT_BATCH_SIZE=20, ALERT_CLAIM_SECONDS=2)
    mailbox = smtp_server.mailbox
    mailbox.wait_for(3)
    while not mailbox.holding:
        time.sleep(0.01)
    first.kill()
    received_before = len(smtp_server.mailbox.received)
    assert received_before < 12
    start_worker(ALERT_BATCH_SIZE=20, ALERT_CLAIM_SECONDS=2)
    seen = settle(smtp_server.mailbox, 12, quiet=3)
    assert len(seen) == 12 and set(seen.values()) == {1}


def test_the_full_worker_runs_the_schedule_sends_and_stops_on_ctrl_c(demo, smtp_server, start_worker):
    from server import scheduler
    periodic = {task.__name__ for task in scheduler.huey._registry._periodic_tasks}
    assert periodic == {"escalate_unopened_concerns", "morning_digest"}
    many_alerts(demo, 1)
    worker = start_worker(scheduler=True)
    assert smtp_server.mailbox.wait_for(1) == 1
    deadline = time.monotonic() + 30
    while "consumer started" not in worker.log.read_text() and time.monotonic() < deadline:
        time.sleep(0.1)
    worker.stop(sig=2)  # Ctrl-C
    assert worker.process.returncode == 0
    assert "Consumer exiting" in worker.log.read_text()
