"""What the car log says: a month of trips with their flags, and the trips around a moment.

A trip to the county town that comes back after office hours or on a later day is flagged
(`portal.rules.car_trips`) and set against its riders' records for that night: the night
stay the sign-ins prove (晚间签到 and 次日早签到, as 5-4-3 counts it) and what the whereabouts
board said at NIGHT_CHECK that evening. A rider whose records put them in the township that
night while the car took them to town is a contradiction worth showing. Each read costs a
fixed number of queries, whatever the number of trips.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.models import (
    Cadre,
    CarTrip,
    DestinationKind,
    DutyAssignment,
    DutyRole,
    DutyShift,
    Leave,
    ShiftKind,
    Status,
    Township,
    Vehicle,
    Whereabouts,
)
from portal.models.base import utcnow
from portal.rules import car_trips
from portal.rules.calendar import TZ
from portal.services.office import presence, rule543

# The moment of the night whose board a flagged trip is set against.
NIGHT_CHECK = time(22, 0)
# The case page shows the trips this long before and after the reported moment.
AROUND = timedelta(hours=24)

# What the board said that night, beyond the recorded statuses.
IN_TOWNSHIP = frozenset({Status.AT_OFFICE.value, Status.DUTY.value, presence.DUTY_LEADER,
                         presence.STAYING})
NIGHT_LABELS = {
    "stayed": _l("住镇（晚间、次日早签到齐全）"),
    "partial": _l("住镇记录不全"),
    "none": _l("无住镇记录"),
}


@dataclass(frozen=True)
class RiderCheck:
    """One rider of a flagged trip, against that night's records."""

    cadre: Cadre
    night: str  # stayed | partial | none
    board: str  # a presence state key (住镇, 带班, 出差…, no record)
    contradiction: bool

    @property
    def night_label(self):
        return NIGHT_LABELS[self.night]

    @property
    def board_label(self):
        return presence.STATE_LABELS.get(self.board, self.board)


@dataclass(frozen=True)
class TripView:
    trip: CarTrip
    flag: car_trips.TripFlag | None
    night: date | None
    checks: tuple[RiderCheck, ...] = ()
    involves: bool = False  # the cadre the caller asked about rode or drove

    @property
    def out_local(self) -> datetime:
        return self.trip.out_at.astimezone(TZ)

    @property
    def back_local(self) -> datetime | None:
        return self.trip.back_at.astimezone(TZ) if self.trip.back_at else None

    @property
    def contradictions(self) -> int:
        return sum(1 for c in self.checks if c.contradiction)


@dataclass
class MonthCars:
    township: Township
    year: int
    month: int
    vehicles: list[Vehicle]
    trips: list[TripView] = field(default_factory=list)

    @property
    def flagged(self) -> list[TripView]:
        return [t for t in self.trips if t.flag]


def _month_bounds(year: int, month: int) -> tuple[datetime, datetime]:
    first = datetime(year, month, 1, tzinfo=TZ)
    nxt = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=TZ)
    return first, nxt


def _trips(township_id: int, lo: datetime, hi: datetime) -> list[CarTrip]:
    """Trips out before `hi` and not back before `lo`, earliest first."""
    return list(db.session.scalars(
        select(CarTrip).where(CarTrip.township_id == township_id, CarTrip.out_at < hi,
                              or_(CarTrip.back_at.is_(None), CarTrip.back_at >= lo))
        .options(selectinload(CarTrip.passengers), selectinload(CarTrip.driver),
                 selectinload(CarTrip.vehicle))
        .order_by(CarTrip.out_at, CarTrip.id)
    ))


def month_cars(township: Township, year: int, month: int) -> MonthCars:
    """The township's vehicles and the trips that went out in the month, flagged and checked."""
    lo, hi = _month_bounds(year, month)
    trips = [t for t in _trips(township.id, lo, hi) if t.out_at >= lo]
    vehicles = db.session.scalars(select(Vehicle).where(Vehicle.township_id == township.id)
                                  .order_by(Vehicle.active.desc(), Vehicle.plate))
    return MonthCars(township, year, month, list(vehicles), views(trips))


def trips_around(township_id: int, at: datetime, cadre_id: int | None = None) -> list[TripView]:
    """The township's trips within a day either side of a moment (a report's), flagged, with
    `involves` marking those the cadre rode in or drove."""
    views_ = views(_trips(township_id, at - AROUND, at + AROUND), cadre_id)
    return [v for v in views_ if v.trip.out_at <= at + AROUND]


