"""When e-mail alerts are due: the deadline reminder and the daily digest (local time)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from portal.rules.calendar import TZ, OfficialCalendar, local_date

# A deadline's reminder is looked for this many days ahead: the working day before a deadline
# that follows a long holiday (the Spring Festival, the National Day week) lies over a week
# before it.
LOOKAHEAD_DAYS = 16


def reminder_day(deadline: datetime, calendar: OfficialCalendar) -> date:
    """The working day before the deadline's local day (the day its reminder is sent)."""
    day = local_date(deadline) - timedelta(days=1)
    for _ in range(LOOKAHEAD_DAYS * 4):
        if calendar.is_working_day(day):
            return day
        day -= timedelta(days=1)
    return day


def reminder_at(deadline: datetime, calendar: OfficialCalendar, hour: int) -> datetime:
    """The moment a deadline's reminder is due: `hour` o'clock on the working day before."""
    return datetime.combine(reminder_day(deadline, calendar), time(hour), TZ)


def digest_due(now: datetime, last_sent_on: date | None, hour: int) -> bool:
    """Whether a daily digest may go out now: from `hour` o'clock, once a local day."""
    local = now.astimezone(TZ)
    return local.hour >= hour and (last_sent_on is None or last_sent_on < local.date())
