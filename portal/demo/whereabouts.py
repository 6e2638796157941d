"""Demo whereabouts and leave: six weeks of history and today, for every demo township.

Shows on the boards: 在岗, 下村 with the village, 会议, 出差 with a planned end, 请假 with a
substitute, 值班, cadres not updated today (未更新), a status planned for later today;
城关镇 has both chiefs away today, 大庄镇 had such a day two weeks ago. On a weekend or
holiday nobody gets a morning update (trips and leave run on); see demo/tonight.py for the
records of the evening or rest day the demo runs in.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from sqlalchemy import insert, select

from portal.demo.base import COUNTY_CODE
from portal.extensions import db
from portal.models import Cadre, ChiefRole, Leave, LeaveKind, Status, Township, Whereabouts
from portal.rules.calendar import TZ, iter_dates
from portal.services.shared import townships as township_service
from portal.services.shared.calendar import official_calendar

HISTORY_DAYS = 42
SHORT_HISTORY_DAYS = 14
VILLAGES = ["李家村", "王庄村", "河西村", "东坡村", "张湾村", "石门村", "后沟村", "新庄村", "柳树屯",
            "南岗村"]
DAZHUANG = COUNTY_CODE + "001"
CHENGGUAN = COUNTY_CODE + "002"


def _at(d: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(d, time(hour, minute), TZ)


def _entry(cadre: Cadre, status: Status, start: datetime, end: datetime | None,
           village: str = "", substitute: Cadre | None = None, note: str = "") -> dict:
    return {
        "cadre_id": cadre.id, "township_id": cadre.township_id, "status": status,
        "village": village, "note": note, "substitute_id": substitute.id if substitute else None,
        "starts_at": start, "ends_at": end, "recorded_at": start - timedelta(minutes=5),
    }


def _working_day(cadre: Cadre, d: date, rng: random.Random) -> list[dict]:
    """One ordinary working day of a cadre: a morning status, sometimes an afternoon change."""
    start = _at(d, 8, 20 + rng.randint(0, 25))
    end = _at(d, 17, 30)
    village_weight = 45 if cadre.is_leader else 20
    status = rng.choices(
        [Status.AT_OFFICE, Status.VILLAGE, Status.MEETING, Status.TRIP],
        [100 - village_weight - 10, village_weight, 7, 3])[0]
    village = rng.choice(VILLAGES) if status == Status.VILLAGE else ""
    note = {Status.MEETING: "县里工作会议", Status.TRIP: "赴市里汇报"}.get(status, "")
    if rng.random() < 0.3:
        noon = _at(d, 14)
        return [_entry(cadre, status, start, noon, village, note=note),
                _entry(cadre, Status.AT_OFFICE, noon, end)]
    return [_entry(cadre, status, start, end, village, note=note)]


def _history(cadres: list[Cadre], today: date, rng: random.Random, days: int) -> list[dict]:
    calendar = official_calendar()
    rows: list[dict] = []
    for d in iter_dates(today - timedelta(days=days), today - timedelta(days=1)):
        if not calendar.is_working_day(d):
            continue
        for cadre in cadres:
            rows.extend(_working_day(cadre, d, rng))
    return rows


def _today(cadres: list[Cadre], today: date,
           rng: random.Random) -> tuple[list[dict], list[Leave], set[int]]:
    """Today's board: everybody's status, with the special cases the board must show."""
    leaders = [c for c in cadres if c.is_leader]
    staff = [c for c in cadres if not c.is_leader]
    rows: list[dict] = []
    # Not updated today: the clerk has not got to these yet (their open entry is from yesterday).
    stale = staff[-3:]
    for cadre in stale:
        rows.append(_entry(cadre, Status.AT_OFFICE, _at(today - timedelta(days=1), 8, 30), None))
    on_leave, substitute = staff[2], staff[3]
    leave = Leave(cadre_id=on_leave.id, township_id=on_leave.township_id, kind=LeaveKind.SICK,
                  start_date=today - timedelta(days=1), end_date=today + timedelta(days=2),
                  reason="住院治疗（演示）", approver="党委书记", substitute_id=substitute.id)
    rows.append(_entry(on_leave, Status.LEAVE, _at(today - timedelta(days=1), 8, 30),
                       _at(today + timedelta(days=2), 17, 30), substitute=substitute))
    special = {
        leaders[1].id: [_entry(leaders[1], Status.VILLAGE, _at(today, 9), None, VILLAGES[0])],
        leaders[2].id: [_entry(leaders[2], Status.MEETING, _at(today, 8, 40), None,
                               note="县委全会")],
        leaders[3].id: [_entry(leaders[3], Status.TRIP, _at(today - timedelta(days=1), 8, 30),
                               _at(today + timedelta(days=1), 17, 30), note="赴省里学习")],
        leaders[4].id: [_entry(leaders[4], Status.VILLAGE, _at(today, 8, 45), _at(today, 14),
                               VILLAGES[3]),
                        _entry(leaders[4], Status.MEETING, _at(today, 14), None)],
        # On duty at the service hall; resting after last night's duty.
        staff[4].id: [_entry(staff[4], Status.DUTY, _at(today, 8, 30), None)],
        staff[5].id: [_entry(staff[5], Status.OFF, _at(today, 8, 30), _at(today, 17, 30),
                             note="夜班后补休")],
    }
    done = {c.id for c in stale} | {on_leave.id}
    for cadre in cadres:
        if cadre.id in done:
            continue
        if cadre.id in special:
            rows.extend(special[cadre.id])
            continue
        status = rng.choices([Status.AT_OFFICE, Status.VILLAGE], [75, 25])[0]
        village = rng.choice(VILLAGES) if status == Status.VILLAGE else ""
        rows.append(_entry(cadre, status, _at(today, 8, 20 + rng.randint(0, 25)), None, village))
    return rows, [leave], {c.id for c in stale}


def _chiefs_away(cadres: list[Cadre], day: date, whole_day: bool) -> list[dict]:
    """The Party secretary on a trip and the township head at a meeting on the same day."""
    chiefs = {c.chief_role: c for c in cadres if c.chief_role}
    secretary, head = chiefs[ChiefRole.SECRETARY], chiefs[ChiefRole.HEAD]
    trip_end = _at(day + timedelta(days=1), 17, 30) if whole_day else _at(day, 17, 30)
    return [
        _entry(secretary, Status.TRIP, _at(day, 8, 30), trip_end, note="赴市里汇报"),
        _entry(head, Status.MEETING, _at(day, 9), None if whole_day else _at(day, 12),
               note="县里工作会议"),
    ]


def _replace_day(rows: list[dict], cadre_ids: set[int], day: date) -> list[dict]:
    return [r for r in rows
            if not (r["cadre_id"] in cadre_ids and r["starts_at"].date() == day)]


def seed(today: date) -> list[str]:
    """Whereabouts for the last six weeks and today, and today's leave, in every township."""
    if db.session.scalar(select(Whereabouts.id).limit(1)) is not None:
        return ["whereabouts already present: left as they are"]
    townships = db.session.scalars(
        select(Township).where(Township.code.startswith(COUNTY_CODE)).order_by(Township.code)).all()
    rng = random.Random(20260601)
    total = 0
    calendar = official_calendar()
    for township in townships:
        cadres = db.session.scalars(
            select(Cadre).where(Cadre.township_id == township.id, Cadre.active.is_(True))
            .order_by(Cadre.is_leader.desc(), Cadre.sort_order, Cadre.id)).all()
        if len(cadres) < 10:
            continue
        # Six weeks where the demo shows history (staff pages); two elsewhere keep seeding fast.
        days = HISTORY_DAYS if township.code in (DAZHUANG, CHENGGUAN) else SHORT_HISTORY_DAYS
        rows = _history(cadres, today, rng, days)
        today_rows, leaves, stale = _today(cadres, today, rng)
        if not calendar.is_working_day(today):
            # A weekend or holiday: no morning update; trips and leave run on.
            today_rows = [r for r in today_rows if r["cadre_id"] in stale
                          or r["status"] in (Status.TRIP, Status.LEAVE)]
        # Their open entry of yesterday morning replaces what they did yesterday.
        rows = _replace_day(rows, stale, today - timedelta(days=1))
        chiefs = {c.id for c in cadres if c.chief_role}
        if township.code == CHENGGUAN:
            today_rows = [r for r in today_rows if r["cadre_id"] not in chiefs]
            today_rows += _chiefs_away(cadres, today, whole_day=True)
        if township.code == DAZHUANG:
            past = calendar.add_working_days(today - timedelta(days=16), 0)
            while not calendar.is_working_day(past):
                past -= timedelta(days=1)
            rows = _replace_day(rows, chiefs, past) + _chiefs_away(cadres, past, whole_day=False)
        rows += today_rows
        db.session.execute(insert(Whereabouts.__table__), rows)
        db.session.add_all(leaves)
        total += len(rows)
        township_service.touch(township.id)
    db.session.commit()
    return [f"whereabouts: {total} entries over up to {HISTORY_DAYS} days and today"]
