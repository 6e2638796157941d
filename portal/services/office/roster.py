"""The duty roster, read side: shifts with their people, coverage gaps, the iCalendar feed.

Writing the roster belongs to the township office (portal/services/office/duty.py); this module
only reads the models. Every function runs a fixed number of SQL statements whatever the
number of shifts or cadres. Only public fields of a cadre leave this module.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import aliased

from portal.extensions import db
from portal.models import (
    Cadre,
    DutyAssignment,
    DutyRole,
    DutyShift,
    ShiftKind,
    Township,
)
from portal.rules import coverage
from portal.rules.calendar import TZ, Day, OfficialCalendar, iter_dates
from portal.services.office.chiefs_away import (
    away_records,
    chiefs_away_days,
)
from portal.services.shared.calendar import official_calendar

# The API and the feed never answer more than this many days at once.
MAX_RANGE_DAYS = 62
# The iCalendar feed: from a month back to two months ahead.
FEED_DAYS_BACK = 31
FEED_DAYS_AHEAD = 62
# Usual shift times, for a required shift nobody has rostered yet.
DAY_START, DAY_END = time(8, 30), time(17, 30)
ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class PersonRef:
    """The public face of a cadre: random id, name, post and office phone. Nothing else."""

    public_id: str
    name: str
    post: str
    office_phone: str


@dataclass(frozen=True)
class OnDuty:
    """A cadre on a shift, and whom they replace when it is a swap or substitute (替班)."""

    person: PersonRef
    replaces: PersonRef | None = None


@dataclass(frozen=True)
class ShiftView:
    """One rostered shift with its leaders (带班) and staff (值班)."""

    day: date
    kind: ShiftKind
    starts_at: datetime
    ends_at: datetime
    leaders: tuple[OnDuty, ...] = ()
    staff: tuple[OnDuty, ...] = ()

    @property
    def uid(self) -> str:
        return f"{self.day.isoformat()}-{self.kind.value}"


@dataclass(frozen=True)
class AbsentView:
    """A rostered cadre away from the shift with nobody standing in: who, in which role, and
    whether on leave or on a trip (never why)."""

    person: PersonRef
    role: DutyRole
    kind: coverage.AbsenceKind


@dataclass(frozen=True)
class Cell:
    """A day's slot of one kind: the shift (if rostered), whether it is required, its gap."""

    kind: ShiftKind
    shift: ShiftView | None
    required: bool
    gap: coverage.Gap | None
    absent: tuple[AbsentView, ...] = ()


@dataclass(frozen=True)
class RosterDay:
    day: Day
    cells: tuple[Cell, ...]
    chiefs_both_away: bool


@dataclass
class RangeRoster:
    """The roster of a township from start to end (both included)."""

    township: Township
    start: date
    end: date
    days: list[RosterDay] = field(default_factory=list)
    gaps: list[coverage.Gap] = field(default_factory=list)
    required: int = 0

    @property
    def coverage_ratio(self) -> float:
        return 1.0 if not self.required else (self.required - len(self.gaps)) / self.required

    @property
    def chiefs_away_days(self) -> list[date]:
        return [d.day.date for d in self.days if d.chiefs_both_away]

    @property
    def people_on_duty(self) -> list[PersonRef]:
        """Everyone on a shift of the range, once each, in the order they first appear."""
        seen: dict[str, PersonRef] = {}
        for day in self.days:
            for cell in day.cells:
                for on_duty in (*cell.shift.leaders, *cell.shift.staff) if cell.shift else ():
                    seen.setdefault(on_duty.person.public_id, on_duty.person)
        return list(seen.values())


def person_from(row: Mapping, prefix: str) -> PersonRef | None:
    if row[f"{prefix}_public_id"] is None:
        return None
    return PersonRef(row[f"{prefix}_public_id"], row[f"{prefix}_name"], row[f"{prefix}_post"],
                     row[f"{prefix}_phone"])


def person_columns(alias, prefix: str) -> list:
    return [
        alias.public_id.label(f"{prefix}_public_id"),
        alias.name.label(f"{prefix}_name"),
        alias.post.label(f"{prefix}_post"),
        alias.office_phone.label(f"{prefix}_phone"),
    ]


