"""The message thread between a reporter (by receipt) and the inspectors.

Both sides call `add_message`: the report blueprint for the reporter, the review
blueprint for an inspector. Text is cleaned here, once, for both.
"""

from __future__ import annotations

from portal.extensions import db
from portal.models import CLOSED_STATUSES, Message, Report, Sender, User
from portal.models.base import utcnow
from portal.sanitize import clean_text
from portal.services.shared import audit
from portal.services.shared.errors import ValidationError

MAX_MESSAGE_LENGTH = 2000


class ReportClosedError(ValidationError):
    """The report is closed: the reporter can no longer write to it."""


def add_message(*, report: Report, sender: Sender, body: str, author: User | None = None,
                commit: bool = True) -> Message:
    """Append a message to the report's thread; an inspector's message is audited."""
    text = clean_text(body, MAX_MESSAGE_LENGTH)
    if not text:
        raise ValidationError("empty message")
    if sender == Sender.REPORTER and report.status in CLOSED_STATUSES and report.purged_at:
        raise ReportClosedError("report closed")
    if sender == Sender.INSPECTOR and author is None:
        raise ValueError("an inspector's message needs its author")
    message = Message(report=report, sender=sender, body=text, author_id=author.id if author else None,
                      at=utcnow())
    db.session.add(message)
    if sender == Sender.INSPECTOR:
        audit.record("message.sent", actor=author, object_type="report", object_id=report.public_id)
    if commit:
        db.session.commit()
    return message
