"""公车使用登记: a township's official vehicles and the trips the clerk or driver records.

A trip names its vehicle, its driver (a cadre of the roster, or a driver who is not on it,
whose name stays with the staff), its passengers (cadres of the township), the destination
and its kind (the county town or not), the purpose, and the out and back times. The back
time may follow later (`record_return`). What the trips say, month by month and around a
moment, is read by `cars_read`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from portal.extensions import db
from portal.models import Cadre, CarTrip, DestinationKind, Township, User, Vehicle
from portal.models.base import utcnow
from portal.rules.calendar import TZ
from portal.sanitize import clean_text
from portal.services.shared import audit, townships
from portal.services.shared.errors import NotFoundError, ValidationError
from portal.services.shared.transaction import use_case

MAX_PASSENGERS = 12
# A trip longer than this is a data-entry mistake (a wrong month or year), not a trip.
MAX_TRIP = timedelta(days=14)
# A trip may be recorded as it starts: its out time may run a little ahead of the server.
LEEWAY = timedelta(minutes=30)


def list_vehicles(township_id: int, *, include_inactive: bool = True) -> list[Vehicle]:
    """The township's vehicles, in use first, by plate."""
    stmt = select(Vehicle).where(Vehicle.township_id == township_id)
    if not include_inactive:
        stmt = stmt.where(Vehicle.active.is_(True))
    return list(db.session.scalars(stmt.order_by(Vehicle.active.desc(), Vehicle.plate)))


def get_vehicle(township_id: int, public_id: str) -> Vehicle:
    vehicle = db.session.scalar(select(Vehicle).where(Vehicle.township_id == township_id,
                                                      Vehicle.public_id == public_id))
    if vehicle is None:
        raise NotFoundError(public_id)
    return vehicle


def get_trip(township_id: int, public_id: str) -> CarTrip:
    trip = db.session.scalar(select(CarTrip).where(CarTrip.township_id == township_id,
                                                   CarTrip.public_id == public_id))
    if trip is None:
        raise NotFoundError(public_id)
    return trip


def _plate(text: str) -> str:
    plate = clean_text(text, 16, multiline=False).replace(" ", "").upper()
    if len(plate) < 5:
        raise ValidationError(_l("请填写完整的车牌号，例如 冀A·12345。"))
    return plate


@use_case
def add_vehicle(*, user: User, township: Township, plate: str, model: str = "") -> Vehicle:
    """Register an official vehicle of the township."""
    plate = _plate(plate)
    clash = db.session.scalar(select(Vehicle.id).where(Vehicle.township_id == township.id,
                                                       Vehicle.plate == plate))
    if clash is not None:
        raise ValidationError(_l("车牌号 %(plate)s 已登记。", plate=plate))
    vehicle = Vehicle(township_id=township.id, plate=plate,
                      model=clean_text(model, 64, multiline=False))
    db.session.add(vehicle)
    db.session.flush()
    audit.record("car.vehicle_add", actor=user, object_type="vehicle", object_id=vehicle.public_id,
                 detail={"township": township.code, "plate": plate})
    townships.touch(township.id)
    db.session.commit()
    return vehicle


@use_case
def set_vehicle_active(*, user: User, vehicle: Vehicle, active: bool) -> Vehicle:
    """Take a vehicle out of use (sold, scrapped, handed back) or back into use; trips stay."""
    vehicle.active = active
    audit.record("car.vehicle_active" if active else "car.vehicle_retire", actor=user,
                 object_type="vehicle", object_id=vehicle.public_id, detail={"plate": vehicle.plate})
    townships.touch(vehicle.township_id)
    db.session.commit()
    return vehicle


