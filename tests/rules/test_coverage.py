"""Tests for duty coverage on real 2026 weeks."""

from datetime import date

import pytest

from portal.rules.calendar import OfficialCalendar
from portal.rules.coverage import (
    HEAD,
    SECRETARY,
    Gap,
    ShiftInfo,
    ShiftKind,
    chiefs_conflict_days,
    coverage_ratio,
    find_gaps,
    required_shifts,
)

CAL = OfficialCalendar()
DAY = ShiftKind.DAY
NIGHT = ShiftKind.NIGHT


def d(month: int, day: int) -> date:
    return date(2026, month, day)


@pytest.mark.parametrize(
    ("start", "end", "day_shifts"),
    [
        # Ordinary week: Saturday and Sunday.
        (d(3, 9), d(3, 15), [d(3, 14), d(3, 15)]),
        # National Day week: Thu 1 - Sun 4 Oct.
        (d(9, 28), d(10, 4), [d(10, 1), d(10, 2), d(10, 3), d(10, 4)]),
        # Week after: Mon 5 - Wed 7 and Sun 11; the 调休 Sat 10 is a working day.
        (d(10, 5), d(10, 11), [d(10, 5), d(10, 6), d(10, 7), d(10, 11)]),
        # Spring Festival eve week: the 调休 Sat 14 needs none, Sun 15 does.
        (d(2, 9), d(2, 15), [d(2, 15)]),
        # New Year: the working Sunday 4 Jan needs no day shift.
        (d(1, 1), d(1, 4), [d(1, 1), d(1, 2), d(1, 3)]),
    ],
)
def test_required_shifts(start: date, end: date, day_shifts: list[date]) -> None:
    slots = required_shifts(start, end, CAL)
    assert [day for day, kind in slots if kind == DAY] == day_shifts
    nights = [day for day, kind in slots if kind == NIGHT]
    assert nights == [date.fromordinal(o) for o in range(start.toordinal(), end.toordinal() + 1)]


def test_required_shifts_order_day_before_night() -> None:
    assert required_shifts(d(3, 13), d(3, 14), CAL) == [
        (d(3, 13), NIGHT),
        (d(3, 14), DAY),
        (d(3, 14), NIGHT),
    ]


def full(day: date, kind: ShiftKind) -> ShiftInfo:
    return ShiftInfo(day, kind, leader_ids=(1,), staff_ids=(2,))


@pytest.mark.parametrize(
    ("shifts", "gaps"),
    [
        # Saturday 10 Oct (调休) and Sunday 11 Oct, fully staffed.
        ([full(d(10, 10), NIGHT), full(d(10, 11), DAY), full(d(10, 11), NIGHT)], []),
        # Nothing rostered on Sunday's day shift.
        ([full(d(10, 10), NIGHT), full(d(10, 11), NIGHT)], [Gap(d(10, 11), DAY, True, True, True)]),
        # A night without a leader, a day without staff.
        (
            [
                ShiftInfo(d(10, 10), NIGHT, (), (2, 3)),
                ShiftInfo(d(10, 11), DAY, (1,), ()),
                full(d(10, 11), NIGHT),
            ],
            [Gap(d(10, 10), NIGHT, True, False, False), Gap(d(10, 11), DAY, False, True, False)],
        ),
        # The leader alone is not also the staff member.
        (
            [full(d(10, 10), NIGHT), ShiftInfo(d(10, 11), DAY, (1,), (1,)), full(d(10, 11), NIGHT)],
            [Gap(d(10, 11), DAY, False, True, False)],
        ),
        # A split shift: two records for one slot add up.
        (
            [
                full(d(10, 10), NIGHT),
                ShiftInfo(d(10, 11), DAY, (1,), ()),
                ShiftInfo(d(10, 11), DAY, (), (3,)),
                full(d(10, 11), NIGHT),
            ],
            [],
        ),
        # A day shift on the 调休 Saturday is not required and fills no gap.
        (
            [full(d(10, 10), DAY), full(d(10, 11), DAY), full(d(10, 11), NIGHT)],
            [Gap(d(10, 10), NIGHT, True, True, True)],
        ),
    ],
)
def test_find_gaps(shifts: list[ShiftInfo], gaps: list[Gap]) -> None:
    assert find_gaps(d(10, 10), d(10, 11), CAL, shifts) == gaps


def test_national_day_week_unstaffed() -> None:
    gaps = find_gaps(d(9, 28), d(10, 4), CAL, [])
    assert len(gaps) == 4 + 7
    assert all(g.missing_shift and g.missing_leader and g.missing_staff for g in gaps)


def test_plain_string_shift_kinds_are_accepted() -> None:
    shift = ShiftInfo(d(3, 9), "night", (1,), (2,))  # type: ignore[arg-type]
    assert find_gaps(d(3, 9), d(3, 9), CAL, [shift]) == []


@pytest.mark.parametrize(
    ("required", "gaps", "ratio"),
    [
        ([], [], 1.0),
        ([(d(3, 9), NIGHT)], [], 1.0),
        ([(d(3, 9), NIGHT)], [Gap(d(3, 9), NIGHT, True, False, False)], 0.0),
        (
            [(d(3, 14), DAY), (d(3, 14), NIGHT), (d(3, 15), DAY), (d(3, 15), NIGHT)],
            [Gap(d(3, 14), DAY, True, True, True)],
            0.75,
        ),
        # A gap outside what is required does not count.
        ([(d(3, 14), NIGHT)], [Gap(d(3, 13), DAY, True, True, True)], 1.0),
    ],
)
def test_coverage_ratio(required: list, gaps: list[Gap], ratio: float) -> None:
    assert coverage_ratio(required, gaps) == pytest.approx(ratio)


def test_coverage_ratio_of_a_holiday_week() -> None:
    required = required_shifts(d(9, 28), d(10, 4), CAL)
    shifts = [full(day, kind) for day, kind in required if day != d(10, 3)]
    gaps = find_gaps(d(9, 28), d(10, 4), CAL, shifts)
    assert [(g.date, g.kind) for g in gaps] == [(d(10, 3), DAY), (d(10, 3), NIGHT)]
    assert coverage_ratio(required, gaps) == pytest.approx(9 / 11)


@pytest.mark.parametrize(
    ("days", "away", "conflicts"),
    [
        (
            [d(10, 1), d(10, 2), d(10, 3)],
            {SECRETARY: {d(10, 1), d(10, 2)}, HEAD: {d(10, 2), d(10, 3)}},
            [d(10, 2)],
        ),
        (
            [d(10, 3), d(10, 1), d(10, 2)],
            {SECRETARY: {d(10, 1), d(10, 3)}, HEAD: {d(10, 1), d(10, 3)}},
            [d(10, 1), d(10, 3)],
        ),
        ([d(10, 1)], {SECRETARY: {d(10, 1)}}, []),
        ([d(10, 1)], {}, []),
        # Only the days asked about.
        ([d(10, 1)], {SECRETARY: {d(10, 1), d(10, 2)}, HEAD: {d(10, 1), d(10, 2)}}, [d(10, 1)]),
    ],
)
def test_chiefs_conflict_days(days: list[date], away: dict, conflicts: list[date]) -> None:
    assert chiefs_conflict_days(days, away) == conflicts