def load_shifts(township_id: int, start: date, end: date) -> list[ShiftView]:
    """Shifts of a township from start to end with their people: one SQL statement."""
    on_duty, replaced = aliased(Cadre), aliased(Cadre)
    stmt = (
        select(
            DutyShift.id, DutyShift.day, DutyShift.kind, DutyShift.starts_at, DutyShift.ends_at,
            DutyAssignment.role, *person_columns(on_duty, "p"), *person_columns(replaced, "r"),
        )
        .outerjoin(DutyAssignment, DutyAssignment.shift_id == DutyShift.id)
        .outerjoin(on_duty, on_duty.id == DutyAssignment.cadre_id)
        .outerjoin(replaced, replaced.id == DutyAssignment.replaces_id)
        .where(DutyShift.township_id == township_id, DutyShift.day.between(start, end))
        .order_by(DutyShift.day, DutyShift.kind, DutyAssignment.id)
    )
    shifts: dict[int, tuple[dict, list[OnDuty], list[OnDuty]]] = {}
    for row in db.session.execute(stmt).mappings():
        head, leaders, staff = shifts.setdefault(row["id"], (dict(row), [], []))
        person = person_from(row, "p")
        if person is not None:
            target = leaders if row["role"] == DutyRole.LEADER else staff
            target.append(OnDuty(person, person_from(row, "r")))
    return [
        ShiftView(h["day"], ShiftKind(h["kind"]), h["starts_at"], h["ends_at"], tuple(lead),
                  tuple(staff))
        for h, lead, staff in shifts.values()
    ]


def shift_infos(shifts: Iterable[ShiftView]) -> list[coverage.ShiftInfo]:
    """The shifts as the coverage rules see them."""
    return [
        coverage.ShiftInfo(
            s.day, coverage.ShiftKind(s.kind.value),
            tuple(p.person.public_id for p in s.leaders), tuple(p.person.public_id for p in s.staff),
            s.starts_at, s.ends_at,
        )
        for s in shifts
    ]


def usual_times(day: date, kind: ShiftKind) -> tuple[datetime, datetime]:
    """Usual start and end of a shift: 08:30–17:30, or 17:30 to 08:30 the next morning."""
    if kind == ShiftKind.DAY:
        return datetime.combine(day, DAY_START, TZ), datetime.combine(day, DAY_END, TZ)
    return datetime.combine(day, DAY_END, TZ), datetime.combine(day + ONE_DAY, DAY_START, TZ)


# --- the roster of a range -------------------------------------------------------------------


def _cell(kind: ShiftKind, shift: ShiftView | None, required: bool, gap: coverage.Gap | None,
          people: Mapping[str, PersonRef]) -> Cell:
    absent = tuple(AbsentView(people[a.person_id], DutyRole(a.role.value), a.kind)
                   for a in (gap.absent if gap else ()) if a.person_id in people)
    return Cell(kind, shift, required, gap, absent)


def range_roster(township: Township, start: date, end: date,
                 calendar: OfficialCalendar | None = None) -> RangeRoster:
    """Shifts, required slots, gaps (with who is away) and chiefs-away days (3 statements)."""
    if end < start or (end - start).days >= MAX_RANGE_DAYS:
        raise ValueError(f"range must be 1 to {MAX_RANGE_DAYS} days")
    calendar = calendar or official_calendar()
    shifts = load_shifts(township.id, start, end)
    records = away_records(township.id, start, end)
    gaps = coverage.find_gaps(start, end, calendar, shift_infos(shifts), records.absences)
    required = set(coverage.required_shifts(start, end, calendar))
    away = chiefs_away_days(township.id, start, end, records)
    by_slot = {(s.day, s.kind.value): s for s in shifts}
    gap_by_slot = {(g.date, g.kind.value): g for g in gaps}
    people = {p.person.public_id: p.person for s in shifts for p in (*s.leaders, *s.staff)}
    result = RangeRoster(township, start, end, gaps=gaps, required=len(required))
    for d in iter_dates(start, end):
        cells = tuple(
            _cell(kind, by_slot.get((d, kind.value)), (d, coverage.ShiftKind(kind.value)) in required,
                  gap_by_slot.get((d, kind.value)), people)
            for kind in (ShiftKind.DAY, ShiftKind.NIGHT)
        )
        result.days.append(RosterDay(calendar.day(d), cells, d in away))
    return result


def month_bounds(year: int, month: int) -> tuple[date, date]:
    first = date(year, month, 1)
    following = date(year + month // 12, month % 12 + 1, 1)
    return first, following - ONE_DAY


def parse_month(text: str) -> tuple[int, int] | None:
    """"2026-10" → (2026, 10); anything else, or a year outside 2000–2099, → None."""
    parts = (text or "").strip().split("-")
    if len(parts) != 2 or not all(p.isdigit() for p in parts) or len(parts[0]) != 4:
        return None
    year, month = int(parts[0]), int(parts[1])
    if not (2000 <= year <= 2099 and 1 <= month <= 12 and len(parts[1]) <= 2):
        return None
    return year, month


def shift_month(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def overrides_key(calendar_days: Iterable[Day]) -> str:
    """A compact key of the calendar's answers for some days (for ETags)."""
    return "".join(f"{d.kind.value[0]}{d.name or ''}" for d in calendar_days)


def month_roster(township: Township, year: int, month: int) -> RangeRoster:
    """The roster of one calendar month."""
    start, end = month_bounds(year, month)
    return range_roster(township, start, end)
