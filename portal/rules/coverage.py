"""Duty coverage: rest days need a day shift, every night a night shift, each fully staffed."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from portal.rules.calendar import OfficialCalendar, iter_dates

SECRETARY = "secretary"  # 党委书记
HEAD = "head"  # 乡镇长

PersonId = int | str


class ShiftKind(enum.StrEnum):
    """A day shift (rest days only) or a night shift (every night)."""

    DAY = "day"
    NIGHT = "night"


@dataclass(frozen=True)
class ShiftInfo:
    """Who is on one shift: duty leaders (带班领导) and staff (值班人员)."""

    date: date
    kind: ShiftKind
    leader_ids: tuple[PersonId, ...] = ()
    staff_ids: tuple[PersonId, ...] = ()


@dataclass(frozen=True)
class Gap:
    """A required shift lacking a leader or staff; missing_shift means nothing is rostered."""

    date: date
    kind: ShiftKind
    missing_leader: bool
    missing_staff: bool
    missing_shift: bool


Slot = tuple[date, ShiftKind]


def required_shifts(start: date, end: date, calendar: OfficialCalendar) -> list[Slot]:
    """Shifts needed from start to end: a day shift on each rest day, a night shift each night."""
    slots: list[Slot] = []
    for d in iter_dates(start, end):
        # A 调休 Saturday is a working day: the office is open, so no day shift is needed.
        if calendar.is_rest_day(d):
            slots.append((d, ShiftKind.DAY))
        slots.append((d, ShiftKind.NIGHT))
    return slots


def _staffing(shifts: Iterable[ShiftInfo]) -> dict[Slot, tuple[set[PersonId], set[PersonId]]]:
    """Leaders and staff per slot; several records for one slot (a split shift) add up."""
    staffing: dict[Slot, tuple[set[PersonId], set[PersonId]]] = {}
    for shift in shifts:
        leaders, staff = staffing.setdefault((shift.date, ShiftKind(shift.kind)), (set(), set()))
        leaders.update(shift.leader_ids)
        staff.update(shift.staff_ids)
    return staffing


def find_gaps(
    start: date, end: date, calendar: OfficialCalendar, shifts: Iterable[ShiftInfo]
) -> list[Gap]:
    """Required shifts from start to end that lack a leader or a staff member."""
    staffing = _staffing(shifts)
    gaps: list[Gap] = []
    for slot in required_shifts(start, end, calendar):
        if slot not in staffing:
            gaps.append(Gap(slot[0], slot[1], True, True, True))
            continue
        leaders, staff = staffing[slot]
        # The leader on duty does not also count as the staff member: a shift needs two people.
        missing_staff = not (staff - leaders)
        if not leaders or missing_staff:
            gaps.append(Gap(slot[0], slot[1], not leaders, missing_staff, False))
    return gaps


def coverage_ratio(required: Sequence[Slot], gaps: Iterable[Gap]) -> float:
    """Share of required shifts that are fully staffed (1.0 when nothing is required)."""
    needed = set(required)
    if not needed:
        return 1.0
    short = {(g.date, g.kind) for g in gaps} & needed
    return (len(needed) - len(short)) / len(needed)


def chiefs_conflict_days(days: Iterable[date], away: Mapping[str, set[date]]) -> list[date]:
    """Days on which the Party secretary and the township head are both away."""
    secretary = away.get(SECRETARY, set())
    head = away.get(HEAD, set())
    return sorted({d for d in days if d in secretary and d in head})
