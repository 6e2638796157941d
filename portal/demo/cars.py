"""Demo car log of 大庄镇: one official car with a month of trips, one of them flagged.

Over the 30 days before today the car takes cadres to villages, to another township and to
the county offices by day; on one working evening it takes two leaders to the county town
and comes back the next morning (the flagged night trip, set against their night records
on the public car page). A second, older car has been taken out of use.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from portal.demo.base import DAZHUANG
from portal.extensions import db
from portal.models import Cadre, CarTrip, DestinationKind, Township, Vehicle
from portal.models.base import utcnow
from portal.rules.calendar import TZ
from portal.services.shared import calendar, townships

PLATE, OLD_PLATE = "冀A·D8801", "冀A·D3306"
DRIVER = "演示驾驶员"
DAYS = 30
# (destination, kind, purpose, out, back) of the daytime trips, in turn.
DAY_TRIPS = [
    ("东村", DestinationKind.VILLAGE, "入村走访困难户（演示）", time(9, 0), time(11, 30)),
    ("县城", DestinationKind.COUNTY_TOWN, "到县委组织部报送材料（演示）", time(8, 50), time(12, 10)),
    ("西村", DestinationKind.VILLAGE, "察看冬季防火（演示）", time(14, 0), time(16, 40)),
    ("李庄乡", DestinationKind.OTHER_TOWNSHIP, "参加片区联席会议（演示）", time(9, 30), time(15, 0)),
    ("南村", DestinationKind.VILLAGE, "调解土地纠纷（演示）", time(10, 0), time(12, 0)),
    ("市区", DestinationKind.CITY, "到市农业农村局汇报（演示）", time(7, 40), time(17, 20)),
]


def _at(day: date, moment: time) -> datetime:
    return datetime.combine(day, moment, tzinfo=TZ)


def _night_trip_day(today: date) -> date:
    """The last working day whose next morning is already past (the flagged trip's evening)."""
    day = today - timedelta(days=2)
    while not calendar.is_working_day(day):
        day -= timedelta(days=1)
    return day


def seed(today: date) -> list[str]:
    township = db.session.scalar(select(Township).where(Township.code == DAZHUANG))
    if township is None:
        return []
    if db.session.scalar(select(Vehicle.id).where(Vehicle.township_id == township.id,
                                                  Vehicle.plate == PLATE)):
        return ["the car log of 大庄镇 already present: left as it is"]
    cadres = list(db.session.scalars(select(Cadre).where(Cadre.township_id == township.id,
                                                         Cadre.active.is_(True))
                                     .order_by(Cadre.sort_order, Cadre.id)))
    leaders = [c for c in cadres if c.is_leader and c.chief_role is None]
    staff = [c for c in cadres if not c.is_leader]
    car = Vehicle(township_id=township.id, plate=PLATE, model="越野车（演示）")
    old = Vehicle(township_id=township.id, plate=OLD_PLATE, model="面包车（演示）", active=False)
    db.session.add_all([car, old])
    rng = random.Random(8801)
    night = _night_trip_day(today)
    now = utcnow()
    trips = []
    for offset in range(DAYS, 0, -1):
        day = today - timedelta(days=offset)
        if not calendar.is_working_day(day) or day == night:
            continue
        destination, kind, purpose, out, back = DAY_TRIPS[len(trips) % len(DAY_TRIPS)]
        riders = rng.sample(leaders[:3], 1) + rng.sample(staff[:6], 1) if leaders and staff else []
        trips.append(CarTrip(township_id=township.id, vehicle=car, driver_name=DRIVER,
                             passengers=riders, destination=destination, destination_kind=kind,
                             purpose=purpose, out_at=_at(day, out), back_at=_at(day, back),
                             recorded_at=_at(day, back)))
    back_at = _at(night + timedelta(days=1), time(7, 40))
    if back_at < now:
        trips.append(CarTrip(township_id=township.id, vehicle=car, driver_name=DRIVER,
                             passengers=leaders[:2], destination="县城",
                             destination_kind=DestinationKind.COUNTY_TOWN,
                             purpose="下班后回县城（演示）", out_at=_at(night, time(17, 40)),
                             back_at=back_at, recorded_at=back_at))
    db.session.add_all(trips)
    townships.touch(township.id)
    db.session.commit()
    return [f"car log of 大庄镇: {PLATE} with {len(trips)} trips over {DAYS} days, the evening of "
            f"{night} to the county town flagged"]
