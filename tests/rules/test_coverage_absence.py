"""Coverage with absences: a rostered cadre on leave or on a trip does not staff the shift."""

from datetime import date, datetime, time, timedelta

import pytest

from portal.rules.calendar import TZ, OfficialCalendar
from portal.rules.coverage import (
    Absence,
    AbsenceKind,
    Absent,
    Gap,
    Role,
    ShiftInfo,
    ShiftKind,
    find_gaps,
)

CAL = OfficialCalendar()
NIGHT = ShiftKind.NIGHT
# Wednesday 2 December 2026: an ordinary working day, so only the night shift is required.
DAY = date(2026, 12, 2)
LEAVE, TRIP = AbsenceKind.LEAVE, AbsenceKind.TRIP


def at(d: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(d, time(hour, minute), TZ)


def night(leaders=(1,), staff=(2,), d: date = DAY) -> ShiftInfo:
    return ShiftInfo(d, NIGHT, leaders, staff, at(d, 18), at(d + timedelta(days=1), 8))


def on_leave(person, first=DAY, last=DAY, substitute=None) -> Absence:
    return Absence(person, LEAVE, first_day=first, last_day=last, substitute_id=substitute)


def on_trip(person, start, end, substitute=None) -> Absence:
    return Absence(person, TRIP, starts_at=start, ends_at=end, substitute_id=substitute)


def gaps(shift: ShiftInfo, absences) -> list[Gap]:
    return find_gaps(shift.date, shift.date, CAL, [shift], absences)


def test_a_full_shift_without_absences_has_no_gap():
    assert gaps(night(), []) == []


@pytest.mark.parametrize(
    ("shift", "absences", "expected"),
    [
        # The staff member is on leave that day: no staff, and the gap names who and why.
        (night(), [on_leave(2)], [Gap(DAY, NIGHT, False, True, False, (Absent(2, Role.STAFF, LEAVE),))]),
        # The duty leader is on a trip through the night.
        (night(), [on_trip(1, at(DAY, 9), at(DAY + timedelta(days=1), 17))],
         [Gap(DAY, NIGHT, True, False, False, (Absent(1, Role.LEADER, TRIP),))]),
        # Two staff, one on leave: the numbers hold, but an absent cadre is still a gap.
        (night(staff=(2, 3)), [on_leave(3)],
         [Gap(DAY, NIGHT, False, False, False, (Absent(3, Role.STAFF, LEAVE),))]),
        # Leave ending the day before, or starting the day after, leaves this night alone.
        (night(), [on_leave(2, DAY - timedelta(days=3), DAY - timedelta(days=1)),
                   on_leave(2, DAY + timedelta(days=1), DAY + timedelta(days=2))], []),
        # A day trip back by the evening does not touch the night shift.
        (night(), [on_trip(2, at(DAY, 8, 30), at(DAY, 17, 30))], []),
        # Leaving at 07:45 the morning after: a handover, not an absence.
        (night(), [on_trip(2, at(DAY + timedelta(days=1), 7, 45), at(DAY + timedelta(days=1), 17))], []),
        # The leave's substitute is on the shift: they take the absent cadre's role.
        (night(staff=(2, 3)), [on_leave(2, substitute=3)], []),
        # ... but not when the substitute is away too.
        (night(staff=(2, 3)), [on_leave(2, substitute=3), on_leave(3)],
         [Gap(DAY, NIGHT, False, True, False,
              (Absent(2, Role.STAFF, LEAVE), Absent(3, Role.STAFF, LEAVE)))]),
        # Leave and a trip for the same night: named once, as leave.
        (night(), [on_trip(2, at(DAY, 8), at(DAY + timedelta(days=2), 8)), on_leave(2)],
         [Gap(DAY, NIGHT, False, True, False, (Absent(2, Role.STAFF, LEAVE),))]),
    ],
)
def test_absences_make_gaps(shift, absences, expected):
    assert gaps(shift, absences) == expected


def test_a_leave_covers_the_day_shift_and_night_of_each_of_its_days():
    sunday = date(2026, 12, 6)
    day_shift = ShiftInfo(sunday, ShiftKind.DAY, (1,), (2,), at(sunday, 8), at(sunday, 18))
    shifts = [day_shift, night(d=sunday), night(d=sunday - timedelta(days=1))]
    found = find_gaps(sunday - timedelta(days=1), sunday, CAL, shifts, [on_leave(2, sunday, sunday)])
    # Saturday's day shift is not rostered at all; Saturday night is untouched by Sunday's leave.
    assert [(g.date, g.kind, g.absent) for g in found if g.absent] == [
        (sunday, ShiftKind.DAY, (Absent(2, Role.STAFF, LEAVE),)),
        (sunday, NIGHT, (Absent(2, Role.STAFF, LEAVE),)),
    ]


def test_someone_else_away_does_not_touch_the_shift():
    assert gaps(night(), [on_leave(9)]) == []
