"""The public roster by ISO week (a phone's view) beside the month, read in one range.

A week is named like `2026-W50` (ISO 8601); any date in it names it too (`2026-12-07`).
The default page shows this week and this month together, so both come from one
`range_roster` over the days either covers: a fixed number of SQL statements.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from portal.models import Township
from portal.services.office.roster import RangeRoster, month_bounds, range_roster

WEEK = timedelta(days=7)


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week_key(monday: date) -> str:
    """`2026-W50`: the ISO week a Monday begins."""
    year, week, _weekday = monday.isocalendar()
    return f"{year:04d}-W{week:02d}"


def parse_week(text: str) -> date | None:
    """The Monday of `2026-W50` or of the week of `2026-12-07`; None for anything else."""
    text = (text or "").strip()
    try:
        if len(text) == 8 and text[4:6].upper() == "-W" and text[:4].isdigit() and text[6:].isdigit():
            monday = date.fromisocalendar(int(text[:4]), int(text[6:]), 1)
        elif len(text) == 10 and text[4] == "-" and text[7] == "-":
            monday = monday_of(date.fromisoformat(text))
        else:
            return None
    except ValueError:
        return None
    return monday if 2000 <= monday.year <= 2099 else None


def month_of_week(monday: date, today: date) -> tuple[int, int]:
    """The month a week belongs to: today's if today is in it, else its Thursday's (ISO)."""
    day = today if monday <= today < monday + WEEK else monday + timedelta(days=3)
    return day.year, day.month


def _slice(roster: RangeRoster, start: date, end: date) -> RangeRoster:
    days = [d for d in roster.days if start <= d.day.date <= end]
    return RangeRoster(
        roster.township, start, end, days=days,
        gaps=[g for g in roster.gaps if start <= g.date <= end],
        required=sum(1 for d in days for cell in d.cells if cell.required),
    )


@dataclass(frozen=True)
class RosterViews:
    """A week's roster, its days in reading order, and (when asked for) its month's."""

    week: RangeRoster
    monday: date
    month: RangeRoster | None

    def ordered(self, today: date) -> tuple[list, list]:
        """The week's days from today on (today first), and the days of it already past."""
        if not self.monday <= today < self.monday + WEEK:
            return list(self.week.days), []
        ahead = [d for d in self.week.days if d.day.date >= today]
        past = [d for d in self.week.days if d.day.date < today]
        return ahead, past


def week_roster(township: Township, monday: date,
                with_month: tuple[int, int] | None = None) -> RosterViews:
    """The roster of the week beginning `monday`, and of a month too if asked."""
    sunday = monday + timedelta(days=6)
    if with_month is None:
        return RosterViews(range_roster(township, monday, sunday), monday, None)
    first, last = month_bounds(*with_month)
    whole = range_roster(township, min(first, monday), max(last, sunday))
    return RosterViews(_slice(whole, monday, sunday), monday, _slice(whole, first, last))
