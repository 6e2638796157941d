"""Fixtures of the alert tests: a real SMTP server on loopback, an app that sends to it, and a
county with inspectors who take alerts (and some who must not get them)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from portal.extensions import db
from portal.models import AlertMode, Region, Role
from tests import factories
from tests.alerts.smtp import SmtpSink


@pytest.fixture
def sink():
    with SmtpSink() as server:
        yield server


@pytest.fixture
def mail_app(make_app, sink):
    return make_app(MAIL_URL=sink.url, MAIL_FROM="zaigang@example.org",
                    PUBLIC_URL="https://zaigang.example.org")


@dataclass
class County:
    county_id: int
    city_id: int
    township_id: int
    township_code: str
    township_name: str
    other_township_id: int
    inspector_id: int  # the county's, immediate alerts
    digest_id: int  # the county's, a daily digest
    township_inspector_id: int  # given the township by name
    city_inspector_id: int
    no_address_id: int  # the county's, no e-mail address
    off_id: int  # the county's, alerts turned off
    foreign_id: int  # another county's
    clerk_id: int  # a clerk of the township, with an address: never an alert


ADDRESSES = {
    "inspector": "jiang@example.gov.cn", "digest": "hu@example.gov.cn",
    "township": "zhou@example.gov.cn", "city": "city@example.gov.cn", "off": "off@example.gov.cn",
    "foreign": "foreign@example.gov.cn", "clerk": "clerk@example.gov.cn",
}


def _with(user, email: str = "", mode: AlertMode = AlertMode.IMMEDIATE):
    user.email = email
    user.alert_mode = mode.value
    return user


def make_county(app) -> County:
    with app.app_context():
        township = factories.township(name="提醒镇")
        other = factories.township(township.county, name="别处乡")
        county = township.county
        city = db.session.get(Region, county.parent_id)
        foreign = factories.township(name="外县镇")
        people = {
            "inspector": _with(factories.user(Role.INSPECTOR, county), ADDRESSES["inspector"]),
            "digest": _with(factories.user(Role.INSPECTOR, county), ADDRESSES["digest"], AlertMode.DIGEST),
            "township": _with(factories.user(Role.INSPECTOR, townships=[township]), ADDRESSES["township"]),
            "city": _with(factories.user(Role.INSPECTOR, city), ADDRESSES["city"]),
            "no_address": _with(factories.user(Role.INSPECTOR, county)),
            "off": _with(factories.user(Role.INSPECTOR, county), ADDRESSES["off"], AlertMode.OFF),
            "foreign": _with(factories.user(Role.INSPECTOR, foreign.county), ADDRESSES["foreign"]),
            "clerk": _with(factories.user(Role.CLERK, townships=[township]), ADDRESSES["clerk"]),
        }
        db.session.commit()
        return County(county.id, city.id, township.id, township.code, township.name, other.id,
                      people["inspector"].id, people["digest"].id, people["township"].id,
                      people["city"].id, people["no_address"].id, people["off"].id,
                      people["foreign"].id, people["clerk"].id)


@pytest.fixture
def county(mail_app) -> County:
    return make_county(mail_app)
