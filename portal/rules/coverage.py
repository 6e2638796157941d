"""Duty coverage: rest days need a day shift, every night a night shift, each fully staffed.

A cadre rostered on a shift while on leave or on a trip does not count toward it: unless
the absence's substitute is on the same shift (and takes the absent cadre's role), the slot
is a gap that names who is absent and why.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from portal.rules.calendar import OfficialCalendar, iter_dates

SECRETARY = "secretary"  # 党委书记
HEAD = "head"  # 乡镇长

PersonId = int | str
# A trip that only brushes a shift's start or end (leaving at 08:00 after a night shift
# ending 08:30) is a handover, not an absence from it.
HANDOVER = timedelta(minutes=30)


class ShiftKind(enum.StrEnum):
    """A day shift (rest days only) or a night shift (every night)."""

    DAY = "day"
    NIGHT = "night"


class AbsenceKind(enum.StrEnum):
    """Why a rostered cadre is away: only the kind is ever public, never a leave's reason."""

    LEAVE = "leave"  # 请假
    TRIP = "trip"  # 出差


class Role(enum.StrEnum):
    LEADER = "leader"  # 带班领导
    STAFF = "staff"  # 值班人员


@dataclass(frozen=True)
class ShiftInfo:
    """Who is on one shift: duty leaders (带班领导) and staff (值班人员), and when it runs."""

    date: date
    kind: ShiftKind
    leader_ids: tuple[PersonId, ...] = ()
    staff_ids: tuple[PersonId, ...] = ()
    starts_at: datetime | None = None
    ends_at: datetime | None = None


@dataclass(frozen=True)
class Absence:
    """A cadre away: on leave for whole days (first_day..last_day, each day's day and night
    shift), or on a trip over an interval (the shifts it overlaps by more than a handover)."""

    person_id: PersonId
    kind: AbsenceKind
    first_day: date | None = None
    last_day: date | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    substitute_id: PersonId | None = None

    def covers(self, shift: ShiftInfo) -> bool:
        if self.first_day is not None and self.last_day is not None:
            return self.first_day <= shift.date <= self.last_day
        if None in (self.starts_at, self.ends_at, shift.starts_at, shift.ends_at):
            return False
        overlap = min(self.ends_at, shift.ends_at) - max(self.starts_at, shift.starts_at)  # type: ignore[type-var,operator]
        return overlap > HANDOVER


@dataclass(frozen=True)
class Absent:
    """A cadre rostered on a shift who is away then, with nobody standing in."""

    person_id: PersonId
    role: Role
    kind: AbsenceKind


@dataclass(frozen=True)
class Gap:
    """A required shift lacking a leader or staff; missing_shift means nothing is rostered.

    `absent` names the rostered cadres who are away with nobody standing in for them: such a
    slot is a gap even when the others present would make up the numbers.
    """

    date: date
    kind: ShiftKind
    missing_leader: bool
    missing_staff: bool
    missing_shift: bool
    absent: tuple[Absent, ...] = ()


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


Absences = Mapping[PersonId, Sequence[Absence]]


def by_person(absences: Iterable[Absence]) -> dict[PersonId, list[Absence]]:
    """Absences indexed by the absent cadre."""
    index: dict[PersonId, list[Absence]] = {}
    for absence in absences:
        index.setdefault(absence.person_id, []).append(absence)
    return index


def _away(person_id: PersonId, shift: ShiftInfo, absences: Absences) -> Absence | None:
    # Leave first: it is the record the clerk keeps; a trip entry may describe the same days.
    found = [a for a in absences.get(person_id, ()) if a.covers(shift)]
    return min(found, key=lambda a: a.kind != AbsenceKind.LEAVE, default=None)


def present(shift: ShiftInfo, absences: Absences) -> tuple[set, set, list[Absent]]:
    """Leaders and staff actually there, and who is away unreplaced.

    An absent cadre's role is filled when the absence's substitute is on the same shift and
    not away themselves; otherwise the absent cadre is listed.
    """
    roles = ((Role.LEADER, shift.leader_ids), (Role.STAFF, shift.staff_ids))
    away = {p: a for _role, ids in roles for p in ids if (a := _away(p, shift, absences))}
    there = {p for _role, ids in roles for p in ids} - set(away)
    filled: dict[Role, set[PersonId]] = {Role.LEADER: set(), Role.STAFF: set()}
    absent: list[Absent] = []
    for role, ids in roles:
        for person_id in ids:
            absence = away.get(person_id)
            if absence is None:
                filled[role].add(person_id)
            elif absence.substitute_id in there:
                filled[role].add(absence.substitute_id)
            else:
                absent.append(Absent(person_id, role, absence.kind))
    return filled[Role.LEADER], filled[Role.STAFF], absent


Staffing = tuple[set[PersonId], set[PersonId], list[Absent]]


def _staffing(shifts: Iterable[ShiftInfo], absences: Absences) -> dict[Slot, Staffing]:
    """Leaders and staff present per slot; several records for one slot (a split shift) add up."""
    staffing: dict[Slot, Staffing] = {}
    for shift in shifts:
        leaders, staff, absent = staffing.setdefault(
            (shift.date, ShiftKind(shift.kind)), (set(), set(), []))
        there_leaders, there_staff, away = present(shift, absences)
        leaders.update(there_leaders)
        staff.update(there_staff)
        absent.extend(a for a in away if a not in absent)
    return staffing


def find_gaps(
    start: date, end: date, calendar: OfficialCalendar, shifts: Iterable[ShiftInfo],
    absences: Iterable[Absence] = (),
) -> list[Gap]:
    """Required shifts from start to end that lack a leader or a staff member, or whose
    rostered cadre is away (leave, trip) with nobody standing in."""
    staffing = _staffing(shifts, by_person(absences))
    gaps: list[Gap] = []
    for slot in required_shifts(start, end, calendar):
        if slot not in staffing:
            gaps.append(Gap(slot[0], slot[1], True, True, True))
            continue
        leaders, staff, absent = staffing[slot]
        # The leader on duty does not also count as the staff member: a shift needs two people.
        missing_staff = not (staff - leaders)
        if not leaders or missing_staff or absent:
            gaps.append(Gap(slot[0], slot[1], not leaders, missing_staff, False, tuple(absent)))
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
