"""周考核: a leader's 5-4-3 result for one ISO week, recorded when the week closes.

The figures are those the records gave on the day the week was closed (`flask weeks close`,
on a timer each Monday): a sign-in or visit entered later does not rewrite the week's
assessment; the live figures stay on the 5-4-3 pages.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.models.base import UTCDateTime, utcnow


class WeekRecord(db.Model):
    __tablename__ = "week_record"
    __table_args__ = (UniqueConstraint("cadre_id", "week_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cadre_id: Mapped[int] = mapped_column(ForeignKey("cadre.id"))
    township_id: Mapped[int] = mapped_column(ForeignKey("township.id"), index=True)
    week_start: Mapped[date] = mapped_column(Date)  # the Monday
    work_days: Mapped[int] = mapped_column(Integer)
    nights: Mapped[int] = mapped_column(Integer)
    village_days: Mapped[int] = mapped_column(Integer)
    required_work: Mapped[int] = mapped_column(Integer)
    required_nights: Mapped[int] = mapped_column(Integer)
    required_village: Mapped[int] = mapped_column(Integer)
    served_days: Mapped[int] = mapped_column(Integer)
    compliant: Mapped[bool] = mapped_column(Boolean)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
