"""Demo records of the evening (or rest day) the demo runs in, for 大庄镇's board at night.

When the clock is outside office hours the board of 大庄镇 shows what a villager meets then:
the duty officers of the running shift (one rostered officer is on leave with nobody in
his place: the roster and the board flag that slot), some cadres who checked in at the
township this evening or wrote down an evening meeting there (住镇), those away on a trip
or leave, and the rest with no record tonight. On a weekend or holiday daytime, two staff
have checked in at the office. During office hours nothing is added.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import insert, select

from portal.demo.base import DAZHUANG
from portal.extensions import db
from portal.models import Cadre, DiaryKind, FieldDiary, SignIn
from portal.models.base import utcnow
from portal.services.office import board as board_service
from portal.services.office import presence
from portal.services.office.attendance_import import MACHINE_PLACE
from portal.services.shared import townships

REF = "demo-tonight:"


def _sign_in(cadre_id: int, township_id: int, at: datetime, now: datetime) -> dict:
    return {"cadre_id": cadre_id, "township_id": township_id, "at": at, "kind": "in",
            "place": MACHINE_PLACE, "at_township": True, "source": "machine",
            "machine_ref": f"{REF}{cadre_id}:{at:%Y%m%d%H%M}", "recorded_at": now}


def _moments(period: presence.Period, now: datetime, n: int) -> list[datetime]:
    """n moments spread between the start of the period and a minute ago."""
    first = period.starts_at + (timedelta(hours=2) if period.kind == presence.NIGHT
                                else timedelta(minutes=10))
    last = now - timedelta(minutes=1)
    if last <= period.starts_at:
        return []
    first = min(first, last)
    step = (last - first) / max(n, 1)
    return [first + step * i for i in range(n)]


def seed(today) -> list[str]:  # noqa: ARG001 - every step takes today; this one reads the clock
    now = utcnow()
    board = board_service.load(DAZHUANG, now)
    if board is None or board.period is None or not board.period.off_hours:
        return []
    if db.session.scalar(select(SignIn.id).where(SignIn.machine_ref.startswith(REF)).limit(1)):
        return ["tonight's records already present: left as they are"]
    township_id = board.township.id
    ids = dict(db.session.execute(select(Cadre.public_id, Cadre.id)
                                  .where(Cadre.township_id == township_id)).all())
    free = [r.person.public_id for r in board.rows if r.now.key.startswith("no_record")]
    on_duty = [r.person.public_id for r in board.rows if r.now.key.startswith("duty")]
    night = board.period.kind == presence.NIGHT
    # At night: three checked in, one leader wrote down tonight's meeting; by day: two came in.
    checked = (free[:1] + free[-2:]) if night else free[-2:]
    moments = _moments(board.period, now, len(on_duty) + len(checked))
    people = (on_duty + checked)[:len(moments)]
    rows = [_sign_in(ids[p], township_id, at, now)
            for p, at in zip(people, moments[:len(people)], strict=True)]
    if rows:
        db.session.execute(insert(SignIn.__table__), rows)
    diaries = 0
    if night and len(free) > 3 and moments:
        db.session.add(FieldDiary(cadre_id=ids[free[1]], day=board.period.day,
                                  kind=DiaryKind.NIGHT_MEETING, at_township=True,
                                  text="镇党委夜议冬季安全生产工作。（演示）",
                                  recorded_at=moments[-1]))
        diaries = 1
    townships.touch(township_id)
    db.session.commit()
    return [f"tonight in 大庄镇: {len(rows)} check-ins at the township, {diaries} evening "
            f"meeting recorded"]
