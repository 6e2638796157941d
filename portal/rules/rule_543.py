"""The 5-4-3 rule: per ISO week a leader works 5 days, stays 4 nights, visits villages 3 days.

Attribution: every timestamp is attributed to its Asia/Shanghai local date, so a check-out
at 00:05 belongs to the next day (and leaves the previous day's check-in unpaired).

Nights: a night belongs to the week of the morning after it, i.e. the nights of a week are
the previous Sunday's night through Saturday's night. The nights required are the eves of
the week's working days not covered by leave, at most 4; so a Monday on leave also excuses
Sunday night. A night stay is valid with the next morning's sign-in and, for the evening,
either the evening sign-in or an evening field-diary entry made at the township (四夜 work
supports the stay); the diary never replaces the morning sign-in, which proves the night.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Set
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from portal.rules.calendar import OfficialCalendar, iter_dates, local_date

DEFAULT_WORK_DAYS = 5
DEFAULT_NIGHTS = 4
DEFAULT_VILLAGE_DAYS = 3

REASON_NO_SIGN_OUT = "签到无签退"
REASON_NO_SIGN_IN = "签退无签到"
REASON_NOT_AT_TOWNSHIP = "签到地点不在乡镇"
REASON_UNKNOWN_KIND = "签到类型不明"
REASON_NO_EVENING = "缺晚间签到"
REASON_NO_MORNING = "缺次日早签到"
REASON_NO_EVENING_NOR_MORNING = "缺晚间签到和次日早签到"
REASON_UNCONFIRMED = "未经群众确认"

RecordId = int | str


class SignInKind(enum.StrEnum):
    """Check-in or check-out; plain "in" / "out" strings compare equal."""

    IN = "in"
    OUT = "out"


class RecordKind(enum.StrEnum):
    """Which kind of record an InvalidRecord points to."""

    SIGN_IN = "sign_in"
    NIGHT_STAY = "night_stay"
    VISIT = "visit"


@dataclass(frozen=True)
class SignInRecord:
    """One check-in or check-out; `at` must be timezone-aware."""

    id: RecordId
    at: datetime
    kind: SignInKind
    at_township: bool


@dataclass(frozen=True)
class NightStay:
    """The evidence for one night; evening_diary means an evening diary entry at the township."""

    id: RecordId
    night_of: date
    evening_sign_in: bool
    morning_sign_in: bool
    evening_diary: bool = False


@dataclass(frozen=True)
class Visit:
    """A village visit on a local date; it counts only once a villager confirmed it."""

    id: RecordId
    day: date
    village: str
    confirmed: bool


@dataclass(frozen=True)
class InvalidRecord:
    """A record that counts for nothing, with the reason shown to people."""

    record_id: RecordId
    kind: RecordKind
    reason: str


@dataclass(frozen=True)
class WeekResult:
    """A leader's 5-4-3 figures for one ISO week."""

    week_start: date
    work_days: int
    nights: int
    village_days: int
    required_work: int
    required_nights: int
    required_village: int
    compliant: bool
    work_dates: frozenset[date]
    night_dates: frozenset[date]  # the `night_of` dates of valid stays
    village_dates: frozenset[date]
    invalid: list[InvalidRecord]
    served_days: int = 7  # days of the week the cadre served at the township

    @property
    def partial(self) -> bool:
        """Served only part of the week (joined or left during it): requirements lowered."""
        return 0 < self.served_days < 7

    @property
    def served(self) -> bool:
        """Served at least one day of the week; a week not served at all is not counted."""
        return self.served_days > 0


def week_dates(week_start: date) -> list[date]:
    """The seven dates of the ISO week starting on a Monday."""
    if week_start.weekday() != 0:
        raise ValueError(f"week_start must be a Monday, got {week_start.isoformat()}")
    return iter_dates(week_start, week_start + timedelta(days=6))


def available_days(week: list[date], calendar: OfficialCalendar, leave_days: Set[date]) -> int:
    """Working days of the week not covered by leave."""
    return sum(1 for d in week if calendar.is_working_day(d) and d not in leave_days)


def _sign_in_reason(record: SignInRecord, day_records: list[SignInRecord]) -> str | None:
    """Why a sign-in record is invalid, or None when it is part of a valid pair."""
    if not record.at_township:
        return REASON_NOT_AT_TOWNSHIP
    if record.kind == SignInKind.IN:
        paired = any(r.kind == SignInKind.OUT and r.at > record.at for r in day_records)
        return None if paired else REASON_NO_SIGN_OUT
    if record.kind == SignInKind.OUT:
        paired = any(r.kind == SignInKind.IN and r.at < record.at for r in day_records)
        return None if paired else REASON_NO_SIGN_IN
    return REASON_UNKNOWN_KIND


