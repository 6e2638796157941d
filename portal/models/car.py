"""公车使用登记: a township's official vehicles and each trip made with one."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, Column, ForeignKey, Index, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.base import UTCDateTime, new_public_id, str_enum, utcnow
from portal.models.cadre import Cadre


class DestinationKind(enum.StrEnum):
    """Where a trip goes, chosen from a list: the county seat is what the flag looks for."""

    COUNTY_TOWN = "county_town"  # 县城（县政府驻地）
    VILLAGE = "village"  # 本乡镇村组
    OTHER_TOWNSHIP = "other_township"  # 其他乡镇
    CITY = "city"  # 市区及县外


car_trip_passenger = Table(
    "car_trip_passenger",
    db.metadata,
    Column("trip_id", ForeignKey("car_trip.id", ondelete="CASCADE"), primary_key=True),
    Column("cadre_id", ForeignKey("cadre.id"), primary_key=True),
)


class Vehicle(db.Model):
    """An official vehicle of a township (公务用车), known by its plate."""

    __tablename__ = "vehicle"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(24), unique=True, default=new_public_id)
    township_id: Mapped[int] = mapped_column(ForeignKey("township.id"), index=True)
    plate: Mapped[str] = mapped_column(String(16))
    model: Mapped[str] = mapped_column(String(64), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CarTrip(db.Model):
    """One trip: vehicle, driver, passengers, destination, purpose, out and back times.

    The driver is a cadre of the roster or, for a driver who is not on it, a name kept for
    the staff only (`driver_name`). `back_at` is None while the car is out. `note` is staff only.
    """

    __tablename__ = "car_trip"
    __table_args__ = (Index("ix_car_trip_township_out", "township_id", "out_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(24), unique=True, default=new_public_id)
    township_id: Mapped[int] = mapped_column(ForeignKey("township.id"))
    vehicle_id: Mapped[int] = mapped_column(ForeignKey("vehicle.id"), index=True)
    driver_id: Mapped[int | None] = mapped_column(ForeignKey("cadre.id"))
    # Staff only: a driver who is not a cadre on the roster.
    driver_name: Mapped[str] = mapped_column(String(32), default="")
    destination: Mapped[str] = mapped_column(String(64))
    destination_kind: Mapped[DestinationKind] = mapped_column(str_enum(DestinationKind))
    purpose: Mapped[str] = mapped_column(String(100))
    out_at: Mapped[datetime] = mapped_column(UTCDateTime)
    back_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Staff only (e.g. mileage, fuel card): never public.
    note: Mapped[str] = mapped_column(String(200), default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    vehicle: Mapped[Vehicle] = relationship()
    driver: Mapped[Cadre | None] = relationship(foreign_keys=[driver_id])
    passengers: Mapped[list[Cadre]] = relationship(secondary=car_trip_passenger,
                                                   order_by=Cadre.sort_order)
