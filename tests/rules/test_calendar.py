"""Tests for the official calendar, on real 2026 weeks."""

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.rules.calendar import (
    TZ,
    Day,
    DayKind,
    OfficialCalendar,
    end_of_local_day,
    local_date,
)

W = DayKind.WORKDAY
A = DayKind.ADJUSTED_WORKDAY
E = DayKind.WEEKEND
H = DayKind.HOLIDAY

CAL = OfficialCalendar()


@pytest.mark.parametrize(
    ("d", "kind", "name"),
    [
        # Spring Festival 2026: off Sun 15 - Mon 23 Feb; 调休 on Sat 14 and Sat 28 Feb.
        (date(2026, 2, 13), W, None),
        (date(2026, 2, 14), A, "春节"),
        (date(2026, 2, 15), H, "春节"),
        (date(2026, 2, 17), H, "春节"),
        (date(2026, 2, 23), H, "春节"),
        (date(2026, 2, 24), W, None),
        (date(2026, 2, 28), A, "春节"),
        (date(2026, 3, 1), E, None),
        # National Day 2026: off Thu 1 - Wed 7 Oct; 调休 on Sat 10 Oct.
        (date(2026, 9, 30), W, None),
        (date(2026, 10, 1), H, "国庆节"),
        (date(2026, 10, 4), H, "国庆节"),
        (date(2026, 10, 7), H, "国庆节"),
        (date(2026, 10, 8), W, None),
        (date(2026, 10, 10), A, "国庆节"),
        (date(2026, 10, 11), E, None),
        # New Year 2026: a working Sunday.
        (date(2026, 1, 1), H, "元旦"),
        (date(2026, 1, 4), A, "元旦"),
        # An ordinary week.
        (date(2026, 3, 9), W, None),
        (date(2026, 3, 13), W, None),
        (date(2026, 3, 14), E, None),
        (date(2026, 3, 15), E, None),
    ],
)
def test_day_kinds_follow_the_package(d: date, kind: DayKind, name: str | None) -> None:
    assert CAL.day(d) == Day(d, kind, name)
    assert CAL.is_working_day(d) is kind.is_working
    assert CAL.is_rest_day(d) is not kind.is_working


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2026, 3, 9), date(2026, 3, 15), 5),  # ordinary week
        (date(2026, 2, 9), date(2026, 2, 15), 6),  # Mon-Fri and the 调休 Saturday
        (date(2026, 2, 16), date(2026, 2, 22), 0),  # Spring Festival
        (date(2026, 2, 23), date(2026, 3, 1), 5),  # Tue-Fri and the 调休 Saturday
        (date(2026, 9, 28), date(2026, 10, 4), 3),  # National Day from Thursday
        (date(2026, 10, 5), date(2026, 10, 11), 3),  # Thu, Fri and the 调休 Saturday
        (date(2026, 3, 9), date(2026, 3, 9), 1),  # both ends included
        (date(2026, 3, 10), date(2026, 3, 9), 0),  # empty range
    ],
)
def test_count_working_days(start: date, end: date, expected: int) -> None:
    assert CAL.count_working_days(start, end) == expected
    assert len(CAL.working_days(start, end)) == expected


def test_working_days_lists_dates_in_order() -> None:
    assert CAL.working_days(date(2026, 10, 5), date(2026, 10, 11)) == [
        date(2026, 10, 8),
        date(2026, 10, 9),
        date(2026, 10, 10),
    ]


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (date(2026, 3, 9), 0, date(2026, 3, 9)),
        (date(2026, 3, 9), 1, date(2026, 3, 10)),
        (date(2026, 3, 12), 3, date(2026, 3, 17)),  # over a weekend
        (date(2026, 2, 12), 3, date(2026, 2, 24)),  # Fri, 调休 Sat 14, then Tue 24
        (date(2026, 9, 30), 1, date(2026, 10, 8)),  # over National Day
        (date(2026, 10, 8), 2, date(2026, 10, 10)),  # onto the 调休 Saturday
        (date(2026, 12, 31), 1, date(2027, 1, 4)),  # over 元旦 2027, computed, and a weekend
    ],
)
def test_add_working_days(start: date, n: int, expected: date) -> None:
    assert CAL.add_working_days(start, n) == expected


def test_add_working_days_refuses_negative() -> None:
    with pytest.raises(ValueError):
        CAL.add_working_days(date(2026, 3, 9), -1)


@pytest.mark.parametrize(
    ("overrides", "d", "expected"),
    [
        # A county holds a local holiday on an ordinary Wednesday.
        (
            {date(2026, 3, 11): (False, "县庆")},
            date(2026, 3, 11),
            Day(date(2026, 3, 11), H, "县庆"),
        ),
        # The county recalls staff on a Spring Festival day.
        ({date(2026, 2, 17): (True, None)}, date(2026, 2, 17), Day(date(2026, 2, 17), W, None)),
        # An adjusted Saturday is cancelled.
        ({date(2026, 2, 28): (False, None)}, date(2026, 2, 28), Day(date(2026, 2, 28), E, None)),
        # Next year's 调休, announced after the package was released.
        ({date(2027, 2, 20): (True, "春节")}, date(2027, 2, 20), Day(date(2027, 2, 20), A, "春节")),
        # Other dates are untouched.
        ({date(2026, 3, 11): (False, "县庆")}, date(2026, 3, 12), Day(date(2026, 3, 12), W, None)),
    ],
)
def test_overrides_win(overrides: dict, d: date, expected: Day) -> None:
    assert OfficialCalendar(overrides).day(d) == expected


