"""Administrator overrides of the official calendar, and the confirmed holiday schedules of years."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.models.base import UTCDateTime, utcnow


class CalendarOverride(db.Model):
    """A day whose working status an administrator set, winning over chinesecalendar."""

    __tablename__ = "calendar_override"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    is_working: Mapped[bool] = mapped_column(Boolean)
    name: Mapped[str] = mapped_column(String(32), default="")
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class HolidaySchedule(db.Model):
    """A year's holidays and make-up working days as the State Council's notice set them out,
    confirmed by an administrator; it wins over chinesecalendar and the computed holidays."""

    __tablename__ = "holiday_schedule"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    notice: Mapped[str] = mapped_column(Text, default="")  # the text as pasted, for the record
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    confirmed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class HolidayScheduleDay(db.Model):
    """One holiday or make-up working day (调休上班) of a confirmed schedule."""

    __tablename__ = "holiday_schedule_day"

    year: Mapped[int] = mapped_column(ForeignKey("holiday_schedule.year"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    is_working: Mapped[bool] = mapped_column(Boolean)
    name: Mapped[str] = mapped_column(String(32), default="")
