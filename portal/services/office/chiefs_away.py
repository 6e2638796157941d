"""Days on which the Party secretary and the township head were both away (the rule forbids
both chiefs being out of the township at once), and what takes cadres off their duty shifts:
the chiefs' away intervals and everyone's leave and trips, read in two statements. The duty
roster, its feed and the board read them from here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import aliased

from portal.extensions import db
from portal.models import Cadre, Leave, Status, Whereabouts
from portal.rules import coverage
from portal.rules.calendar import TZ, iter_dates, local_date
from portal.services.office import absences

ONE_DAY = timedelta(days=1)

Interval = tuple[datetime, datetime]
# Out of the township: the rule forbids both chiefs being 外出 at once. 休息 (off duty, e.g.
# in the evening) is not counted; nobody is flagged for sleeping at the same time.
CHIEF_AWAY_STATUSES = frozenset({Status.MEETING, Status.TRIP, Status.LEAVE})


def day_bounds(d: date) -> Interval:
    """Local midnight to the next local midnight, as aware datetimes."""
    return datetime.combine(d, time(), TZ), datetime.combine(d + ONE_DAY, time(), TZ)


def entry_interval(starts_at: datetime, ends_at: datetime | None) -> Interval:
    """A whereabouts entry as an interval; an open entry stands for the rest of its own day."""
    if ends_at is None:
        ends_at = day_bounds(local_date(starts_at))[1]
    return starts_at, ends_at


def both_away_days(secretary: Iterable[Interval], head: Iterable[Interval]) -> set[date]:
    """Local dates on which an away interval of the secretary overlaps one of the head."""
    days: set[date] = set()
    head = list(head)
    for s_start, s_end in secretary:
        for h_start, h_end in head:
            start, end = max(s_start, h_start), min(s_end, h_end)
            if start < end:
                days.update(iter_dates(local_date(start), local_date(end - timedelta(microseconds=1))))
    return days


@dataclass
class AwayRecords:
    """What takes cadres away, for a range: the chiefs' away intervals, everyone's absences."""

    chiefs: dict[str, list[Interval]]
    absences: list[coverage.Absence]


def away_records(township_id: int, start: date, end: date) -> AwayRecords:
    """The chiefs' away time and the duty absences (leave, trips) around start..end: 2 statements.

    Absences name cadres by public id, as the public shifts do.
    """
    lo, hi = day_bounds(start)[0], absences.window(start, end)[1]
    found = AwayRecords({coverage.SECRETARY: [], coverage.HEAD: []}, [])
    who, sub = aliased(Cadre), aliased(Cadre)
    rows = db.session.execute(
        select(who.chief_role, Whereabouts.status, Whereabouts.starts_at, Whereabouts.ends_at,
               who.public_id, sub.public_id)
        .join(who, who.id == Whereabouts.cadre_id)
        .outerjoin(sub, sub.id == Whereabouts.substitute_id)
        .where(
            Whereabouts.township_id == township_id, *absences.trip_filter(lo, hi),
            or_(and_(who.chief_role.is_not(None), Whereabouts.status.in_(CHIEF_AWAY_STATUSES)),
                Whereabouts.status.in_(absences.TRIP_STATUSES)),
        )
    )
    for role, status, starts_at, ends_at, person, standin in rows:
        if role is not None and status in CHIEF_AWAY_STATUSES:
            found.chiefs[str(role)].append(entry_interval(starts_at, ends_at))
        if status in absences.TRIP_STATUSES:
            found.absences.append(absences.trip_absence(person, starts_at, ends_at, standin))
    leaves = db.session.execute(
        select(who.chief_role, Leave.start_date, Leave.end_date, who.public_id, sub.public_id)
        .join(who, who.id == Leave.cadre_id).outerjoin(sub, sub.id == Leave.substitute_id)
        .where(Leave.township_id == township_id, Leave.in_force(),
               Leave.start_date <= end, Leave.end_date >= start)
    )
    for role, first, last, person, standin in leaves:
        if role is not None:
            found.chiefs[str(role)].append((day_bounds(first)[0], day_bounds(last)[1]))
        found.absences.append(absences.leave_absence(person, first, last, standin))
    return found


def chiefs_away_days(township_id: int, start: date, end: date,
                     records: AwayRecords | None = None) -> set[date]:
    """Days from start to end when the Party secretary and the township head were both away."""
    chiefs = (records or away_records(township_id, start, end)).chiefs
    found = both_away_days(chiefs[coverage.SECRETARY], chiefs[coverage.HEAD])
    return {d for d in found if start <= d <= end}
