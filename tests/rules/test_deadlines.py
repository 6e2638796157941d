"""Tests for report deadlines across 2026 holidays."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from portal.rules.calendar import OfficialCalendar
from portal.rules.deadlines import (
    TZ,
    accept_deadline,
    age_in_working_days,
    conclude_deadline,
    is_overdue,
)

CAL = OfficialCalendar()
ONE_US = timedelta(microseconds=1)


def local(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=TZ)


def end_of(day: date) -> datetime:
    return datetime.combine(day, time(23, 59, 59, 999_999), tzinfo=TZ)


def test_timezone() -> None:
    assert ZoneInfo("Asia/Shanghai") == TZ


@pytest.mark.parametrize(
    ("submitted_at", "working_days", "due"),
    [
        (local(date(2026, 3, 9)), 3, date(2026, 3, 12)),  # ordinary Monday
        (local(date(2026, 3, 12)), 3, date(2026, 3, 17)),  # over a weekend
        (local(date(2026, 3, 14)), 3, date(2026, 3, 18)),  # submitted on a Saturday
        # Spring Festival: Fri 13, 调休 Sat 14, then Tue 24.
        (local(date(2026, 2, 12)), 3, date(2026, 2, 24)),
        (local(date(2026, 2, 13), 23, 30), 3, date(2026, 2, 25)),
        # 00:30 on Sat 14 local is still Friday in UTC; the local date rules.
        (datetime(2026, 2, 13, 16, 30, tzinfo=UTC), 3, date(2026, 2, 26)),
        (local(date(2026, 2, 18)), 3, date(2026, 2, 26)),  # during the festival
        (local(date(2026, 2, 25)), 3, date(2026, 2, 28)),  # onto the 调休 Sat 28
        # National Day: Wed 30 Sep, then Thu 8, Fri 9, 调休 Sat 10.
        (local(date(2026, 9, 29)), 3, date(2026, 10, 9)),
        (local(date(2026, 9, 30)), 3, date(2026, 10, 10)),
        (local(date(2026, 10, 3)), 3, date(2026, 10, 10)),
        (local(date(2026, 10, 3)), 1, date(2026, 10, 8)),
        (local(date(2026, 9, 29)), 5, date(2026, 10, 12)),  # e.g. forwarding in 5 working days
    ],
)
def test_accept_deadline(submitted_at: datetime, working_days: int, due: date) -> None:
    deadline = accept_deadline(submitted_at, CAL, working_days)
    assert deadline == end_of(due)
    assert deadline.utcoffset() == timedelta(hours=8)


def test_accept_deadline_default_is_three_working_days() -> None:
    assert accept_deadline(local(date(2026, 9, 30)), CAL) == end_of(date(2026, 10, 10))


def test_accept_deadline_follows_overrides() -> None:
    calendar = OfficialCalendar({date(2026, 3, 11): (False, "县庆")})
    assert accept_deadline(local(date(2026, 3, 9)), calendar) == end_of(date(2026, 3, 13))


def test_accept_deadline_needs_a_working_day() -> None:
    with pytest.raises(ValueError):
        accept_deadline(local(date(2026, 3, 9)), CAL, 0)


@pytest.mark.parametrize(
    ("accepted_at", "days", "due"),
    [
        (local(date(2026, 3, 9)), 30, date(2026, 4, 8)),
        (local(date(2026, 2, 10)), 30, date(2026, 3, 12)),  # holidays do not stop the clock
        (local(date(2026, 9, 20)), 30, date(2026, 10, 20)),
        (datetime(2026, 1, 31, 17, 0, tzinfo=UTC), 30, date(2026, 3, 3)),  # 1 Feb local
        (local(date(2026, 3, 9)), 0, date(2026, 3, 9)),
    ],
)
def test_conclude_deadline(accepted_at: datetime, days: int, due: date) -> None:
    assert conclude_deadline(accepted_at, days) == end_of(due)


def test_conclude_deadline_default_is_thirty_days() -> None:
    assert conclude_deadline(local(date(2026, 3, 9))) == end_of(date(2026, 4, 8))


@pytest.mark.parametrize(
    ("since", "now", "age"),
    [
        (local(date(2026, 3, 9)), local(date(2026, 3, 9), 18), 0),
        (local(date(2026, 3, 9)), local(date(2026, 3, 12)), 3),
        (local(date(2026, 3, 12)), local(date(2026, 3, 16)), 2),
        (local(date(2026, 9, 29)), local(date(2026, 10, 9)), 3),
        (local(date(2026, 9, 30)), local(date(2026, 10, 7)), 0),  # all National Day
        (local(date(2026, 9, 30)), local(date(2026, 10, 10)), 3),  # the 调休 Saturday counts
        (local(date(2026, 2, 13)), local(date(2026, 2, 23)), 1),  # only Sat 14 (调休)
        (local(date(2026, 3, 12)), local(date(2026, 3, 9)), 0),  # now before since
    ],
)
def test_age_in_working_days(since: datetime, now: datetime, age: int) -> None:
    assert age_in_working_days(since, now, CAL) == age


@pytest.mark.parametrize(
    ("now_offset", "overdue"),
    [(-ONE_US, False), (timedelta(0), False), (ONE_US, True), (timedelta(days=3), True)],
)
def test_is_overdue(now_offset: timedelta, overdue: bool) -> None:
    deadline = accept_deadline(local(date(2026, 9, 30)), CAL)
    assert is_overdue(deadline, deadline + now_offset) is overdue
    # The same instant written in UTC gives the same answer.
    assert is_overdue(deadline, (deadline + now_offset).astimezone(UTC)) is overdue


def test_overdue_exactly_when_age_exceeds_the_allowance() -> None:
    submitted = local(date(2026, 2, 12))
    deadline = accept_deadline(submitted, CAL)
    assert age_in_working_days(submitted, deadline, CAL) == 3
    assert not is_overdue(deadline, deadline)
    day_after = deadline + ONE_US
    assert age_in_working_days(submitted, day_after, CAL) == 4
    assert is_overdue(deadline, day_after)


@pytest.mark.parametrize(
    "call",
    [
        lambda: accept_deadline(datetime(2026, 3, 9, 10), CAL),
        lambda: conclude_deadline(datetime(2026, 3, 9, 10)),
        lambda: is_overdue(datetime(2026, 3, 9, 10), datetime(2026, 3, 9, 11, tzinfo=TZ)),
    ],
)
def test_naive_datetimes_are_refused(call) -> None:
    with pytest.raises(ValueError):
        call()
