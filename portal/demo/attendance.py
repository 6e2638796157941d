"""Demo sign-ins, night stays, village visits, field diaries, a past leave, and published notices.

Six weeks for every demo township, so that the office pages, the cadre archive and the monthly
notices look lived-in: most leaders keep 5-4-3, one per township commutes (few nights, visits
left unconfirmed), a few sign-ins lack their sign-out. Rows go in with bulk inserts.
"""

from __future__ import annotations

import random
import secrets
from datetime import date, datetime, time, timedelta

from sqlalchemy import insert, select

from portal.demo.base import COUNTY_CODE
from portal.extensions import db
from portal.models import (
    Cadre,
    DiaryKind,
    FieldDiary,
    Leave,
    LeaveKind,
    LeaveState,
    SignIn,
    Township,
    VillageVisit,
)
from portal.models.base import utcnow
from portal.rules.calendar import TZ, iter_dates
from portal.services.office import notices
from portal.services.office.attendance_import import MACHINE_PLACE
from portal.services.office.visits import token_hash
from portal.services.shared import townships
from portal.services.shared.calendar import official_calendar

DAYS = 42
VILLAGES = ["前进村", "红旗村", "东风村", "柳树湾村", "石门村", "新华社区", "河西村", "王庄村"]
PURPOSES = ["走访低保户", "防汛检查", "调解土地纠纷", "产业项目调研", "人居环境整治督导", "信访回访",
            "森林防火巡查", "村两委工作指导"]
DIARIES = [
    "走访了三户困难群众，反映饮水管道老化，已联系水利站。（演示）",
    "村里反映道路坑洼影响秋收运输，记录在案，下周报镇党委会。（演示）",
    "两户因宅基地边界起争执，现场调解，双方签字认可。（演示）",
    "合作社负责人希望对接冷库项目，已约县农业农村局下周来看。（演示）",
    "检查河堤两处渗水点，安排村里每天巡查并上报。（演示）",
]
EVENING = [
    (DiaryKind.NIGHT_STUDY, "集中学习党的二十届四中全会精神。（演示）"),
    (DiaryKind.NIGHT_MEETING, "党政班子夜议秋冬季森林防火工作。（演示）"),
    (DiaryKind.NIGHT_TALK, "与新入职的两名选调生谈心。（演示）"),
    (DiaryKind.NIGHT_VISIT, "夜访外出务工返乡人员，了解就业需求。（演示）"),
]


def _at(day: date, hh: int, mm: int) -> datetime:
    return datetime.combine(day, time(hh, mm), tzinfo=TZ)


