"""The duty roster (值班 / 带班), staff side: a month of shifts, its copy, its gaps.

A day shift (rest days) runs 08:00–18:00 local, a night shift 18:00–08:00 the next day.
Swaps and substitutes of single assignments are `duty_changes`.
"""

from __future__ import annotations

import calendar as pycalendar
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, time, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.models import Cadre, DutyAssignment, DutyRole, DutyShift, ShiftKind, Township, User
from portal.rules import coverage
from portal.rules.calendar import Day
from portal.services.office import absences
from portal.services.office.whereabouts import chiefs_away_in_office_hours, local_dt
from portal.services.shared import audit, townships
from portal.services.shared.calendar import official_calendar
from portal.services.shared.errors import ValidationError

DAY_START, DAY_END = time(8, 0), time(18, 0)
STAFF_SLOTS = 2  # staff members per shift on the month grid
Slot = tuple[date, ShiftKind]


def month_span(year: int, month: int) -> tuple[date, date]:
    """First and last day of a month."""
    return date(year, month, 1), date(year, month, pycalendar.monthrange(year, month)[1])


def previous_month(year: int, month: int) -> tuple[int, int]:
    return (year - 1, 12) if month == 1 else (year, month - 1)


def shift_times(day: date, kind: ShiftKind):
    """The start and end of a shift as aware datetimes."""
    if kind == ShiftKind.DAY:
        return local_dt(day, DAY_START), local_dt(day, DAY_END)
    return local_dt(day, DAY_END), local_dt(day + timedelta(days=1), DAY_START)


def load_shifts(township_id: int, start: date, end: date) -> dict[Slot, DutyShift]:
    """The township's shifts from start to end with their assignments."""
    rows = db.session.scalars(
        select(DutyShift).where(DutyShift.township_id == township_id, DutyShift.day >= start,
                                DutyShift.day <= end)
        .options(selectinload(DutyShift.assignments))
    )
    return {(s.day, ShiftKind(s.kind)): s for s in rows}


def _info(shift: DutyShift) -> coverage.ShiftInfo:
    return coverage.ShiftInfo(
        shift.day, coverage.ShiftKind(shift.kind.value),
        tuple(a.cadre_id for a in shift.assignments if a.role == DutyRole.LEADER),
        tuple(a.cadre_id for a in shift.assignments if a.role == DutyRole.STAFF),
        shift.starts_at, shift.ends_at,
    )


def _gaps(township_id: int, start: date, end: date, cal, shifts: dict) -> list[coverage.Gap]:
    """Gaps of the shifts, counting cadres on leave or on a trip as away."""
    away = absences.load([township_id], start, end).get(township_id, [])
    return coverage.find_gaps(start, end, cal, [_info(s) for s in shifts.values()], away)


@dataclass
class ShiftCell:
    """One slot of the grid: who is on it, whether it is required, and its gap if any."""

    day: date
    kind: ShiftKind
    required: bool
    leader_ids: list[int] = field(default_factory=list)
    staff_ids: list[int] = field(default_factory=list)
    assignments: list[DutyAssignment] = field(default_factory=list)
    gap: coverage.Gap | None = None

    @property
    def key(self) -> str:
        return f"{self.day.isoformat()}-{self.kind.value}"


@dataclass
class DayRow:
    day: Day
    cells: dict[ShiftKind, ShiftCell]
    chiefs_away: bool = False


@dataclass
class MonthRoster:
    year: int
    month: int
    days: list[DayRow]
    gaps: list[coverage.Gap]
    required: int
    ratio: float
    chiefs_conflicts: list[date]


