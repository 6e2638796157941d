"""The working calendar as administrators keep it: single days set or restored, audited, and
what the calendar page lists. Every township's gaps and pages change with it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from portal.extensions import db
from portal.models import CalendarOverride, HolidaySchedule, User
from portal.services.office import duty
from portal.services.shared import audit, calendar
from portal.services.shared.errors import NotFoundError


@dataclass(frozen=True)
class CalendarPage:
    overrides: list[CalendarOverride]  # latest day first
    confirmed_years: list[int]  # years whose State Council notice was confirmed


def calendar_page() -> CalendarPage:
    """The days set by administrators and the years with a confirmed holiday notice."""
    overrides = list(db.session.scalars(select(CalendarOverride).order_by(CalendarOverride.day.desc())))
    return CalendarPage(overrides, list(db.session.scalars(select(HolidaySchedule.year))))


def set_day(*, user: User, day: date, working: bool, name: str) -> None:
    """Make one day a working day or a day off, audited in the same commit."""
    audit.record("calendar.set", actor=user, object_type="calendar", object_id=day.isoformat(),
                 detail={"working": working, "name": name})
    duty.calendar_changed()
    calendar.set_override(day, working, name, by=user)  # commits the audit entry with it


def restore_day(*, user: User, day: date) -> None:
    """Remove an administrator's setting of a day (NotFoundError if there is none), audited."""
    if db.session.get(CalendarOverride, day) is None:
        raise NotFoundError(day.isoformat())
    audit.record("calendar.remove", actor=user, object_type="calendar", object_id=day.isoformat())
    duty.calendar_changed()
    calendar.remove_override(day)
