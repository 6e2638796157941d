"""Deadlines of the report life cycle, in Asia/Shanghai local time."""

from __future__ import annotations

from datetime import datetime, timedelta

from portal.rules.calendar import TZ, OfficialCalendar, end_of_local_day, local_date

__all__ = [
    "ACCEPT_WORKING_DAYS",
    "CONCLUDE_DAYS",
    "TZ",
    "accept_deadline",
    "age_in_working_days",
    "conclude_deadline",
    "is_overdue",
]

ACCEPT_WORKING_DAYS = 3
CONCLUDE_DAYS = 30


def accept_deadline(
    submitted_at: datetime, calendar: OfficialCalendar, working_days: int = ACCEPT_WORKING_DAYS
) -> datetime:
    """End of the n-th working day after the local date of submission."""
    if working_days < 1:
        raise ValueError("working_days must be at least 1")
    due = calendar.add_working_days(local_date(submitted_at), working_days)
    return end_of_local_day(due)


def conclude_deadline(accepted_at: datetime, days: int = CONCLUDE_DAYS) -> datetime:
    """End of the local day `days` calendar days after acceptance."""
    if days < 0:
        raise ValueError("days must not be negative")
    return end_of_local_day(local_date(accepted_at) + timedelta(days=days))


def age_in_working_days(since: datetime, now: datetime, calendar: OfficialCalendar) -> int:
    """Working days after since's local date, up to and including now's local date."""
    start, end = local_date(since), local_date(now)
    # The day of submission itself does not count, as for accept_deadline.
    return calendar.count_working_days(start + timedelta(days=1), end)


def is_overdue(deadline: datetime, now: datetime) -> bool:
    """True once now is past the deadline (both aware)."""
    if deadline.tzinfo is None or now.tzinfo is None:
        raise ValueError("aware datetimes are required")
    return now > deadline
