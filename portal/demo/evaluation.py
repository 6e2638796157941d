"""Demo 民主评议 and supervisors' register (演示).

Three demo townships held last month's all-staff meeting and evaluated their leaders' month
before last; the votes were cast with one-time codes (on phones and on paper) and the vote
was closed the same day, so last month's notices carry the summary. The county's register
holds four supervisors in term (the demo supervisor's account among them, one with a public
contact) and one whose term has ended.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from portal.demo.base import COUNTY_CODE, DAZHUANG
from portal.extensions import db
from portal.models import (
    Evaluation,
    Rating,
    Region,
    SupervisorAppointment,
    SupervisorKind,
    Township,
    User,
)
from portal.rules.calendar import TZ
from portal.services.office import evaluation as evaluations
from portal.services.shared.calendar import official_calendar
from portal.services.shared.errors import ValidationError

EVALUATED = (DAZHUANG, COUNTY_CODE + "002", COUNTY_CODE + "003")
BALLOTS = 24
REMARKS = ["下村次数较多，群众认可。", "希望晚上多在镇里住。", "值班安排到位。",
           "工作日有时找不到人。"]


def _meeting_day(today: date) -> date:
    """A working day early last month: the month's first working day on or after the 5th."""
    first = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    calendar = official_calendar()
    day = first + timedelta(days=4)
    while not calendar.is_working_day(day):
        day += timedelta(days=1)
    return min(day, today)


def _evaluate(township: Township, clerk: User | None, today: date, rng: random.Random) -> str:
    meeting = _meeting_day(today)
    month = evaluations.previous_month(evaluations.month_of(meeting))
    if db.session.scalar(select(Evaluation.id).where(Evaluation.township_id == township.id,
                                                     Evaluation.month == month)):
        return f"demo evaluation of {township.name} {month} already present"
    try:
        issued = evaluations.open_evaluation(actor=clerk, township=township, month=month,
                                             meeting_on=meeting, ballots=BALLOTS, today=today)
    except ValidationError as error:
        return f"demo evaluation of {township.name} {month} not opened: {error}"
    evaluation = issued.evaluation
    subjects = list(evaluation.subjects)
    # One leader the meeting was less pleased with; a couple of slips never came back.
    doubted = subjects[-1].id if len(subjects) > 2 else None
    for n, code in enumerate(issued.codes[:BALLOTS - 2]):
        ratings = {}
        for s in subjects:
            weights = (2, 3, 3) if s.id == doubted else (8, 2, 0.3)
            ratings[s.id] = rng.choices(list(Rating), weights=weights)[0].value
        remarks = {subjects[n % len(subjects)].id: REMARKS[n % len(REMARKS)]} if n % 7 == 0 else {}
        evaluations.cast(code=code, ratings=ratings, remarks=remarks,
                         entered_by=clerk if n % 5 == 0 else None)
    evaluations.close(actor=clerk, evaluation=evaluation)
    # The meeting's morning, as it happened last month.
    evaluation.opened_at = datetime.combine(meeting, time(9, 0), tzinfo=TZ)
    evaluation.closed_at = datetime.combine(meeting, time(11, 30), tzinfo=TZ)
    db.session.commit()
    return f"demo evaluation of {township.name} {month}: {BALLOTS - 2} of {BALLOTS} ballots cast"


def _register(county: Region, today: date) -> str:
    if db.session.scalar(select(SupervisorAppointment.id).where(
            SupervisorAppointment.county_id == county.id)):
        return "demo supervisors' register already present"
    towns = {t.code: t for t in db.session.scalars(
        select(Township).where(Township.county_id == county.id))}
    account = db.session.scalar(select(User).where(User.username == "supervisor"))
    term_from = date(today.year - 1, 1, 1)
    term_until = date(today.year + 1, 12, 31)
    rows = [
        ("刘建华（演示）", SupervisorKind.NPC_DEPUTY, [DAZHUANG, COUNTY_CODE + "002"],
         "0999-8123456", True, account),
        ("陈淑芬（演示）", SupervisorKind.CPPCC_MEMBER, [COUNTY_CODE + "003", COUNTY_CODE + "004"],
         "13900009999", False, None),
        ("赵德明（演示）", SupervisorKind.RETIRED_CADRE, [COUNTY_CODE + "005"], "", False, None),
        ("孙桂英（演示）", SupervisorKind.PUBLIC_REP, [DAZHUANG], "大庄村村委会转", True, None),
    ]
    for name, kind, codes, contact, public, user in rows:
        appointment = SupervisorAppointment(
            county_id=county.id, name=name, kind=kind, term_from=term_from,
            term_until=term_until, contact=contact, contact_public=public,
            user_id=user.id if user else None)
        appointment.townships = [towns[c] for c in codes if c in towns]
        db.session.add(appointment)
    past = SupervisorAppointment(
        county_id=county.id, name="吴秀兰（演示）", kind=SupervisorKind.PUBLIC_REP,
        term_from=date(today.year - 3, 1, 1), term_until=date(today.year - 2, 12, 31))
    past.townships = [towns[c] for c in (COUNTY_CODE + "006",) if c in towns]
    db.session.add(past)
    db.session.commit()
    return f"demo supervisors' register: {len(rows)} in term, 1 past"


def seed(today: date) -> list[str]:
    county = db.session.scalar(select(Region).where(Region.code == COUNTY_CODE))
    if county is None:
        return ["demo county missing: demo evaluations not loaded"]
    clerk = db.session.scalar(select(User).where(User.username == "clerk"))
    rng = random.Random(1909)
    lines = []
    for code in EVALUATED:
        township = db.session.scalar(select(Township).where(Township.code == code))
        if township is not None:
            # The demo clerk is 大庄镇's; the other offices' clerks have no demo login.
            lines.append(_evaluate(township, clerk if code == DAZHUANG else None, today, rng))
    lines.append(_register(county, today))
    return lines
