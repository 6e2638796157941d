"""Cadres away from their duty shifts: approved leave and trips (出差).

The coverage rules (portal/rules/coverage.py) decide what an absence does to a shift; this
module gathers the absences from the records, for the clerk's roster and the statistics
(the public roster reads them with its other records, portal/services/office/roster.py).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import aliased

from portal.extensions import db
from portal.models import Cadre, Leave, Status, Whereabouts
from portal.rules import coverage
from portal.rules.calendar import TZ, local_date

# Statuses of the whereabouts board that take a cadre away from a duty shift. A 请假 entry
# mirrors a Leave record (which counts by whole days), so only trips are read from the board.
TRIP_STATUSES = frozenset({Status.TRIP})
# A night shift runs into the next morning: trips are read that far past the last day.
NIGHT_SPILL = timedelta(days=1, hours=12)
# An open entry ("出差" with no end yet) stands for the rest of its own day.
LOOKBACK = timedelta(days=92)


def window(start: date, end: date) -> tuple[datetime, datetime]:
    """The times in which trips can touch the shifts from start to end."""
    return datetime.combine(start, time(), TZ), datetime.combine(end, time(), TZ) + NIGHT_SPILL


def leave_absence(person, first: date, last: date, substitute) -> coverage.Absence:
    return coverage.Absence(person, coverage.AbsenceKind.LEAVE, first_day=first, last_day=last,
                            substitute_id=substitute)


def trip_absence(person, starts_at: datetime, ends_at: datetime | None,
                 substitute) -> coverage.Absence:
    if ends_at is None:
        ends_at = datetime.combine(local_date(starts_at) + timedelta(days=1), time(), TZ)
    return coverage.Absence(person, coverage.AbsenceKind.TRIP, starts_at=starts_at,
                            ends_at=ends_at, substitute_id=substitute)


def trip_filter(lo: datetime, hi: datetime):
    """Whereabouts entries overlapping lo..hi (with a bounded look back for the index)."""
    return (Whereabouts.starts_at < hi, Whereabouts.starts_at >= lo - LOOKBACK,
            or_(Whereabouts.ends_at.is_(None), Whereabouts.ends_at > lo))


def load(township_ids: Sequence[int], start: date, end: date,
         *, public_ids: bool = False) -> dict[int, list[coverage.Absence]]:
    """Absences per township touching the shifts from start to end (two statements).

    People are named by cadre id, or by public id when the result feeds a public page.
    """
    found: dict[int, list[coverage.Absence]] = defaultdict(list)
    if not township_ids:
        return found
    who, sub = aliased(Cadre), aliased(Cadre)
    person = who.public_id if public_ids else who.id
    substitute = sub.public_id if public_ids else sub.id
    leaves = db.session.execute(
        select(Leave.township_id, person, Leave.start_date, Leave.end_date, substitute)
        .join(who, who.id == Leave.cadre_id).outerjoin(sub, sub.id == Leave.substitute_id)
        .where(Leave.township_id.in_(township_ids), Leave.in_force(),
               Leave.start_date <= end, Leave.end_date >= start))
    for township_id, cadre, first, last, standin in leaves:
        found[township_id].append(leave_absence(cadre, first, last, standin))
    trips = db.session.execute(
        select(Whereabouts.township_id, person, Whereabouts.starts_at, Whereabouts.ends_at,
               substitute)
        .join(who, who.id == Whereabouts.cadre_id)
        .outerjoin(sub, sub.id == Whereabouts.substitute_id)
        .where(Whereabouts.township_id.in_(township_ids), Whereabouts.status.in_(TRIP_STATUSES),
               *trip_filter(*window(start, end))))
    for township_id, cadre, starts_at, ends_at, standin in trips:
        found[township_id].append(trip_absence(cadre, starts_at, ends_at, standin))
    return found


def for_board(cadres: Sequence, leaves: dict, entries: Sequence) -> list[coverage.Absence]:
    """Today's absences on a township's board, by public id: its leave spans and trips
    (read with the board's own statements, so this costs none)."""
    public = {c["id"]: c["public_id"] for c in cadres}
    found = [leave_absence(public[cadre_id], span.first_day, span.last_day,
                           span.substitute.public_id if span.substitute else None)
             for cadre_id, span in leaves.items() if cadre_id in public]
    found += [trip_absence(public[e["cadre_id"]], e["starts_at"], e["ends_at"], e["s_public_id"])
              for e in entries if e["status"] in TRIP_STATUSES and e["cadre_id"] in public]
    return found
