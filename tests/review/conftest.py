"""Builders for the review tests: a county with townships, inspectors, and reports."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest

from portal.extensions import db
from portal.models import Category, Region, RegionLevel, Report, ReportEvent, ReportStatus, Role
from portal.models.base import utcnow
from portal.rules import deadlines
from portal.services.shared.calendar import official_calendar
from tests import factories


def make_report(township, *, cadre=None, status=ReportStatus.SUBMITTED, submitted_at=None,
                observed_at=None, named=False, category=Category.ABSENT_WORKDAY, **fields) -> Report:
    """A report row as the report engineer's create_report leaves it (flushed, not committed)."""
    at = submitted_at or utcnow()
    report = Report(
        receipt_hash=secrets.token_hex(32), township_id=township.id, county_id=township.county_id,
        cadre_id=cadre.id if cadre else None, category=category,
        observed_at=observed_at or at - timedelta(hours=1), description="乡政府上午十点大门紧锁，无人办公。",
        named=named, reporter_name="举报人甲" if named else None,
        reporter_contact="13800000000" if named else None, status=status, submitted_at=at,
        accept_due=deadlines.accept_deadline(at, official_calendar()), **fields,
    )
    db.session.add(report)
    report.events.append(ReportEvent(at=at, kind="submitted", to_status=ReportStatus.SUBMITTED))
    db.session.flush()
    return report


@dataclass
class World:
    county: Region
    other_county: Region
    city: Region
    township: object
    township2: object
    foreign_township: object
    cadre: object
    inspector: object
    inspector2: object
    city_inspector: object
    foreign_inspector: object
    admin: object
    clerk: object
    supervisor: object
    sysadmin: object


@pytest.fixture
def world(app) -> World:
    """Two counties of one city; inspectors of each, and one of every other role."""
    with app.app_context():
        province = factories.region(RegionLevel.PROVINCE)
        city = factories.region(RegionLevel.CITY, province)
        county = factories.region(RegionLevel.COUNTY, city)
        other = factories.region(RegionLevel.COUNTY, city)
        t1, t2 = factories.township(county), factories.township(county)
        foreign = factories.township(other)
        w = World(
            county=county, other_county=other, city=city, township=t1, township2=t2,
            foreign_township=foreign, cadre=factories.cadre(t1, is_leader=True),
            inspector=factories.user(Role.INSPECTOR, scope_region=county, username="insp1"),
            inspector2=factories.user(Role.INSPECTOR, scope_region=county, username="insp2"),
            city_inspector=factories.user(Role.INSPECTOR, scope_region=city, username="cityinsp"),
            foreign_inspector=factories.user(Role.INSPECTOR, scope_region=other, username="foreign"),
            admin=factories.user(Role.COUNTY_ADMIN, scope_region=county, username="cadmin"),
            clerk=factories.user(Role.CLERK, townships=[t1], username="clerk1"),
            supervisor=factories.user(Role.SUPERVISOR, townships=[t1], username="sup1"),
            sysadmin=factories.user(Role.SYSADMIN, username="sys1"),
        )
        db.session.commit()
        for name, value in vars(w).items():
            db.session.refresh(value)
        db.session.expunge_all()
    return w


def as_staff(app, world, name):
    """A test client logged in as one of the world's staff (world.inspector, world.clerk…)."""
    from portal.models import User
    from tests.conftest import login_as

    client = app.test_client()
    with app.app_context():
        user = db.session.get(User, getattr(world, name).id)
        db.session.expunge(user)
    login_as(client, user)
    return client


def get(model, obj_id):
    return db.session.get(model, obj_id)


def later(at: datetime, **delta) -> datetime:
    return at + timedelta(**delta)