def _sign_in_days(
    week: list[date], sign_ins: Iterable[SignInRecord]
) -> tuple[set[date], list[InvalidRecord]]:
    """Local dates with a valid check-in/check-out pair at the township, and the invalid records."""
    by_day: dict[date, list[SignInRecord]] = {d: [] for d in week}
    for record in sign_ins:
        day = local_date(record.at)
        if day in by_day:
            by_day[day].append(record)
    valid: set[date] = set()
    invalid: list[InvalidRecord] = []
    for day, records in by_day.items():
        at_township = [r for r in records if r.at_township]
        for record in sorted(records, key=lambda r: r.at):
            reason = _sign_in_reason(record, at_township)
            if reason is None:
                valid.add(day)
            else:
                invalid.append(InvalidRecord(record.id, RecordKind.SIGN_IN, reason))
    return valid, invalid


def _stay_reason(stay: NightStay) -> str | None:
    evening = stay.evening_sign_in or stay.evening_diary
    if evening and stay.morning_sign_in:
        return None
    if stay.morning_sign_in:
        return REASON_NO_EVENING
    return REASON_NO_MORNING if evening else REASON_NO_EVENING_NOR_MORNING


def _night_dates(
    week: list[date], stays: Iterable[NightStay]
) -> tuple[set[date], list[InvalidRecord]]:
    """Nights of the week (Sunday before to Saturday) with a valid stay, and invalid stays."""
    nights = {d - timedelta(days=1) for d in week}
    valid: set[date] = set()
    invalid: list[InvalidRecord] = []
    for stay in sorted(stays, key=lambda s: s.night_of):
        if stay.night_of not in nights:
            continue
        reason = _stay_reason(stay)
        if reason is None:
            valid.add(stay.night_of)
        else:
            invalid.append(InvalidRecord(stay.id, RecordKind.NIGHT_STAY, reason))
    return valid, invalid


def _village_dates(
    week: list[date], visits: Iterable[Visit]
) -> tuple[set[date], list[InvalidRecord]]:
    """Dates of the week with a confirmed visit, and the unconfirmed visits."""
    days = set(week)
    valid: set[date] = set()
    invalid: list[InvalidRecord] = []
    for visit in sorted(visits, key=lambda v: v.day):
        if visit.day not in days:
            continue
        if visit.confirmed:
            valid.add(visit.day)
        else:
            invalid.append(InvalidRecord(visit.id, RecordKind.VISIT, REASON_UNCONFIRMED))
    return valid, invalid


def compute_week(
    week_start: date,
    calendar: OfficialCalendar,
    sign_ins: Iterable[SignInRecord],
    stays: Iterable[NightStay],
    visits: Iterable[Visit],
    leave_days: Set[date],
    unserved: Set[date] = frozenset(),
) -> WeekResult:
    """Count a leader's 5-4-3 figures for the ISO week starting on week_start (a Monday).

    `unserved` are the dates the cadre did not serve at the township (before joining, after
    leaving): they are excused like leave and nothing on them counts; a night counts only
    when the cadre served both its evening and its morning.
    """
    week = week_dates(week_start)
    signed, bad_sign_ins = _sign_in_days(week, sign_ins)
    nights, bad_stays = _night_dates(week, stays)
    village, bad_visits = _village_dates(week, visits)
    nights = {n for n in nights if n not in unserved and n + timedelta(days=1) not in unserved}
    village -= unserved
    work = (signed | village) - unserved

    excused = leave_days | unserved if unserved else leave_days
    available = available_days(week, calendar, excused)
    required_work = min(DEFAULT_WORK_DAYS, available)
    # Each available working day has exactly one eve; an eve before joining is not required.
    eves = sum(1 for d in week if calendar.is_working_day(d) and d not in excused
               and d - timedelta(days=1) not in unserved)
    required_nights = min(DEFAULT_NIGHTS, eves)
    required_village = min(DEFAULT_VILLAGE_DAYS, available, required_work)

    compliant = (
        len(work) >= required_work
        and len(nights) >= required_nights
        and len(village) >= required_village
    )
    return WeekResult(
        week_start=week_start,
        work_days=len(work),
        nights=len(nights),
        village_days=len(village),
        required_work=required_work,
        required_nights=required_nights,
        required_village=required_village,
        compliant=compliant,
        work_dates=frozenset(work),
        night_dates=frozenset(nights),
        village_dates=frozenset(village),
        invalid=bad_sign_ins + bad_stays + bad_visits,
        served_days=7 - sum(1 for d in week if d in unserved),
    )
