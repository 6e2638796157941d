"""The official working calendar of mainland China, for any year, with local overrides.

Per year, the first that knows it answers: a schedule an administrator confirmed from the State
Council's notice, chinesecalendar's data, or else the statutory holidays computed from the lunar
calendar with plain weekends, the year marked as "调休 not yet published" (never guessed).
An administrator's override of a single day wins over all of them.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar

from portal.rules.holidays import statutory_holidays

# Every rule reasons in the township's local time; records are stored in UTC.
TZ = ZoneInfo("Asia/Shanghai")

# chinesecalendar names holidays in English; the portal speaks Chinese.
HOLIDAY_NAMES_ZH: dict[str, str] = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}

_ONE_DAY = timedelta(days=1)


class DayKind(enum.StrEnum):
    """What kind of day a date is in the official calendar."""

    WORKDAY = "workday"
    ADJUSTED_WORKDAY = "adjusted_workday"  # 调休: a weekend day worked in lieu of a holiday
    WEEKEND = "weekend"
    HOLIDAY = "holiday"

    @property
    def is_working(self) -> bool:
        """True for ordinary and adjusted working days."""
        return self in (DayKind.WORKDAY, DayKind.ADJUSTED_WORKDAY)


class YearSource(enum.StrEnum):
    """Where a year's holidays and make-up working days come from."""

    CONFIRMED = "confirmed"  # the State Council's notice, confirmed by an administrator
    PACKAGE = "package"  # chinesecalendar's data
    COMPUTED = "computed"  # statutory holidays only: the year's 调休 is not yet published


@dataclass(frozen=True)
class Day:
    """One date of the official calendar."""

    date: date
    kind: DayKind
    name: str | None = None  # holiday name in Chinese, e.g. "春节"

    @property
    def is_working(self) -> bool:
        """True when cadres are expected at their post."""
        return self.kind.is_working


def local_date(at: datetime) -> date:
    """The Asia/Shanghai calendar date of an aware datetime."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("an aware datetime is required")
    return at.astimezone(TZ).date()


def end_of_local_day(d: date) -> datetime:
    """The last microsecond of a local date, as an aware datetime."""
    return datetime(d.year, d.month, d.day, 23, 59, 59, 999_999, tzinfo=TZ)


def iter_dates(start: date, end: date) -> list[date]:
    """Every date from start to end, both included."""
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


@functools.lru_cache(maxsize=1)
def _package_years() -> tuple[int, int]:
    years = [d.year for d in chinese_calendar.holidays]
    return min(years), max(years)


def package_knows(year: int) -> bool:
    """Whether chinesecalendar has the official schedule of a year."""
    first, last = _package_years()
    return first <= year <= last


def _kind(d: date, working: bool, name: str | None) -> DayKind:
    weekend = d.weekday() >= 5
    if working:
        return DayKind.ADJUSTED_WORKDAY if weekend else DayKind.WORKDAY
    # A named rest day, or a weekday off, is a holiday; a plain Saturday is a weekend.
    return DayKind.HOLIDAY if name or not weekend else DayKind.WEEKEND


def _computed_day(d: date) -> Day:
    """A statutory holiday, or else Monday-Friday work and weekends rest (no 调休)."""
    name = statutory_holidays(d.year).get(d)
    return Day(d, _kind(d, d.weekday() < 5 and name is None, name), name)


def _plain_day(d: date, entry: tuple[bool, str | None] | None = None) -> Day:
    """A day of a confirmed schedule: as the schedule lists it, else by the day of the week."""
    working, name = entry if entry is not None else (d.weekday() < 5, None)
    return Day(d, _kind(d, working, name), name)


@functools.lru_cache(maxsize=16_384)
def _package_day(d: date) -> Day:
    """The package's view of a date, or the computed holidays outside the years it knows."""
    if not package_knows(d.year):
        return _computed_day(d)
    working = chinese_calendar.is_workday(d)
    _, name = chinese_calendar.get_holiday_detail(d)
    zh = HOLIDAY_NAMES_ZH.get(name, name) if name else None
    return Day(d, _kind(d, working, zh), zh)


