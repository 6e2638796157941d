"""A supervisor's view of one township (作风建设监督员): the board as it stands with the
staff-only details, the roster's coverage gaps of the coming week, recent leave, and the
whereabouts history of the last days with the entries typed in late flagged as backfilled.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.models import Cadre, Leave, Township, Whereabouts
from portal.rules.calendar import local_date
from portal.rules.coverage import Gap
from portal.services.office.roster import month_roster
from portal.services.oversight import board_at

HISTORY_DAYS = 7
GAP_DAYS = 7
HISTORY_LIMIT = 300
# An entry typed in more than this long after the time it claims is flagged as backfilled.
BACKFILL_GRACE = timedelta(hours=1)


@dataclass(frozen=True)
class SupervisedTownship:
    today: date
    cadres: list[Cadre]
    said: board_at.TownshipAt
    gaps: list[Gap]
    coverage: float
    leave: list[Leave]
    history: list[Whereabouts]
    backfilled: set[int]


def _history(township_id: int, since: datetime) -> list[Whereabouts]:
    return list(db.session.scalars(
        select(Whereabouts).where(Whereabouts.township_id == township_id,
                                  Whereabouts.starts_at >= since)
        .options(selectinload(Whereabouts.cadre))
        .order_by(Whereabouts.starts_at.desc(), Whereabouts.id.desc()).limit(HISTORY_LIMIT)
    ))


def township_page(*, township: Township, now: datetime) -> SupervisedTownship:
    """Everything the supervisor's township page shows at `now` (UTC)."""
    today = local_date(now)
    cadres = list(db.session.scalars(
        select(Cadre).where(Cadre.township_id == township.id, Cadre.active.is_(True))
        .order_by(Cadre.sort_order, Cadre.id)
    ))
    said = board_at.township_at(township.id, now, cadre_ids=[c.id for c in cadres])
    roster = month_roster(township, today.year, today.month)
    leave = list(db.session.scalars(
        select(Leave).where(Leave.township_id == township.id, Leave.in_force(),
                            Leave.end_date >= today - timedelta(days=HISTORY_DAYS))
        .options(selectinload(Leave.cadre)).order_by(Leave.start_date, Leave.id)
    ))
    history = _history(township.id, now - timedelta(days=HISTORY_DAYS))
    return SupervisedTownship(
        today=today, cadres=cadres, said=said,
        gaps=[g for g in roster.gaps if g.date <= today + timedelta(days=GAP_DAYS)],
        coverage=roster.coverage_ratio, leave=leave, history=history,
        backfilled={e.id for e in history if e.recorded_at - e.starts_at > BACKFILL_GRACE},
    )