def month_roster(township_id: int, year: int, month: int) -> MonthRoster:
    """The month grid with the coverage gaps and the days both chiefs are away."""
    start, end = month_span(year, month)
    cal = official_calendar()
    shifts = load_shifts(township_id, start, end)
    required = coverage.required_shifts(start, end, cal)
    gaps = _gaps(township_id, start, end, cal, shifts)
    gap_at = {(g.date, ShiftKind(g.kind.value)): g for g in gaps}
    required_set = {(d, ShiftKind(k.value)) for d, k in required}
    away = chiefs_away_in_office_hours(township_id, start, end)
    conflicts = coverage.chiefs_conflict_days([start + timedelta(n) for n in range((end - start).days + 1)],
                                              away)
    days = []
    d = start
    while d <= end:
        cells = {}
        for kind in ShiftKind:
            shift = shifts.get((d, kind))
            assignments = list(shift.assignments) if shift else []
            cells[kind] = ShiftCell(
                d, kind, (d, kind) in required_set,
                [a.cadre_id for a in assignments if a.role == DutyRole.LEADER],
                [a.cadre_id for a in assignments if a.role == DutyRole.STAFF],
                assignments, gap_at.get((d, kind)),
            )
        days.append(DayRow(cal.day(d), cells, d in conflicts))
        d += timedelta(days=1)
    return MonthRoster(year, month, days, gaps, len(required),
                       coverage.coverage_ratio(required, gaps), conflicts)


def active_ids(township_id: int) -> tuple[set[int], set[int]]:
    """Active leader ids and active cadre ids of the township."""
    rows = db.session.execute(
        select(Cadre.id, Cadre.is_leader).where(Cadre.township_id == township_id, Cadre.active.is_(True))
    ).all()
    return {r.id for r in rows if r.is_leader}, {r.id for r in rows}


@dataclass(frozen=True)
class Staffing:
    """Who a slot should have: one leader (or none) and the staff."""

    leader_id: int | None
    staff_ids: tuple[int, ...]


def _check_staffing(slot: Slot, staffing: Staffing, leaders: set[int], everyone: set[int]) -> None:
    label = f"{slot[0].isoformat()}"
    if staffing.leader_id is not None and staffing.leader_id not in leaders:
        raise ValidationError(_l("%(day)s：带班领导必须是本乡镇的班子成员。", day=label))
    if any(s not in everyone for s in staffing.staff_ids):
        raise ValidationError(_l("%(day)s：值班人员必须是本乡镇在册的干部。", day=label))
    if staffing.leader_id is not None and staffing.leader_id in staffing.staff_ids:
        raise ValidationError(_l("%(day)s：带班领导和值班人员不能是同一人。", day=label))


def _apply(township_id: int, slot: Slot, staffing: Staffing, existing: DutyShift | None,
           user: User | None) -> bool:
    """Make one slot hold exactly `staffing`; unchanged people keep their records. True if changed."""
    wanted = {(DutyRole.LEADER, staffing.leader_id)} if staffing.leader_id else set()
    wanted |= {(DutyRole.STAFF, s) for s in staffing.staff_ids}
    if existing is None:
        if not wanted:
            return False
        starts_at, ends_at = shift_times(*slot)
        existing = DutyShift(township_id=township_id, day=slot[0], kind=slot[1], starts_at=starts_at,
                             ends_at=ends_at)
        db.session.add(existing)
    have = {(a.role, a.cadre_id): a for a in existing.assignments}
    if set(have) == wanted:
        return False
    for key, assignment in have.items():
        if key not in wanted:
            existing.assignments.remove(assignment)
    for role, cadre_id in sorted(wanted - set(have), key=lambda k: (k[0].value, k[1])):
        existing.assignments.append(DutyAssignment(cadre_id=cadre_id, role=role,
                                                   recorded_by_id=user.id if user else None))
    return True