class _Township:
    """The rows of one township, built in memory and inserted in bulk."""

    def __init__(self, township: Township, cadres: list[Cadre], rng: random.Random) -> None:
        self.township, self.cadres, self.rng = township, cadres, rng
        self.sign_ins: list[dict] = []
        self.visits: list[dict] = []
        self.diaries: list[dict] = []  # diary text per visit, same order as self.visits
        self.evening: list[dict] = []
        self.now = utcnow()

    def sign(self, cadre: Cadre, at: datetime, kind: str) -> None:
        if at > self.now:
            return
        self.sign_ins.append({
            "cadre_id": cadre.id, "township_id": cadre.township_id, "at": at, "kind": kind,
            "place": MACHINE_PLACE, "at_township": True, "source": "machine",
            # Demo refs are cheap to make; a real import keys punches with machine_ref().
            "machine_ref": f"demo:{self.township.code}:{cadre.id}:{at:%Y%m%d%H%M}:{kind}",
            "recorded_at": self.now,
        })

    def workday(self, cadre: Cadre, day: date, stayed_before: bool) -> None:
        roll = self.rng.random()
        if roll < 0.03:
            return  # absent that day
        start = _at(day, 7, self.rng.randint(0, 25)) if stayed_before else _at(
            day, 8, self.rng.randint(0, 35))
        self.sign(cadre, start, "in")
        if roll > 0.05:  # 2 %: forgot to sign out (shown as invalid)
            self.sign(cadre, _at(day, 17, 30) + timedelta(minutes=self.rng.randint(0, 50)), "out")

    def evening_check(self, cadre: Cadre, day: date) -> None:
        self.sign(cadre, _at(day, 20, 30) + timedelta(minutes=self.rng.randint(0, 80)), "in")

    def visit(self, cadre: Cadre, day: date, confirmed: bool) -> None:
        village = self.rng.choice(VILLAGES)
        recent = (self.now.astimezone(TZ).date() - day).days <= 1
        row = {
            "public_id": secrets.token_urlsafe(12), "cadre_id": cadre.id,
            "township_id": cadre.township_id, "village": village, "day": day,
            "purpose": self.rng.choice(PURPOSES), "recorded_at": self.now,
            "token_hash": None, "token_expires_at": None, "confirmed_at": None,
            "confirmer_name": "", "confirmer_comment": "",
        }
        if confirmed and not recent:
            row.update(confirmed_at=_at(day, 15, self.rng.randint(0, 59)),
                       confirmer_name=self.rng.choice(["", "村民", "刘大爷", "王大姐", ""]))
        else:
            # A link was issued; recent ones are still open, older ones expired unconfirmed.
            row.update(token_hash=token_hash(secrets.token_urlsafe(24)),
                       token_expires_at=_at(day, 9, 0) + timedelta(hours=72))
        self.visits.append(row)
        self.diaries.append({"cadre_id": cadre.id, "day": day, "kind": DiaryKind.VISIT.value,
                             "at_township": False, "text": self.rng.choice(DIARIES),
                             "recorded_at": self.now})


def _leader_week(rows: _Township, cadre: Cadre, working: list[date], committed: bool) -> None:
    """A leader's week: 5-4-3 kept when committed, a commuter's week otherwise."""
    rng = rows.rng
    nights_wanted = 4 if committed else rng.choice((0, 1))
    eves = [d - timedelta(days=1) for d in working][:nights_wanted]
    for eve in eves:
        rows.evening_check(cadre, eve)
    for day in working:
        rows.workday(cadre, day, stayed_before=(day - timedelta(days=1)) in eves)
    for day in rng.sample(working, min(len(working), 3 if committed else 2)):
        rows.visit(cadre, day, confirmed=committed and rng.random() > 0.1)
    if committed and eves and rng.random() < 0.6:
        kind, text = rng.choice(EVENING)
        rows.evening.append({"cadre_id": cadre.id, "day": rng.choice(eves), "kind": kind.value,
                             "at_township": True, "text": text, "recorded_at": rows.now})


def _build(township: Township, cadres: list[Cadre], today: date, rng: random.Random,
           leave: Leave | None) -> _Township:
    calendar = official_calendar()
    rows = _Township(township, cadres, rng)
    days = iter_dates(first_day(today), today)
    on_leave = set(iter_dates(leave.start_date, leave.end_date)) if leave else set()
    leaders = [c for c in cadres if c.is_leader]
    commuter = leaders[-1] if leaders else None
    mondays = [days[0] - timedelta(days=days[0].weekday())] + [d for d in days[1:] if d.weekday() == 0]
    for monday in mondays:
        week = [monday + timedelta(days=i) for i in range(7)]
        for cadre in cadres:
            excused = on_leave if leave and cadre.id == leave.cadre_id else set()
            working = [d for d in week if calendar.is_working_day(d) and d not in excused
                       and days[0] <= d <= today]
            if cadre.is_leader:
                _leader_week(rows, cadre, working, committed=cadre is not commuter)
            else:
                for day in working:
                    rows.workday(cadre, day, stayed_before=False)
    return rows


def first_day(today: date) -> date:
    """Six weeks back, or the first of last month if earlier: last month's notice is complete."""
    last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    return min(today - timedelta(days=DAYS), last_month)


