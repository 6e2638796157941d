"""周考核: record each leader's 5-4-3 result of a week once the week is over.

`close_week` runs from the timer command `flask weeks close` (each Monday, on every node:
`runs_once` lets one of them work). It is idempotent: a leader whose week is recorded
already is left as recorded, so a second run, or a run after a late sign-in, changes
nothing. A week is closed once its Sunday has ended; the default is the last closed week.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select

from portal.extensions import db
from portal.models import Cadre, Township, WeekRecord
from portal.services.office import rule543
from portal.services.shared.errors import ValidationError


@dataclass(frozen=True)
class Closed:
    township: Township
    week_start: date
    recorded: int  # leaders recorded by this run
    already: int  # leaders recorded before


def last_closed_week(today: date) -> date:
    """The Monday of the last week whose Sunday is over."""
    return rule543.week_start_of(today) - timedelta(days=7)


def close_week(*, today: date, week_start: date | None = None,
               township_codes: list[str] | None = None) -> list[Closed]:
    """Record the week's 5-4-3 result of every leader who served in it, township by township."""
    monday = week_start or last_closed_week(today)
    if monday.weekday() != 0:
        monday = rule543.week_start_of(monday)
    if monday > last_closed_week(today):
        raise ValidationError(f"the week of {monday} is not over yet")
    stmt = select(Township).where(Township.active.is_(True)).order_by(Township.code)
    if township_codes:
        stmt = stmt.where(Township.code.in_(township_codes))
    done = []
    for township in db.session.scalars(stmt).all():
        done.append(_close(township, monday))
        db.session.commit()  # one township at a time: a long run keeps what it has done
    return done


def _close(township: Township, monday: date) -> Closed:
    recorded = set(db.session.scalars(
        select(WeekRecord.cadre_id).where(WeekRecord.township_id == township.id,
                                          WeekRecord.week_start == monday)))
    weeks = rule543.township_weeks(township.id, monday, monday)
    rows = []
    for cadre, (result,) in weeks.items():
        if cadre.id in recorded or not result.served:
            continue
        rows.append(_row(cadre, result))
    db.session.add_all(rows)
    return Closed(township, monday, len(rows), len(recorded))


def _row(cadre: Cadre, result) -> WeekRecord:
    return WeekRecord(cadre_id=cadre.id, township_id=cadre.township_id, week_start=result.week_start,
                      work_days=result.work_days, nights=result.nights,
                      village_days=result.village_days, required_work=result.required_work,
                      required_nights=result.required_nights,
                      required_village=result.required_village, served_days=result.served_days,
                      compliant=result.compliant)


def recorded_weeks(cadre_id: int, limit: int = 26) -> list[WeekRecord]:
    """A cadre's recorded weeks, the latest first."""
    return list(db.session.scalars(
        select(WeekRecord).where(WeekRecord.cadre_id == cadre_id)
        .order_by(WeekRecord.week_start.desc()).limit(limit)))
