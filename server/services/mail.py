"""Sending one email: over SMTP, or in development into a folder of .eml files.

MAIL_BACKEND chooses: `smtp` (SMTP_HOST, SMTP_PORT, SMTP_SECURITY starttls|tls|none,
SMTP_USERNAME, SMTP_PASSWORD) or `file` (MAIL_DIR, default var/mail/). A failure raises
MailError, and the caller retries later.
"""
import os
import smtplib
import ssl
import tempfile
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from pathlib import Path


class MailError(Exception):
    """The message was not handed over; try again later."""


def compose(mail_from, to, subject, body, message_id, date):
    message = EmailMessage()
    message["From"] = mail_from
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = message_id
    message["Date"] = format_datetime(date)
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies
    # 8bit, not quoted-printable or base64: the bytes sent are the words written, readable as they are.
    message.set_content(body, cte="8bit")
    return message


def message_domain(mail_from):
    return parseaddr(mail_from)[1].rpartition("@")[2] or "localhost"


def sender(config):
    if config["MAIL_BACKEND"] == "file":
        return FileSender(Path(config["MAIL_DIR"]))
    return SmtpSender(config)


class FileSender:
    """Development: each message is one .eml file, named by its Message-ID, so a resend replaces
    the file rather than adding another."""

    def __init__(self, folder):
        self.folder = folder

    def send(self, message):
        self.folder.mkdir(parents=True, exist_ok=True)
        name = message["Message-ID"].strip("<>").partition("@")[0] + ".eml"
        fd, temporary = tempfile.mkstemp(dir=self.folder, suffix=".part")
        with os.fdopen(fd, "wb") as out:
            out.write(bytes(message))
        os.replace(temporary, self.folder / name)


class SmtpSender:
    def __init__(self, config):
        if not config["SMTP_HOST"]:
            raise MailError("MAIL_BACKEND=smtp needs SMTP_HOST.")
        self.config = config

    def send(self, message):
        c = self.config
        try:
            if c["SMTP_SECURITY"] == "tls":
                client = smtplib.SMTP_SSL(c["SMTP_HOST"], c["SMTP_PORT"], timeout=c["SMTP_TIMEOUT_SECONDS"],
                                          context=ssl.create_default_context())
            else:
                client = smtplib.SMTP(c["SMTP_HOST"], c["SMTP_PORT"], timeout=c["SMTP_TIMEOUT_SECONDS"])
            with client:
                if c["SMTP_SECURITY"] == "starttls":
                    client.starttls(context=ssl.create_default_context())
                if c["SMTP_USERNAME"]:
                    client.login(c["SMTP_USERNAME"], c["SMTP_PASSWORD"])
                client.send_message(message)
        except (OSError, smtplib.SMTPException) as error:
            raise MailError(f"{type(error).__name__}: {error}"[:500]) from error
