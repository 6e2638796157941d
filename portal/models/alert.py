"""E-mail alerts to inspectors: the outbox and an inspector's choice of how to get them.

A row of `alert` is one alert due to one inspector about one report: written in the same
transaction as the event that causes it (a report routed into the inspector's scope, a
reporter's message, a deadline coming), so that nothing is lost, and sent once by
`flask alerts send` (portal/services/casework/alerts.py), which claims rows atomically.
An alert holds ids only: what the e-mail says is read at sending and is never more than the
township, the category, the case number and a link.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.models.base import UTCDateTime, str_enum, utcnow


class AlertKind(enum.StrEnum):
    NEW_REPORT = "new_report"  # 新举报
    ESCALATED = "escalated"  # 逾期升级转来
    REPORTER_MESSAGE = "reporter_message"  # 举报人回复
    DEADLINE = "deadline"  # 明天到期


class AlertMode(enum.StrEnum):
    IMMEDIATE = "immediate"  # 即时提醒
    DIGEST = "digest"  # 每日汇总
    OFF = "off"  # 不接收


class Alert(db.Model):
    """One alert in the outbox: due at `due_at`, sent once (`sent_at`), retried on failure."""

    __tablename__ = "alert"
    __table_args__ = (
        # One alert per inspector, kind, report and moment: a deadline's reminder is written
        # again by every run that finds it due, and kept once.
        Index("ix_alert_once", "recipient_id", "kind", "report_id", "due_at", unique=True),
        # What is waiting to be sent: the pending rows only.
        Index("ix_alert_pending", "due_at", "id",
              sqlite_where=text("sent_at IS NULL"), postgresql_where=text("sent_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    kind: Mapped[AlertKind] = mapped_column(str_enum(AlertKind))
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # "sent", or why it was not ("obsolete": the case moved on before it was due; "no address").
    outcome: Mapped[str] = mapped_column(String(24), default="")
    # A run that claimed the row holds it until then (a run that died lets it go again).
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claim: Mapped[str | None] = mapped_column(String(32), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(String(200), default="")
