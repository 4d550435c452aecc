"""The alert worker: a process beside the web server that drains the alert outbox.

`flask --app server alerts-worker` (the Procfile's `worker:` line; `make run` starts it with
gunicorn). Every ALERT_POLL_SECONDS it claims due alerts and sends them; several workers, on
one machine or several, may run at once against the same database (claims are atomic,
server/services/alert_delivery.py). SIGTERM or Ctrl-C stops it between messages.
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
@click.option("--once", is_flag=True, help="Send what is due now and stop.")
def alerts_worker_command(once):
    """Send the alert outbox: by SMTP, or into MAIL_DIR in development."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s worker %(levelname)s %(message)s")
    write_outside_requests()
    sender = mail.sender(current_app.config)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    log.info("sending alerts with the %s backend", current_app.config["MAIL_BACKEND"])
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
        stop.wait(current_app.config["ALERT_POLL_SECONDS"])
