"""张榜公示: the monthly public notice; once published it never changes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.base import UTCDateTime, utcnow
from portal.models.township import Township


class MonthlyNotice(db.Model):
    """A published version of a township's month; a correction is a new version."""

    __tablename__ = "monthly_notice"
    __table_args__ = (UniqueConstraint("township_id", "month", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    township_id: Mapped[int] = mapped_column(ForeignKey("township.id"), index=True)
    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    version: Mapped[int] = mapped_column(Integer, default=1)
    # The figures as published, as JSON: frozen, never recomputed.
    content: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    # The audit checkpoint taken when this version was published (count:head:time:key:signature).
    audit_checkpoint: Mapped[str] = mapped_column(Text, default="", server_default="")
    changes: Mapped[str] = mapped_column(Text, default="")
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    township: Mapped[Township] = relationship()
