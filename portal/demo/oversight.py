"""Demo spot checks (演示明察暗访): months of checks whose board accuracy improves, with mismatches.

Earlier months are stored as they were found (the board of those days is not in the demo
data); the latest check, in 大庄镇, is recorded through the service against the demo board,
and one of its mismatches is turned into a report, like an inspector would.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from portal.demo.base import COUNTY_CODE, DAZHUANG
from portal.extensions import db
from portal.models import (
    Cadre,
    Presence,
    Region,
    SpotCheck,
    SpotCheckFinding,
    Status,
    Township,
    User,
)
from portal.rules.calendar import TZ
from portal.services.oversight import board_at, spotchecks
from portal.services.shared.calendar import official_calendar

MONTHS_BACK = 5
CHECKS_PER_MONTH = 2
FINDINGS_PER_CHECK = 6


def _month_start(today: date, back: int) -> date:
    year, month = today.year, today.month - back
    while month < 1:
        year, month = year - 1, month + 12
    return date(year, month, 1)


def _check_days(start: date, today: date) -> list[date]:
    """Two working days of the month (the 4th and the 14th), before today."""
    end = (start.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    days = official_calendar().working_days(start, min(end, today - timedelta(days=1)))
    return [days[i] for i in (3, 13) if i < len(days)][:CHECKS_PER_MONTH]


def _found(rng: random.Random, match: float) -> tuple[Presence, str, str]:
    """What was found, what the board said, and the mismatch, with the given accuracy."""
    if rng.random() < match:
        return rng.choice([
            (Presence.PRESENT, Status.AT_OFFICE.value, ""),
            (Presence.PRESENT, Status.AT_OFFICE.value, ""),
            (Presence.AWAY_ON_BUSINESS, Status.VILLAGE.value, ""),
            (Presence.ABSENT, Status.LEAVE.value, ""),
        ])
    return rng.choice([
        (Presence.ABSENT, Status.AT_OFFICE.value, spotchecks.FALSE_BOARD),
        (Presence.ABSENT, Status.VILLAGE.value, spotchecks.FALSE_BOARD),
        (Presence.ABSENT, "", spotchecks.ABSENT_WITHOUT_LEAVE),
        (Presence.PRESENT, Status.TRIP.value, ""),
    ])


def _history(townships: list[Township], cadres: dict[int, list[Cadre]], checker: User,
             today: date, rng: random.Random) -> int:
    made = 0
    for back in range(MONTHS_BACK, 0, -1):
        start = _month_start(today, back)
        for index, township in enumerate(townships):
            # Accuracy improves month by month, faster in some townships than others.
            match = min(0.97, 0.55 + (MONTHS_BACK - back) * (0.05 + 0.01 * (index % 4)))
            for day in _check_days(start, today):
                at = datetime.combine(day, time(9 + rng.randint(0, 2), rng.choice((0, 20, 40))),
                                      tzinfo=TZ)
                check = SpotCheck(township_id=township.id, at=at, checker_id=checker.id,
                                  note="演示：例行暗访", recorded_at=at + timedelta(hours=2))
                for cadre in rng.sample(cadres[township.id], FINDINGS_PER_CHECK):
                    presence, board, mismatch = _found(rng, match)
                    check.findings.append(SpotCheckFinding(
                        cadre_id=cadre.id, presence=presence, board_status=board,
                        mismatch=mismatch))
                db.session.add(check)
                made += 1
    db.session.commit()
    return made


def _presence_from_board(status: Status | None) -> Presence:
    if status in (Status.AT_OFFICE, Status.DUTY):
        return Presence.PRESENT
    if status in (Status.VILLAGE, Status.MEETING, Status.TRIP):
        return Presence.AWAY_ON_BUSINESS
    return Presence.ABSENT


def _latest(township: Township, cadres: list[Cadre], checker: User, today: date) -> str:
    """A real check of the last working day against the demo board; one mismatch reported."""
    day = today - timedelta(days=1)
    while not official_calendar().is_working_day(day):
        day -= timedelta(days=1)
    at = datetime.combine(day, time(10, 10), tzinfo=TZ)
    said = board_at.township_at(township.id, at, cadre_ids=[c.id for c in cadres])
    chosen = cadres[:10]
    found = [spotchecks.FindingInput(c.id, _presence_from_board(said.cadres[c.id].status))
             for c in chosen]
    # Two cadres the board shows at the office were not there.
    at_office = [i for i, f in enumerate(found) if f.presence == Presence.PRESENT][:2]
    for i in at_office:
        found[i] = spotchecks.FindingInput(found[i].cadre_id, Presence.ABSENT, "办公室无人，电话未接")
    check = spotchecks.record_spot_check(checker=checker, township_id=township.id, at=at,
                                         findings=found, note="演示：上午暗访大庄镇政府")
    reported = next((f for f in check.findings if f.mismatch), None)
    if reported is not None:
        spotchecks.report_from_finding(user=checker, check_public_id=check.public_id,
                                       cadre_public_id=reported.cadre.public_id)
    mismatches = sum(1 for f in check.findings if f.mismatch)
    return f"demo spot check of {township.name} on {day.isoformat()}: {mismatches} mismatch(es)"


def seed(today: date) -> list[str]:
    """Spot checks over the last months in every demo township; skipped when already there."""
    county = db.session.scalar(select(Region).where(Region.code == COUNTY_CODE))
    inspector = db.session.scalar(select(User).where(User.username == "inspector"))
    if county is None or inspector is None:
        return ["demo county missing: demo spot checks not loaded"]
    townships = list(db.session.scalars(
        select(Township).where(Township.county_id == county.id).order_by(Township.code)))
    ids = [t.id for t in townships]
    if db.session.scalar(select(SpotCheck.id).where(SpotCheck.township_id.in_(ids))) is not None:
        return ["demo spot checks already present: left as they are"]
    cadres: dict[int, list[Cadre]] = {t.id: [] for t in townships}
    for cadre in db.session.scalars(
        select(Cadre).where(Cadre.township_id.in_(ids), Cadre.active.is_(True))
        .order_by(Cadre.sort_order, Cadre.id)
    ):
        cadres[cadre.township_id].append(cadre)
    rng = random.Random(20260707)
    made = _history(townships, cadres, inspector, today, rng)
    dazhuang = next(t for t in townships if t.code == DAZHUANG)
    lines = [f"demo spot checks: {made} over the last {MONTHS_BACK} months"]
    lines.append(_latest(dazhuang, cadres[dazhuang.id], inspector, today))
    return lines
