"""The official calendar: confirmed holiday schedules, chinesecalendar, the computed statutory
holidays and the administrators' overrides, behind one service."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app, g, has_app_context
from sqlalchemy import Integer, cast, delete, null, select, union_all

from portal.extensions import db
from portal.models import CalendarOverride, HolidaySchedule, HolidayScheduleDay, User
from portal.models.base import utcnow
from portal.rules.calendar import OfficialCalendar, YearSource
from portal.rules.holiday_notice import ParsedNotice
from portal.services.shared import audit, townships

MAX_NOTICE_CHARS = 20_000


# Overrides (no year) and confirmed schedules' days in one statement: the public pages count them.
_CALENDAR_ROWS = union_all(
    select(cast(null(), Integer).label("year"), CalendarOverride.day, CalendarOverride.is_working,
           CalendarOverride.name),
    select(HolidayScheduleDay.year, HolidayScheduleDay.day, HolidayScheduleDay.is_working,
           HolidayScheduleDay.name),
)


def official_calendar() -> OfficialCalendar:
    """The calendar in force, with overrides loaded once per request (or app context)."""
    if has_app_context() and "official_calendar" in g:
        return g.official_calendar
    overrides: dict[date, tuple[bool, str | None]] = {}
    schedules: dict[int, dict[date, tuple[bool, str | None]]] = defaultdict(dict)
    for year, day, working, name in db.session.execute(_CALENDAR_ROWS):
        (schedules[year] if year is not None else overrides)[day] = (working, name or None)
    calendar = OfficialCalendar(overrides, schedules)
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


# --- the State Council's yearly notice ------------------------------------------------------


@dataclass(frozen=True)
class YearStatus:
    """Where a year's calendar comes from, and who confirmed its notice if anyone did."""

    year: int
    source: YearSource
    confirmed_at: datetime | None = None
    confirmed_by: str | None = None

    @property
    def adjustments_published(self) -> bool:
        return self.source is not YearSource.COMPUTED


def year_statuses(years: list[int]) -> list[YearStatus]:
    """The status of each year asked for, in order."""
    calendar = official_calendar()
    stmt = select(HolidaySchedule).where(HolidaySchedule.year.in_(years))
    rows = {s.year: s for s in db.session.scalars(stmt)}
    result = []
    for year in years:
        row = rows.get(year)
        by = db.session.get(User, row.confirmed_by_id) if row and row.confirmed_by_id else None
        result.append(YearStatus(year, calendar.source(year), row.confirmed_at if row else None,
                                 by.username if by else None))
    return result


def confirm_schedule(parsed: ParsedNotice, notice: str, by: User | None) -> None:
    """Store a year's holidays and make-up working days from its notice (replacing an earlier
    one), audited; every township's pages refresh."""
    db.session.execute(delete(HolidayScheduleDay).where(HolidayScheduleDay.year == parsed.year))
    row = db.session.get(HolidaySchedule, parsed.year) or HolidaySchedule(year=parsed.year)
    row.notice = notice[:MAX_NOTICE_CHARS]
    row.confirmed_by_id = by.id if by else None
    row.confirmed_at = utcnow()
    db.session.add(row)
    db.session.flush()
    db.session.add_all(HolidayScheduleDay(year=parsed.year, day=d.date, is_working=d.working, name=d.name)
                       for d in parsed.days)
    audit.record("calendar.schedule", actor=by, object_type="calendar", object_id=str(parsed.year),
                 detail={"holidays": len(parsed.holidays), "makeup_days": len(parsed.makeup_days),
                         "warnings": len(parsed.warnings)})
    townships.touch(None)  # every board and roster shows the kind of day
    db.session.commit()
    g.pop("official_calendar", None)


# The State Council publishes next year's notice in November or December.
WARN_FROM_MONTH = 11


def missing_schedule_year(today: date) -> int | None:
    """The year whose 调休 an administrator should enter now: this year while it is missing,
    and from 1 November next year while it is missing; None when nothing is missing."""
    calendar = official_calendar()
    if not calendar.adjustments_published(today.year):
        return today.year
    if today.month >= WARN_FROM_MONTH and not calendar.adjustments_published(today.year + 1):
        return today.year + 1
    return None