def views(trips: list[CarTrip], cadre_id: int | None = None) -> list[TripView]:
    """Each trip with its flag and, for a flagged one, its riders' night records."""
    now = utcnow()
    opens, closes = presence.office_hours()
    flagged: list[tuple[CarTrip, car_trips.TripFlag, date]] = []
    out: dict[int, tuple[car_trips.TripFlag | None, date | None]] = {}
    for trip in trips:
        mark = car_trips.flag(to_county_town=trip.destination_kind == DestinationKind.COUNTY_TOWN,
                              out_at=trip.out_at, back_at=trip.back_at, closes=closes, now=now, tz=TZ)
        night = car_trips.night_of(trip.out_at, TZ, opens) if mark else None
        out[trip.id] = (mark, night)
        if mark:
            flagged.append((trip, mark, night))
    checks = _checks(flagged, closes)
    return [TripView(t, *out[t.id], checks.get(t.id, ()),
                     involves=cadre_id is not None and cadre_id in _riders(t))
            for t in trips]


def _riders(trip: CarTrip) -> set[int]:
    return {c.id for c in trip.passengers} | ({trip.driver_id} if trip.driver_id else set())


def _people(trip: CarTrip) -> list[Cadre]:
    return [*trip.passengers, *([trip.driver] if trip.driver else [])]


def _checks(flagged, closes: time) -> dict[int, tuple[RiderCheck, ...]]:
    if not flagged:
        return {}
    ids = {c.id for trip, _, _ in flagged for c in _people(trip)}
    nights = [night for _, _, night in flagged]
    first, last = min(nights), max(nights) + timedelta(days=1)
    records = rule543.gather(ids, first, last)
    boards = _boards(ids, first, max(nights), closes, records)
    return {
        trip.id: tuple(_check(c, night, records[c.id], boards.get((c.id, night))) for c in _people(trip))
        for trip, _, night in flagged
    }


def _check(cadre: Cadre, night: date, records: rule543.CadreRecords, board: str | None) -> RiderCheck:
    evening = night in records.evening_checks or night in records.evening_diaries
    morning = night + timedelta(days=1) in records.morning_checks
    state = "stayed" if evening and morning else "partial" if evening or morning else "none"
    board = board or (presence.STAYING if evening else presence.NO_RECORD_TONIGHT)
    return RiderCheck(cadre, state, board, contradiction=state == "stayed" or board in IN_TOWNSHIP)


def _boards(ids: set[int], first: date, last: date, closes: time,
            records: dict[int, rule543.CadreRecords]) -> dict[tuple[int, date], str]:
    """What the board said at NIGHT_CHECK of each night first..last, per cadre, as it was
    known then: leave, a trip or leave entry (or one recorded that evening), the night duty."""
    found: dict[tuple[int, date], str] = {}
    nights = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    moments = {n: datetime.combine(n, NIGHT_CHECK, tzinfo=TZ) for n in nights}
    lo, hi = moments[first], moments[last]
    for cid, shift_day, role in db.session.execute(
        select(DutyAssignment.cadre_id, DutyShift.day, DutyAssignment.role)
        .join(DutyShift, DutyShift.id == DutyAssignment.shift_id)
        .where(DutyAssignment.cadre_id.in_(ids), DutyShift.kind == ShiftKind.NIGHT,
               DutyShift.day >= first, DutyShift.day <= last)
    ):
        found[(cid, shift_day)] = presence.DUTY_LEADER if role == DutyRole.LEADER else Status.DUTY.value
    entries = db.session.scalars(
        select(Whereabouts).where(Whereabouts.cadre_id.in_(ids), Whereabouts.starts_at <= hi,
                                  or_(Whereabouts.ends_at.is_(None), Whereabouts.ends_at > lo))
        .order_by(Whereabouts.starts_at, Whereabouts.id)
    )
    for entry in entries:
        for night, at in moments.items():
            closing = datetime.combine(night, closes, tzinfo=TZ)
            spans = entry.status in presence.SPANNING or entry.recorded_at >= closing
            running = entry.starts_at <= at and (entry.ends_at is None or entry.ends_at > at
                                                 or (entry.superseded_at or at) > at)
            if spans and running and entry.recorded_at <= at:
                found[(entry.cadre_id, night)] = entry.status.value
    for cid, start, end in db.session.execute(
        select(Leave.cadre_id, Leave.start_date, Leave.end_date)
        .where(Leave.cadre_id.in_(ids), Leave.in_force(), Leave.start_date <= last,
               Leave.end_date >= first)
    ):
        for night in nights:
            if start <= night <= end:
                found[(cid, night)] = Status.LEAVE.value
    return found
