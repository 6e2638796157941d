"""A cadre who joined a few days ago: 大庄镇's new 武装部长 (演示).

He is on the board and counts in this month's figures from the day he joined, with his own
sign-ins since; he is not in last month's notice, however often it is published again.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from portal.demo.base import DAZHUANG
from portal.extensions import db
from portal.models import Cadre, SignIn, SignInKind, Township
from portal.models.base import utcnow
from portal.rules.calendar import TZ, iter_dates
from portal.services.shared import townships
from portal.services.shared.calendar import official_calendar

NAME = "武卫东"
POST = "武装部长"


def joined_on(today: date) -> date:
    """A few days ago, but in the current month (on the 1st to 3rd: the 1st)."""
    return max(today.replace(day=1), today - timedelta(days=3))


def _sign_ins(cadre: Cadre, joined: date, today: date) -> list[SignIn]:
    now = utcnow()
    calendar = official_calendar()
    rows = []
    for day in iter_dates(joined, today):
        if not calendar.is_working_day(day):
            continue
        for hh, mm, kind in ((8, 10, SignInKind.IN), (17, 40, SignInKind.OUT)):
            at = datetime.combine(day, time(hh, mm), tzinfo=TZ)
            if at <= now:
                rows.append(SignIn(cadre_id=cadre.id, township_id=cadre.township_id, at=at,
                                   kind=kind, place="乡镇机关考勤机", source="manual"))
    return rows


def seed(today: date) -> list[str]:
    """Add the new 武装部长 of 大庄镇 with his joining date, once."""
    township = db.session.scalar(select(Township).where(Township.code == DAZHUANG))
    if township is None:
        return []
    if db.session.scalar(select(Cadre.id).where(Cadre.township_id == township.id,
                                                Cadre.name == NAME)) is not None:
        return ["new 武装部长 already present: left as it is"]
    joined = joined_on(today)
    cadre = Cadre(township=township, name=NAME, post=POST, is_leader=True, sort_order=50,
                  joined_on=joined, township_service_since=joined, office_phone="0999-8800050")
    db.session.add(cadre)
    db.session.flush()
    db.session.add_all(_sign_ins(cadre, joined, today))
    townships.touch(township.id)
    db.session.commit()
    return [f"{township.name}: new {POST} {NAME} joined on {joined.isoformat()}"]