@functools.lru_cache(maxsize=256)
def _working_prefix(year: int) -> tuple[int, ...]:
    """table[n]: the package's working days among the first n days of the year."""
    table = [0]
    d = date(year, 1, 1)
    while d.year == year:
        table.append(table[-1] + _package_day(d).is_working)
        d += _ONE_DAY
    return tuple(table)


Entries = Mapping[date, tuple[bool, str | None]]  # date → (working?, name)


class OfficialCalendar:
    """Working days, weekends, holidays and 调休, with confirmed schedules and overrides."""

    def __init__(self, overrides: Entries | None = None,
                 schedules: Mapping[int, Entries] | None = None) -> None:
        self._overrides: dict[date, Day] = {
            d: Day(d, _kind(d, working, name), name)
            for d, (working, name) in (overrides or {}).items()
        }
        self._schedules = {year: dict(days) for year, days in sorted((schedules or {}).items())}
        # A notice may list a day of the year before (元旦 from 31 December): later years win.
        self._listed: dict[date, Day] = {
            d: _plain_day(d, entry) for days in self._schedules.values() for d, entry in days.items()
        }
        self._custom_years = set(self._schedules) | {d.year for d in self._listed}
        self._prefixes: dict[int, tuple[int, ...]] = {}

    def same_overrides(self, other: OfficialCalendar) -> bool:
        """Whether both calendars have the same overrides and schedules (and so answer alike)."""
        return self._overrides == other._overrides and self._schedules == other._schedules

    def _underlying(self, d: date) -> Day:
        if d in self._listed:
            return self._listed[d]
        return _plain_day(d) if d.year in self._schedules else _package_day(d)

    def day(self, d: date) -> Day:
        """The calendar entry for a date; overrides win over schedules, the package, the rules."""
        if isinstance(d, datetime):
            # A datetime's date depends on its zone; callers must pick local_date() first.
            raise TypeError("pass a date, not a datetime (see local_date)")
        return self._overrides.get(d) or self._underlying(d)

    def source(self, year: int) -> YearSource:
        """Where the year's holidays come from."""
        if year in self._schedules:
            return YearSource.CONFIRMED
        return YearSource.PACKAGE if package_knows(year) else YearSource.COMPUTED

    def adjustments_published(self, year: int) -> bool:
        """Whether the year's make-up working days (调休) are known, not just its holidays."""
        return self.source(year) is not YearSource.COMPUTED

    def is_working_day(self, d: date) -> bool:
        """True on ordinary and adjusted working days."""
        return self.day(d).is_working

    def is_rest_day(self, d: date) -> bool:
        """True on weekends and holidays."""
        return not self.day(d).is_working

    def working_days(self, start: date, end: date) -> list[date]:
        """Working days from start to end, both included."""
        return [d for d in iter_dates(start, end) if self.is_working_day(d)]

    def _prefix(self, year: int) -> tuple[int, ...]:
        if year not in self._custom_years:
            return _working_prefix(year)
        if year not in self._prefixes:
            table = [0]
            for d in iter_dates(date(year, 1, 1), date(year, 12, 31)):
                table.append(table[-1] + self._underlying(d).is_working)
            self._prefixes[year] = tuple(table)
        return self._prefixes[year]

    def count_working_days(self, start: date, end: date) -> int:
        """How many working days lie from start to end, both included (by year tables, so a
        span of years costs what a span of days does)."""
        if start > end:
            return 0
        count = 0
        for year in range(start.year, end.year + 1):
            first = start if year == start.year else date(year, 1, 1)
            last = end if year == end.year else date(year, 12, 31)
            table = self._prefix(year)
            count += table[last.timetuple().tm_yday] - table[first.timetuple().tm_yday - 1]
        for d, day in self._overrides.items():
            if start <= d <= end:
                count += int(day.is_working) - int(self._underlying(d).is_working)
        return count

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day strictly after start (start itself when n is 0)."""
        if n < 0:
            raise ValueError("n must not be negative")
        d = start
        while n > 0:
            d += _ONE_DAY
            if self.is_working_day(d):
                n -= 1
        return d

    def known_range(self) -> tuple[date, date]:
        """First and last date of the years the chinesecalendar package knows."""
        first, last = _package_years()
        return date(first, 1, 1), date(last, 12, 31)
