"""Small builders for test data; each adds to the session and flushes, the test commits."""

from __future__ import annotations

import itertools
from datetime import date

import pyotp

from portal.extensions import db
from portal.models import Cadre, ChiefRole, Region, RegionLevel, Role, Township, User
from portal.rules.names import pinyin_keys
from portal.services.accounts.passwords import hash_password

_seq = itertools.count(1)
PASSWORD = "correct horse battery"


def region(level: RegionLevel = RegionLevel.COUNTY, parent: Region | None = None,
           code: str | None = None, name: str | None = None) -> Region:
    n = next(_seq)
    obj = Region(code=code or f"{800000 + n:06d}", name=name or f"测试县{n}", level=level,
                 parent=parent)
    db.session.add(obj)
    db.session.flush()
    return obj


def county(code: str | None = None, name: str | None = None) -> Region:
    province = region(RegionLevel.PROVINCE)
    city = region(RegionLevel.CITY, province)
    return region(RegionLevel.COUNTY, city, code=code, name=name)


def township(county_region: Region | None = None, name: str | None = None,
             code: str | None = None, **fields) -> Township:
    county_region = county_region or county()
    n = next(_seq)
    name = name or f"测试{n}镇"
    full, initials = pinyin_keys(name)
    obj = Township(
        code=code or f"{county_region.code}{n % 1000:03d}", name=name, pinyin=full,
        initials=initials, county=county_region, office_phone="0999-1234567",
        hotline="0999-12388", **fields,
    )
    db.session.add(obj)
    db.session.flush()
    return obj


def cadre(township_obj: Township, name: str | None = None, post: str = "干事",
          is_leader: bool = False, chief_role: ChiefRole | None = None, **fields) -> Cadre:
    n = next(_seq)
    obj = Cadre(
        township=township_obj, name=name or f"干部{n}", post=post, is_leader=is_leader,
        chief_role=chief_role, office_phone=f"0999-77{n:05d}", personal_phone=f"13900{n:06d}",
        township_service_since=date(2015, 1, 1), **fields,
    )
    db.session.add(obj)
    db.session.flush()
    return obj


def user(role: Role = Role.INSPECTOR, scope_region: Region | None = None,
         townships: list[Township] | None = None, username: str | None = None,
         password: str = PASSWORD, totp: bool | None = None) -> User:
    n = next(_seq)
    needs_totp = role in (Role.INSPECTOR, Role.COUNTY_ADMIN, Role.SYSADMIN) if totp is None else totp
    obj = User(
        username=username or f"{role.value}{n}", display_name=f"{role.value} {n}",
        password_hash=hash_password(password), role=role,
        totp_secret=pyotp.random_base32() if needs_totp else None, totp_enabled=needs_totp,
        scope_region=scope_region, scope_townships=townships or [],
    )
    db.session.add(obj)
    db.session.flush()
    return obj
