"""The alert worker: a process beside the web server that drains the alert outbox and runs
the scheduled work.

`flask --app server alerts-worker` (the Procfile's `worker:` line; `make run` starts it with
gunicorn). Every ALERT_POLL_SECONDS its relay claims due alerts and sends them; several
workers, on one machine or several, may run at once against the same database (claims are
atomic, server/services/alert_delivery.py). The Huey consumer (server/scheduler.py) runs
escalation and the morning digest. Ctrl-C or SIGTERM stops both.
"""
import logging
import signal
import threading

import click
from flask import current_app

from server.database import write_outside_requests
from server.extensions import db
from server.services import alert_delivery, mail

log = logging.getLogger(__name__)


@click.command("alerts-worker")
@click.option("--once", is_flag=True, help="Send what is due now and stop (no scheduler).")
@click.option("--no-scheduler", is_flag=True, help="Only send alerts: another worker runs the schedule.")
def alerts_worker_command(once, no_scheduler):
    """Send the alert outbox (by SMTP, or into MAIL_DIR in development) and run the schedule."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s worker %(levelname)s %(message)s")
    write_outside_requests()
    try:
        sender = mail.sender(current_app.config)
    except mail.MailError as error:
        raise click.ClickException(str(error)) from None
    log.info("sending alerts with the %s backend", current_app.config["MAIL_BACKEND"])
    app = current_app._get_current_object()
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    if once or no_scheduler:
        return relay(app, sender, stop, once=once)
    relay_thread = threading.Thread(target=relay, args=(app, sender, stop), name="alert-relay", daemon=True)
    relay_thread.start()
    from server import scheduler
    scheduler.bind(app)
    consumer = scheduler.huey.create_consumer(workers=1, periodic=True, graceful_signal="INT")
    if not stop.is_set():  # Ctrl-C while starting
        # From here the consumer owns the signals: SIGINT (Ctrl-C) and SIGTERM end it, then the relay.
        consumer.run()
    stop.set()
    relay_thread.join(timeout=10)


def relay(app, sender, stop, once=False):
    with app.app_context():
        _relay(app, sender, stop, once)


def _relay(app, sender, stop, once):
    while not stop.is_set():
        try:
            sent = alert_delivery.deliver_due(sender)
            if sent:
                log.info("sent %d alert(s)", sent)
        except Exception:  # the database away for a moment must not end the worker
            db.session.rollback()
            log.exception("alert pass failed; trying again")
        finally:
            db.session.remove()
        if once:
            break
        stop.wait(app.config["ALERT_POLL_SECONDS"])