@pytest.mark.parametrize(
    ("d", "kind", "name"),
    [
        (date(2030, 10, 1), H, "国庆节"),  # a Tuesday: the statutory holiday, computed
        (date(2030, 10, 4), W, None),  # a Friday: no 调休 is guessed
        (date(2030, 10, 5), E, None),
        (date(2030, 10, 6), E, None),
        (date(2030, 10, 8), W, None),
        (date(1999, 1, 1), H, "元旦"),  # a Friday before the package's first year
        (date(1999, 1, 4), W, None),
    ],
)
def test_years_outside_the_package_have_their_statutory_holidays(d: date, kind: DayKind, name) -> None:
    assert CAL.day(d) == Day(d, kind, name)


def test_week_outside_the_package_counts_statutory_holidays_and_weekends() -> None:
    # Mon 30 Sep work, 1-3 Oct 国庆节, Fri 4 Oct work, weekend.
    assert CAL.count_working_days(date(2030, 9, 30), date(2030, 10, 6)) == 2


def test_known_range() -> None:
    first, last = CAL.known_range()
    assert first == date(first.year, 1, 1)
    assert last == date(last.year, 12, 31)
    assert first.year <= 2026 <= last.year


def test_day_refuses_a_datetime() -> None:
    with pytest.raises(TypeError):
        CAL.day(datetime(2026, 3, 9, 12, tzinfo=TZ))


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (datetime(2026, 3, 8, 15, 59, tzinfo=UTC), date(2026, 3, 8)),  # Sun 23:59 local
        (datetime(2026, 3, 8, 16, 0, tzinfo=UTC), date(2026, 3, 9)),  # Mon 00:00 local
        (datetime(2026, 3, 9, 0, 5, tzinfo=TZ), date(2026, 3, 9)),
    ],
)
def test_local_date(at: datetime, expected: date) -> None:
    assert local_date(at) == expected


def test_local_date_refuses_naive() -> None:
    with pytest.raises(ValueError):
        local_date(datetime(2026, 3, 9, 12))


def test_end_of_local_day() -> None:
    end = end_of_local_day(date(2026, 3, 9))
    assert end.tzinfo is TZ
    assert end + timedelta(microseconds=1) == datetime(2026, 3, 10, tzinfo=TZ)


@given(start=st.dates(date(2003, 6, 1), date(2031, 12, 31)), days=st.integers(-3, 1200),
       overrides=st.dictionaries(st.dates(date(2003, 6, 1), date(2035, 1, 1)),
                                 st.tuples(st.booleans(), st.sampled_from([None, "防汛"])),
                                 max_size=6))
@settings(max_examples=150, deadline=None)
def test_counting_working_days_agrees_with_listing_them(start, days, overrides) -> None:
    calendar = OfficialCalendar(overrides)
    end = start + timedelta(days=days)
    assert calendar.count_working_days(start, end) == len(calendar.working_days(start, end))


# A confirmed schedule of 2030 (invented for the test): 国庆 1-7 Oct, Sun 29 Sep and Sat 12 Oct worked.
_SCHEDULE_2030 = {
    **{date(2030, 10, d): (False, "国庆节") for d in range(1, 8)},
    date(2030, 9, 29): (True, "国庆节"),
    date(2030, 10, 12): (True, "国庆节"),
}


def test_a_confirmed_schedule_replaces_the_computed_year() -> None:
    computed, confirmed = OfficialCalendar(), OfficialCalendar(schedules={2030: _SCHEDULE_2030})
    assert computed.source(2030) == "computed" and confirmed.source(2030) == "confirmed"
    assert confirmed.adjustments_published(2030)
    assert confirmed.day(date(2030, 9, 29)) == Day(date(2030, 9, 29), A, "国庆节")
    assert confirmed.day(date(2030, 10, 4)) == Day(date(2030, 10, 4), H, "国庆节")
    assert computed.day(date(2030, 10, 4)) == Day(date(2030, 10, 4), W, None)
    # Days the notice does not list are plain weekdays and weekends, not computed holidays.
    assert confirmed.day(date(2030, 1, 1)) == Day(date(2030, 1, 1), W, None)
    assert confirmed.source(2029) == computed.source(2029)


def test_overrides_win_over_a_confirmed_schedule() -> None:
    calendar = OfficialCalendar({date(2030, 10, 12): (False, None)}, {2030: _SCHEDULE_2030})
    assert calendar.day(date(2030, 10, 12)) == Day(date(2030, 10, 12), E, None)


@pytest.mark.parametrize(("start", "end"), [(date(2029, 12, 1), date(2031, 1, 31)),
                                            (date(2030, 9, 28), date(2030, 10, 13))])
def test_counting_with_a_schedule_and_overrides_matches_listing(start: date, end: date) -> None:
    calendar = OfficialCalendar({date(2030, 10, 12): (False, None), date(2030, 12, 1): (True, None)},
                                {2030: _SCHEDULE_2030})
    assert calendar.count_working_days(start, end) == len(calendar.working_days(start, end))
