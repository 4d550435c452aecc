"""A real SMTP server (aiosmtpd) for the alert tests, and the alert worker run as its own
process against the test's database, as in production."""
import asyncio
import os
import subprocess
import sys
import time
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from tests.conftest import PROJECT_ROOT, free_port


class Mailbox:
    """Keeps every message the SMTP server accepts, as the bytes received. `delay` holds each
    message before answering; a client gone by then is not answered, and nothing is kept."""

    def __init__(self):
        self.received = []
        self.delay = 0
        self.holding = 0  # messages received but not yet answered

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            self.holding += 1
            await asyncio.sleep(self.delay)
            self.holding -= 1
            if server.transport is None or server.transport.is_closing():
                return "421 client went away"
        self.received.append((list(envelope.rcpt_tos), envelope.content))
        return "250 OK"

    def messages(self):
        return [message_from_bytes(content, policy=policy.default) for _, content in self.received]

    def to(self, address):
        return [m for m in self.messages() if m["To"] == address]

    def message_ids(self):
        return [m["Message-ID"] for m in self.messages()]

    def wait_for(self, count, timeout=30):
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return len(self.received)


class SmtpServer:
    def __init__(self, port=None):
        self.port = port or free_port()
        self.mailbox = Mailbox()
        self.controller = None

    def start(self):
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self):
        if self.controller:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp_server():
    server = SmtpServer().start()
    yield server
    server.stop()


class Worker:
    """`flask alerts-worker` in its own process group, sending to the test's SMTP server."""

    def __init__(self, database_uri, data_dir, smtp_port, scheduler=False, **env):
        self.env = dict(os.environ, DATABASE_URL=database_uri, DATA_DIR=str(data_dir), APP_ENV="development",
                        FLASK_APP="server", MAIL_BACKEND="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=str(smtp_port),
                        SMTP_SECURITY="none", SMTP_TIMEOUT_SECONDS="5", ALERT_POLL_SECONDS="0.2",
                        ALERT_RETRY_SECONDS="0.5", ALERT_CLAIM_SECONDS="30")
        self.env.update({key: str(value) for key, value in env.items()})
        self.log = Path(data_dir) / "worker.log"
        # The schedule (escalation, digest) would mail the demo's old concerns at any */5 minute.
        self.command = ["alerts-worker"] + ([] if scheduler else ["--no-scheduler"])
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "flask", *self.command], cwd=PROJECT_ROOT, env=self.env,
            stdout=open(self.log, "ab"), stderr=subprocess.STDOUT, start_new_session=True)
        return self

    def stop(self, sig=15):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, sig)
            self.process.wait(timeout=30)

    def kill(self):
        self.stop(9)


@pytest.fixture
def start_worker(database_uri, tmp_path, smtp_server):
    workers = []

    def start(**env):
        worker = Worker(database_uri, tmp_path, smtp_server.port, **env).start()
        workers.append(worker)
        return worker
    yield start
    for worker in workers:
        worker.stop()

