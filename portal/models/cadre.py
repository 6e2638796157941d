"""干部: a township official."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    and_,
    or_,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.base import UTCDateTime, new_public_id, str_enum, utcnow
from portal.models.township import Township


class ChiefRole(enum.StrEnum):
    """The two posts that must not be away at the same time."""

    SECRETARY = "secretary"  # 党委书记
    HEAD = "head"  # 乡镇长


class Cadre(db.Model):
    """A cadre on a township's roster; `is_leader` marks the leadership team (班子成员)."""

    __tablename__ = "cadre"
    # A unique index, not a constraint: SQLite adds it without rebuilding the table.
    __table_args__ = (Index("ix_cadre_township_machine_number", "township_id", "machine_number",
                            unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(24), unique=True, default=new_public_id)
    township_id: Mapped[int] = mapped_column(ForeignKey("township.id"), index=True)
    name: Mapped[str] = mapped_column(String(32))
    post: Mapped[str] = mapped_column(String(64))
    is_leader: Mapped[bool] = mapped_column(Boolean, default=False)
    chief_role: Mapped[ChiefRole | None] = mapped_column(str_enum(ChiefRole))
    office_phone: Mapped[str] = mapped_column(String(32), default="")
    # Staff only: never on a public page or the public API.
    personal_phone: Mapped[str] = mapped_column(String(32), default="")
    # The cadre's user ID on the township's attendance machine (考勤机号, ZKTeco "PIN"), as
    # `normalize_machine_number` writes it; None when the cadre has none. Staff only.
    machine_number: Mapped[str | None] = mapped_column(String(16))
    photo: Mapped[bytes | None] = mapped_column(LargeBinary)
    sort_order: Mapped[int] = mapped_column(Integer, default=100)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    township_service_since: Mapped[date | None] = mapped_column(Date)
    # Service at this township, both days included: counted only from joined_on (None: since
    # before the records began) to left_on (None: still serving). A transfer ends this record
    # (left_on) and the receiving township adds a record of its own, so the old township's
    # history stays with it.
    joined_on: Mapped[date | None] = mapped_column(Date)
    left_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    township: Mapped[Township] = relationship()

    def served_span(self, first: date, last: date) -> tuple[date, date] | None:
        """The part of first..last the cadre served, or None when none of it."""
        start = max(first, self.joined_on) if self.joined_on else first
        end = min(last, self.left_on) if self.left_on else last
        return (start, end) if start <= end else None

    @classmethod
    def serving_between(cls, first: date, last: date) -> ColumnElement[bool]:
        """SQL: the cadre served at least one day of first..last.

        A deactivated cadre without a leaving date (left at an unknown date) counts nowhere.
        """
        return and_(or_(cls.joined_on.is_(None), cls.joined_on <= last),
                    or_(cls.left_on >= first, and_(cls.left_on.is_(None), cls.active.is_(True))))

    def __repr__(self) -> str:
        return f"<Cadre {self.name} {self.post}>"
