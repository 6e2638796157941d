"""去向: a cadre's status over a time span. History is kept: an update ends the previous entry."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.base import UTCDateTime, str_enum, utcnow
from portal.models.cadre import Cadre


class Status(enum.StrEnum):
    AT_OFFICE = "at_office"  # 在岗
    VILLAGE = "village"  # 下村
    MEETING = "meeting"  # 会议
    TRIP = "trip"  # 出差
    LEAVE = "leave"  # 请假
    DUTY = "duty"  # 值班
    OFF = "off"  # 休息


# Statuses in which a cadre is away from the township office.
AWAY_STATUSES = frozenset({Status.MEETING, Status.TRIP, Status.LEAVE, Status.OFF})


class Whereabouts(db.Model):
    """One status entry; `ends_at` is None while it is the cadre's current status."""

    __tablename__ = "whereabouts"
    __table_args__ = (
        Index("ix_whereabouts_township_starts", "township_id", "starts_at"),
        Index("ix_whereabouts_cadre_starts", "cadre_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cadre_id: Mapped[int] = mapped_column(ForeignKey("cadre.id"))
    township_id: Mapped[int] = mapped_column(ForeignKey("township.id"))
    status: Mapped[Status] = mapped_column(str_enum(Status))
    village: Mapped[str] = mapped_column(String(64), default="")
    # Staff only (e.g. what meeting, which trip): never public.
    note: Mapped[str] = mapped_column(String(200), default="")
    substitute_id: Mapped[int | None] = mapped_column(ForeignKey("cadre.id"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When a later update closed this entry early (the board was changed).
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    cadre: Mapped[Cadre] = relationship(foreign_keys=[cadre_id])
    substitute: Mapped[Cadre | None] = relationship(foreign_keys=[substitute_id])
