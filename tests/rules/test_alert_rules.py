"""When alerts are due: the working day before a deadline, and the digest once a day from its hour."""

from __future__ import annotations

from datetime import UTC, date, datetime

from portal.rules.alerts import digest_due, reminder_at, reminder_day
from portal.rules.calendar import TZ, OfficialCalendar, end_of_local_day


def test_the_reminder_is_on_the_working_day_before_the_deadlines_day():
    calendar = OfficialCalendar()
    # Wednesday 9 December 2026 → Tuesday the 8th; Monday the 7th → Friday the 4th.
    assert reminder_day(end_of_local_day(date(2026, 12, 9)), calendar) == date(2026, 12, 8)
    assert reminder_day(end_of_local_day(date(2026, 12, 7)), calendar) == date(2026, 12, 4)
    assert reminder_at(end_of_local_day(date(2026, 12, 7)), calendar, 8) == datetime(
        2026, 12, 4, 8, tzinfo=TZ)


def test_a_deadline_after_a_holiday_is_announced_before_the_holiday():
    # The National Day week of 2026 (1 to 7 October) and its make-up days: a deadline on
    # Thursday the 8th is announced on the last working day before it, not on a holiday.
    calendar = OfficialCalendar()
    day = reminder_day(end_of_local_day(date(2026, 10, 8)), calendar)
    assert calendar.is_working_day(day) and day < date(2026, 10, 8)
    assert all(not calendar.is_working_day(date(2026, 10, d)) for d in range(day.day + 1, 8)
               if day.month == 10)


def test_an_administrators_override_moves_the_reminder():
    # Friday 4 December 2026 declared a rest day: a Monday deadline is announced on Thursday.
    calendar = OfficialCalendar({date(2026, 12, 4): (False, "停工")})
    assert reminder_day(end_of_local_day(date(2026, 12, 7)), calendar) == date(2026, 12, 3)


def test_the_digest_goes_from_its_hour_once_a_local_day():
    at = datetime(2026, 12, 7, 7, 59, tzinfo=TZ)
    assert not digest_due(at, None, 8)
    assert digest_due(at.replace(hour=8, minute=0), None, 8)
    assert digest_due(at.replace(hour=8), date(2026, 12, 6), 8)
    assert not digest_due(at.replace(hour=23), date(2026, 12, 7), 8)
    # Local time decides: 00:30 UTC is 08:30 in Shanghai.
    assert digest_due(datetime(2026, 12, 7, 0, 30, tzinfo=UTC), date(2026, 12, 6), 8)
    assert not digest_due(datetime(2026, 12, 6, 23, 30, tzinfo=UTC), date(2026, 12, 6), 8)
