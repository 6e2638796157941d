"""明察暗访: unannounced inspections and what was found, compared with the board."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.base import UTCDateTime, new_public_id, str_enum, utcnow
from portal.models.cadre import Cadre
from portal.models.township import Township


class Presence(enum.StrEnum):
    PRESENT = "present"  # 在岗
    ABSENT = "absent"  # 不在岗
    AWAY_ON_BUSINESS = "away_on_business"  # 因公外出


class SpotCheck(db.Model):
    """A visit to a township at a moment, by an inspector or a supervisor."""

    __tablename__ = "spot_check"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(24), unique=True, default=new_public_id)
    township_id: Mapped[int] = mapped_column(ForeignKey("township.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    checker_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    township: Mapped[Township] = relationship()
    findings: Mapped[list[SpotCheckFinding]] = relationship(
        back_populates="spot_check", cascade="all, delete-orphan", order_by="SpotCheckFinding.id"
    )


class SpotCheckFinding(db.Model):
    """What was found of one cadre, and what the board said at that moment."""

    __tablename__ = "spot_check_finding"

    id: Mapped[int] = mapped_column(primary_key=True)
    spot_check_id: Mapped[int] = mapped_column(
        ForeignKey("spot_check.id", ondelete="CASCADE"), index=True
    )
    cadre_id: Mapped[int] = mapped_column(ForeignKey("cadre.id"), index=True)
    presence: Mapped[Presence] = mapped_column(str_enum(Presence))
    note: Mapped[str] = mapped_column(String(500), default="")
    board_status: Mapped[str] = mapped_column(String(24), default="")
    mismatch: Mapped[str] = mapped_column(String(32), default="")
    report_id: Mapped[int | None] = mapped_column(ForeignKey("report.id"), index=True)

    spot_check: Mapped[SpotCheck] = relationship(back_populates="findings")
    cadre: Mapped[Cadre] = relationship()
