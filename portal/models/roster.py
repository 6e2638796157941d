"""值班 / 带班: day and night duty shifts with their leader and staff."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.base import UTCDateTime, str_enum, utcnow
from portal.models.cadre import Cadre


class ShiftKind(enum.StrEnum):
    DAY = "day"
    NIGHT = "night"


class DutyRole(enum.StrEnum):
    LEADER = "leader"  # 带班领导
    STAFF = "staff"  # 值班人员


class DutyShift(db.Model):
    """A township's day or night shift on a date."""

    __tablename__ = "duty_shift"
    __table_args__ = (UniqueConstraint("township_id", "day", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    township_id: Mapped[int] = mapped_column(ForeignKey("township.id"))
    day: Mapped[date] = mapped_column(Date)
    kind: Mapped[ShiftKind] = mapped_column(str_enum(ShiftKind))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)

    assignments: Mapped[list[DutyAssignment]] = relationship(
        back_populates="shift", cascade="all, delete-orphan", order_by="DutyAssignment.id"
    )


class DutyAssignment(db.Model):
    """A cadre on a shift; `replaces_id` records a swap or substitute (替班)."""

    __tablename__ = "duty_assignment"

    id: Mapped[int] = mapped_column(primary_key=True)
    shift_id: Mapped[int] = mapped_column(ForeignKey("duty_shift.id", ondelete="CASCADE"), index=True)
    cadre_id: Mapped[int] = mapped_column(ForeignKey("cadre.id"), index=True)
    role: Mapped[DutyRole] = mapped_column(str_enum(DutyRole))
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("cadre.id"))
    note: Mapped[str] = mapped_column(String(200), default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    shift: Mapped[DutyShift] = relationship(back_populates="assignments")
    cadre: Mapped[Cadre] = relationship(foreign_keys=[cadre_id])
    replaces: Mapped[Cadre | None] = relationship(foreign_keys=[replaces_id])