def set_slots(*, user: User | None, township: Township, slots: Mapping[Slot, Staffing]) -> int:
    """Give each slot exactly its leader and staff, on any dates; the caller audits and commits.

    Returns how many slots changed. A cadre deactivated since keeps their past slots; only new
    names must be active (and a leader a member of the leadership team).
    """
    if not slots:
        return 0
    leaders, everyone = active_ids(township.id)
    days = [day for day, _kind in slots]
    existing = load_shifts(township.id, min(days), max(days))
    changed = 0
    for slot, staffing in sorted(slots.items()):
        before = existing.get(slot)
        keep = {a.cadre_id for a in before.assignments} if before else set()
        _check_staffing(slot, Staffing(
            staffing.leader_id if staffing.leader_id not in keep else None,
            tuple(s for s in staffing.staff_ids if s not in keep)), leaders, everyone)
        changed += _apply(township.id, slot, staffing, before, user)
    return changed


def save_month(*, user: User, township: Township, year: int, month: int,
               slots: Mapping[Slot, Staffing]) -> int:
    """Save the month grid: each given slot gets exactly its leader and staff. Returns changes."""
    start, end = month_span(year, month)
    if any(not start <= day <= end for day, _kind in slots):
        raise ValidationError(_l("日期不在本月内。"))
    changed = set_slots(user=user, township=township, slots=slots)
    if changed:
        audit.record("roster.save", actor=user, object_type="township", object_id=township.code,
                     detail={"month": f"{year}-{month:02d}", "changed": changed})
        townships.touch(township.id)
    db.session.commit()
    return changed


def _source_day(day: date, first: date) -> date:
    """The same weekday four (or five) weeks earlier, in the previous month."""
    source = day - timedelta(days=28)
    return source if source < first else day - timedelta(days=35)


def copy_previous_month(*, user: User, township: Township, year: int, month: int) -> int:
    """Fill the month's empty slots from last month, same weekday; rest-day shifts only onto rest days."""
    start, end = month_span(year, month)
    prev_start, _prev_end = month_span(*previous_month(year, month))
    cal = official_calendar()
    source = load_shifts(township.id, prev_start, start - timedelta(days=1))
    if not source:
        raise ValidationError(_l("上个月没有排班，无法复制。"))
    target = load_shifts(township.id, start, end)
    _leaders, everyone = active_ids(township.id)
    filled = 0
    d = start
    while d <= end:
        for kind in ShiftKind:
            if kind == ShiftKind.DAY and not cal.is_rest_day(d):
                continue
            src = source.get((_source_day(d, start), kind))
            if src is None or ((d, kind) in target and target[(d, kind)].assignments):
                continue
            people = [a for a in src.assignments if a.cadre_id in everyone]
            leader = next((a.cadre_id for a in people if a.role == DutyRole.LEADER), None)
            staff = tuple(a.cadre_id for a in people if a.role == DutyRole.STAFF)
            filled += _apply(township.id, (d, kind), Staffing(leader, staff), target.get((d, kind)),
                             user)
        d += timedelta(days=1)
    audit.record("roster.copy", actor=user, object_type="township", object_id=township.code,
                 detail={"month": f"{year}-{month:02d}", "filled": filled})
    townships.touch(township.id)
    db.session.commit()
    return filled


def coverage_of(township_id: int, start: date, end: date) -> tuple[int, list[coverage.Gap]]:
    """Required shifts from start to end and their gaps (cadres on leave or a trip are away)."""
    cal = official_calendar()
    gaps = _gaps(township_id, start, end, cal, load_shifts(township_id, start, end))
    return len(coverage.required_shifts(start, end, cal)), gaps


def month_gap_count(township_id: int, year: int, month: int) -> int:
    """How many required shifts of the month lack a leader or staff, or miss an absent cadre."""
    return len(coverage_of(township_id, *month_span(year, month))[1])


def assignments_of_month(roster: MonthRoster) -> Iterable[tuple[ShiftCell, DutyAssignment]]:
    """Every assignment of the grid, in date order (for the swap and substitute pickers)."""
    for row in roster.days:
        for kind in ShiftKind:
            cell = row.cells[kind]
            for assignment in cell.assignments:
                yield cell, assignment


def calendar_changed() -> None:
    """A calendar override changes every township's gaps: bump every data version; caller commits."""
    townships.touch(None)
