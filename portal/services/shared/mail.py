"""Sending e-mail through the SMTP server of MAIL_URL (smtplib; STARTTLS and login as given).

`configured()` says whether e-mail is on at all (MAIL_URL set); `connection()` opens one SMTP
session for a batch of messages; `message()` builds a plain-text message from MAIL_FROM.
Nothing here decides what is sent: the alerts (services/casework/alerts.py) do.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from flask import current_app

from portal import clock
from portal.config import MailServer, parse_mail_url

TIMEOUT = 30  # seconds, per SMTP command


class MailError(Exception):
    """The SMTP server could not be reached, refused the login, or refused a message."""


def server() -> MailServer | None:
    """The SMTP server from MAIL_URL, or None when e-mail is off."""
    return parse_mail_url(current_app.config.get("MAIL_URL") or "")


def configured() -> bool:
    """Whether e-mail alerts are on (MAIL_URL is set)."""
    return bool((current_app.config.get("MAIL_URL") or "").strip())


def message(*, to: str, subject: str, body: str) -> EmailMessage:
    """A plain-text UTF-8 message from MAIL_FROM to one address."""
    sender = current_app.config["MAIL_FROM"]
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = to
    mail["Subject"] = subject
    mail["Date"] = format_datetime(clock.now())
    mail["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or "localhost")
    # An alert, not a conversation: auto-replies and vacation notices stay away (RFC 3834).
    mail["Auto-Submitted"] = "auto-generated"
    mail.set_content(body)
    return mail


@contextmanager
def connection() -> Iterator[smtplib.SMTP]:
    """One SMTP session to the MAIL_URL server, closed after the block; MailError on failure."""
    found = server()
    if found is None:
        raise MailError("MAIL_URL is not set")
    try:
        if found.tls:
            smtp = smtplib.SMTP_SSL(found.host, found.port, timeout=TIMEOUT,
                                    context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(found.host, found.port, timeout=TIMEOUT)
    except (OSError, smtplib.SMTPException) as error:
        raise MailError(f"cannot reach {found.host}:{found.port}: {error}") from error
    try:
        try:
            smtp.ehlo()
            if not found.tls and smtp.has_extn("starttls"):
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if found.username:
                if not found.tls and not isinstance(smtp.sock, ssl.SSLSocket):
                    raise MailError(f"{found.host}:{found.port} offers no STARTTLS: the login "
                                    "is not sent in clear")
                smtp.login(found.username, found.password)
        except (OSError, smtplib.SMTPException) as error:
            raise MailError(f"{found.host}:{found.port}: {error}") from error
        yield smtp
    finally:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()


def send(smtp: smtplib.SMTP, mail: EmailMessage) -> None:
    """Send one message over an open session; MailError when the server refuses it."""
    try:
        smtp.send_message(mail)
    except (OSError, smtplib.SMTPException) as error:
        raise MailError(str(error)) from error
