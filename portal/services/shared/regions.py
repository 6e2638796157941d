"""The region tree (province → city → county): how an operator sets up a real jurisdiction."""

from __future__ import annotations

from sqlalchemy import select

from portal.extensions import db
from portal.models import Region, RegionLevel
from portal.services.shared.errors import ValidationError

PARENT_LEVEL = {RegionLevel.CITY: RegionLevel.PROVINCE, RegionLevel.COUNTY: RegionLevel.CITY}


def add_region(*, code: str, name: str, level: RegionLevel | str,
               parent_code: str | None = None) -> Region:
    """Add a province, city or county with its 6-digit GB/T 2260 code."""
    level = RegionLevel(level)
    name = name.strip()
    if not (len(code) == 6 and code.isdigit()):
        raise ValidationError("the code must be 6 digits (GB/T 2260)")
    if not name or len(name) > 64:
        raise ValidationError("a name of 1 to 64 characters is required")
    if db.session.scalar(select(Region.id).where(Region.code == code)) is not None:
        raise ValidationError(f"region {code} exists already")
    parent = None
    if level == RegionLevel.PROVINCE:
        if parent_code:
            raise ValidationError("a province has no parent")
    else:
        parent = db.session.scalar(select(Region).where(Region.code == (parent_code or "")))
        if parent is None or parent.level != PARENT_LEVEL[level]:
            raise ValidationError(
                f"a {level.value} needs a parent {PARENT_LEVEL[level].value} (--parent CODE)"
            )
    region = Region(code=code, name=name, level=level, parent=parent)
    db.session.add(region)
    db.session.commit()
    return region


def list_regions() -> list[Region]:
    """Every region, by code."""
    return list(db.session.scalars(select(Region).order_by(Region.code)))