def _check_times(vehicle: Vehicle, out_at: datetime, back_at: datetime | None,
                 trip_id: int | None = None) -> None:
    now = utcnow()
    if out_at > now + LEEWAY:
        raise ValidationError(_l("出车时间不能晚于现在：出车后再登记。"))
    if back_at is not None:
        if back_at <= out_at:
            raise ValidationError(_l("返回时间必须晚于出车时间。"))
        if back_at > now + LEEWAY:
            raise ValidationError(_l("返回时间不能晚于现在：车辆返回后再登记返回时间。"))
        if back_at - out_at > MAX_TRIP:
            raise ValidationError(_l("一次出车最长 %(days)s 天，请检查日期。", days=MAX_TRIP.days))
    end = back_at or now + MAX_TRIP
    overlap = db.session.scalar(
        select(CarTrip).where(CarTrip.vehicle_id == vehicle.id, CarTrip.id != (trip_id or 0),
                              CarTrip.out_at < end,
                              or_(CarTrip.back_at.is_(None), CarTrip.back_at > out_at))
        .limit(1)
    )
    if overlap is not None:
        raise ValidationError(_l("%(plate)s 在这段时间已有出车登记（%(out)s 出车）。", plate=vehicle.plate,
                                 out=overlap.out_at.astimezone(TZ).strftime("%Y-%m-%d %H:%M")))


def _people(township: Township, driver: Cadre | None, passengers: Iterable[Cadre]) -> list[Cadre]:
    riders = list({c.id: c for c in passengers}.values())
    if len(riders) > MAX_PASSENGERS:
        raise ValidationError(_l("乘车人最多 %(n)s 名。", n=MAX_PASSENGERS))
    for person in [*riders, *([driver] if driver else [])]:
        if person.township_id != township.id:
            raise NotFoundError(person.public_id)
    if driver is not None and driver.id in {c.id for c in riders}:
        raise ValidationError(_l("驾驶员不必再列为乘车人。"))
    return riders


@use_case
def record_trip(*, user: User, township: Township, vehicle: Vehicle, driver: Cadre | None,
                driver_name: str = "", passengers: Iterable[Cadre] = (), destination: str,
                destination_kind: DestinationKind, purpose: str, out_at: datetime,
                back_at: datetime | None = None, note: str = "") -> CarTrip:
    """Record a trip (with its back time, or without it while the car is still out)."""
    if vehicle.township_id != township.id:
        raise NotFoundError(vehicle.public_id)
    if not vehicle.active:
        raise ValidationError(_l("%(plate)s 已停用，不能登记出车。", plate=vehicle.plate))
    driver_name = "" if driver else clean_text(driver_name, 32, multiline=False)
    if driver is None and not driver_name:
        raise ValidationError(_l("请选择驾驶员，或填写不在干部名册上的驾驶员姓名。"))
    riders = _people(township, driver, passengers)
    destination = clean_text(destination, 64, multiline=False)
    purpose = clean_text(purpose, 100, multiline=False)
    if not destination or not purpose:
        raise ValidationError(_l("请填写目的地和事由。"))
    _check_times(vehicle, out_at, back_at)
    trip = CarTrip(township_id=township.id, vehicle=vehicle, driver=driver, driver_name=driver_name,
                   passengers=riders, destination=destination, destination_kind=destination_kind,
                   purpose=purpose, out_at=out_at, back_at=back_at,
                   note=clean_text(note, 200, multiline=False), recorded_by_id=user.id)
    db.session.add(trip)
    db.session.flush()
    audit.record("car.trip", actor=user, object_type="car_trip", object_id=trip.public_id,
                 detail={"vehicle": vehicle.plate, "out": out_at, "back": back_at,
                         "kind": destination_kind.value, "passengers": len(riders)})
    townships.touch(township.id)
    db.session.commit()
    return trip


@use_case
def record_return(*, user: User, trip: CarTrip, back_at: datetime) -> CarTrip:
    """Record when a trip that is still out came back."""
    if trip.back_at is not None:
        raise ValidationError(_l("这次出车已登记返回时间。"))
    _check_times(trip.vehicle, trip.out_at, back_at, trip_id=trip.id)
    trip.back_at = back_at
    audit.record("car.return", actor=user, object_type="car_trip", object_id=trip.public_id,
                 detail={"vehicle": trip.vehicle.plate, "back": back_at})
    townships.touch(trip.township_id)
    db.session.commit()
    return trip