def _past_leave(township: Township, cadres: list[Cadre], today: date) -> Leave | None:
    """A deputy on annual leave three weeks ago, with a colleague standing in."""
    leaders = [c for c in cadres if c.is_leader and c.chief_role is None]
    if len(leaders) < 2:
        return None
    start = today - timedelta(days=today.weekday() + 21)
    # A deputy's leave is approved at county level, and closed by 销假 on the day back.
    return Leave(cadre_id=leaders[0].id, township_id=township.id, kind=LeaveKind.ANNUAL,
                 start_date=start, end_date=start + timedelta(days=2), reason="年休假（演示）",
                 approver="县委组织部", substitute_id=leaders[1].id,
                 decided_at=datetime.combine(start - timedelta(days=3), time(10), tzinfo=TZ),
                 returned_on=start + timedelta(days=3))


def _requests(township: Township, cadres: list[Cadre], today: date) -> list[Leave]:
    """Leave asked for next week and not yet approved: a staff member's (the township decides)
    and a deputy's (waiting for the county), so neither shows on the board yet."""
    leaders = [c for c in cadres if c.is_leader and c.chief_role is None]
    staff = [c for c in cadres if not c.is_leader]
    monday = today + timedelta(days=7 - today.weekday())
    asked = [(staff[-1:], LeaveKind.PERSONAL, monday, monday, "家中有事（演示）"),
             (leaders[-1:], LeaveKind.SICK, monday + timedelta(days=1), monday + timedelta(days=2),
              "复查（演示）")]
    return [Leave(cadre_id=who[0].id, township_id=township.id, kind=kind, state=LeaveState.REQUESTED,
                  start_date=start, end_date=end, reason=reason)
            for who, kind, start, end, reason in asked if who]


def _insert(rows: _Township) -> None:
    if rows.sign_ins:
        db.session.execute(insert(SignIn.__table__), rows.sign_ins)
    if rows.visits:
        table = VillageVisit.__table__
        ids = db.session.execute(
            insert(table).returning(table.c.id, sort_by_parameter_order=True), rows.visits
        ).scalars().all()
        for visit_id, diary in zip(ids, rows.diaries, strict=True):
            diary["visit_id"] = visit_id
        db.session.execute(insert(FieldDiary.__table__), rows.diaries)
    if rows.evening:
        db.session.execute(insert(FieldDiary.__table__), [dict(r, visit_id=None) for r in rows.evening])


def _last_full_month(today: date) -> str:
    return (today.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")


def seed(today: date) -> list[str]:
    """Six weeks of attendance records in every demo township, and last month's notices."""
    if db.session.scalar(select(SignIn.id).limit(1)) is not None:
        return ["attendance already present: left as it is"]
    towns = db.session.scalars(
        select(Township).where(Township.code.startswith(COUNTY_CODE)).order_by(Township.code)).all()
    rng = random.Random(20260901)
    counts = [0, 0]
    for township in towns:
        cadres = list(db.session.scalars(
            select(Cadre).where(Cadre.township_id == township.id, Cadre.active.is_(True))
            .order_by(Cadre.is_leader.desc(), Cadre.sort_order, Cadre.id)))
        leave = _past_leave(township, cadres, today)
        if leave:
            db.session.add(leave)
        db.session.add_all(_requests(township, cadres, today))
        rows = _build(township, cadres, today, rng, leave)
        _insert(rows)
        townships.touch(township.id)
        counts[0] += len(rows.sign_ins)
        counts[1] += len(rows.visits)
    db.session.commit()
    return [f"attendance: {counts[0]} sign-ins, {counts[1]} village visits since "
            f"{first_day(today).isoformat()}"]


def publish_last_month(today: date) -> list[str]:
    """Last month's notices, published after every other step has added its records (tonight's
    check-ins just after midnight on the 1st still belong to last month)."""
    towns = db.session.scalars(
        select(Township).where(Township.code.startswith(COUNTY_CODE)).order_by(Township.code)).all()
    month = _last_full_month(today)
    published = [notices.publish(township=t, month=month, actor=None, today=today) for t in towns]
    return [f"{sum(r.created for r in published)} notices published for {month}"]
