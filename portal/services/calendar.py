"""The official calendar: chinesecalendar plus the administrators' overrides, behind one service."""

from __future__ import annotations

from datetime import date

from flask import current_app, g, has_app_context
from sqlalchemy import select

from portal.extensions import db
from portal.models import CalendarOverride, User
from portal.rules.calendar import OfficialCalendar
from portal.services import townships


def official_calendar() -> OfficialCalendar:
    """The calendar in force, with overrides loaded once per request (or app context)."""
    if has_app_context() and "official_calendar" in g:
        return g.official_calendar
    overrides = {
        row.day: (row.is_working, row.name or None)
        for row in db.session.scalars(select(CalendarOverride))
    }
    calendar = OfficialCalendar(overrides)
    if has_app_context():
        g.official_calendar = calendar
    return calendar


# Calendars kept between requests, per app, by township: an override is only ever changed
# together with every township's version (townships.touch(None), same transaction), so a
# township whose version has not moved still has the calendar read under that version.
_KEPT_MAX = 4096


def calendar_for(township) -> OfficialCalendar:
    """The calendar in force, for a township just read: no query while its version holds.

    `township` is a Township or a townships.Route (anything with id, data_version and
    updated_at, read in this request).
    """
    kept = current_app.extensions.setdefault("zaigang.calendars", {})
    version = (township.data_version, township.updated_at)
    hit = kept.get(township.id)
    if hit is not None and hit[0] == version:
        return hit[1]
    calendar = official_calendar()
    latest = kept.get(None)
    if latest is not None and latest.same_overrides(calendar):
        # Unchanged: keep the one object, whose year tables are already built.
        calendar = latest
    if len(kept) > _KEPT_MAX:
        kept.clear()
    kept[None] = calendar
    kept[township.id] = (version, calendar)
    return calendar


def is_working_day(day: date) -> bool:
    """Whether `day` is a working day on the official calendar (调休 included)."""
    return official_calendar().is_working_day(day)


def working_days(start: date, end: date) -> list[date]:
    """The working days from `start` to `end`, both included."""
    return official_calendar().working_days(start, end)


def set_override(day: date, is_working: bool, name: str = "", by: User | None = None) -> None:
    """Add or replace an administrator's override of one day."""
    row = db.session.get(CalendarOverride, day) or CalendarOverride(day=day)
    row.is_working = is_working
    row.name = name
    row.set_by_id = by.id if by else None
    db.session.add(row)
    townships.touch(None)  # every board and roster shows the kind of day
    db.session.commit()
    g.pop("official_calendar", None)


def remove_override(day: date) -> bool:
    """Remove an override; the package's answer applies again."""
    row = db.session.get(CalendarOverride, day)
    if row is None:
        return False
    db.session.delete(row)
    townships.touch(None)
    db.session.commit()
    g.pop("official_calendar", None)
    return True
