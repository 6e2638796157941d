"""Finding townships by name, full pinyin or initials; browsing by region and county."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, func, or_, select, update

from portal.extensions import db
from portal.models import Region, RegionLevel, Township
from portal.models.base import utcnow
from portal.rules.names import is_latin, normalize_query

MAX_RESULTS = 50


@dataclass(frozen=True)
class CountyGroup:
    county: Region
    townships: list[Township]


def search(query: str, limit: int = MAX_RESULTS) -> list[Township]:
    """Townships whose name, pinyin or initials match the query (prefix matches first)."""
    q = normalize_query(query)
    if not q:
        return []
    stmt = (
        select(Township)
        .where(Township.active.is_(True), _matching(q))
        .order_by(Township.code)
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


def _matching(key: str):
    """The condition for a normalised query: pinyin, initials or code prefix, or a name part."""
    if is_latin(key):
        return or_(
            Township.initials.startswith(key, autoescape=True),
            Township.pinyin.startswith(key, autoescape=True),
            Township.code.startswith(key, autoescape=True),
        )
    return Township.name.contains(key, autoescape=True)


def listing(*, key: str = "", county_code: str | None = None, after: str = "",
            limit: int = MAX_RESULTS) -> tuple[list[tuple[Township, Region]], bool]:
    """A page of active townships with their counties, by code after `after`.

    `key` is a normalised query ('' matches all), `county_code` a county's 6-digit code.
    Returns the page and whether more follow (one query).
    """
    stmt = select(Township, Region).join(Region, Region.id == Township.county_id).where(
        Township.active.is_(True))
    if key:
        stmt = stmt.where(_matching(key))
    if county_code is not None:
        stmt = stmt.where(Region.code == county_code)
    if after:
        stmt = stmt.where(Township.code > after)
    rows = [tuple(r) for r in db.session.execute(stmt.order_by(Township.code).limit(limit + 1))]
    return rows[:limit], len(rows) > limit


# Up to this many active townships, the home page lists them all by county; beyond it
# (a province, the whole country) it lists regions to step down through.
LIST_ALL_UP_TO = 80


@dataclass(frozen=True)
class Browse:
    """What the finder shows without a search: a region's path, its sub-regions, townships."""

    region: Region | None
    path: list[Region]
    regions: list[Region]
    groups: list[CountyGroup]


class UnknownRegion(LookupError):
    """No region has this code."""


def by_county(county_ids: list[int] | None = None) -> list[CountyGroup]:
    """Counties with their active townships (all, or those of `county_ids`), for browsing."""
    stmt = select(Region).where(Region.level == RegionLevel.COUNTY).order_by(Region.code)
    towns = select(Township).where(Township.active.is_(True)).order_by(Township.code)
    if county_ids is not None:
        stmt = stmt.where(Region.id.in_(county_ids))
        towns = towns.where(Township.county_id.in_(county_ids))
    counties = db.session.scalars(stmt).all()
    groups: dict[int, list[Township]] = {c.id: [] for c in counties}
    for township in db.session.scalars(towns):
        groups.setdefault(township.county_id, []).append(township)
    return [CountyGroup(c, groups[c.id]) for c in counties if groups[c.id]]


def browse(code: str = "") -> Browse:
    """The finder's browsing for a region code ('' for the top): a county lists its
    townships; a province or city, its sub-regions; the top, every township when there are
    few, else the top-level regions. Raises UnknownRegion for a code that names none."""
    if not code:
        total = db.session.scalar(
            select(func.count()).select_from(Township).where(Township.active.is_(True)))
        if total <= LIST_ALL_UP_TO:
            return Browse(None, [], [], by_county())
        return Browse(None, [], _children(None), [])
    region = db.session.scalar(select(Region).where(Region.code == code)) if code.isdigit() else None
    if region is None:
        raise UnknownRegion(code)
    path = [region]
    while path[0].parent_id is not None and len(path) < 4:
        path.insert(0, db.session.get(Region, path[0].parent_id))
    if region.level == RegionLevel.COUNTY:
        return Browse(region, path, [], by_county([region.id]))
    return Browse(region, path, _children(region.id), [])


def _children(parent_id: int | None) -> list[Region]:
    parent = Region.parent_id.is_(None) if parent_id is None else Region.parent_id == parent_id
    return list(db.session.scalars(select(Region).where(parent).order_by(Region.code)))


def get_by_code(code: str) -> Township | None:
    """An active township by its 9-digit code."""
    if not (len(code) == 9 and code.isdigit()):
        return None
    return db.session.scalar(
        select(Township).where(Township.code == code, Township.active.is_(True))
    )


@dataclass(frozen=True)
class Route:
    """Where a township's reports go: the township and its county, city and province.

    What a report needs of its township, read in one query without loading the whole row;
    `data_version` and `updated_at` say which state of the township (and calendar) it saw.
    """

    id: int
    code: str
    county_id: int
    city_id: int | None
    province_id: int | None
    active: bool
    data_version: int
    updated_at: datetime


_COUNTY, _CITY = Region.__table__.alias("county"), Region.__table__.alias("city")
_TOWNSHIP = Township.__table__
_ROUTE = (
    select(_TOWNSHIP.c.id, _TOWNSHIP.c.code, _TOWNSHIP.c.county_id, _COUNTY.c.parent_id,
           _CITY.c.parent_id, _TOWNSHIP.c.active, _TOWNSHIP.c.data_version, _TOWNSHIP.c.updated_at)
    .join(_COUNTY, _COUNTY.c.id == _TOWNSHIP.c.county_id)
    .outerjoin(_CITY, _CITY.c.id == _COUNTY.c.parent_id)
)
# Built once (report submission runs the first on every request).
_ROUTE_BY_CODE = _ROUTE.where(_TOWNSHIP.c.code == bindparam("code"), _TOWNSHIP.c.active.is_(True))
_ROUTE_BY_ID = _ROUTE.where(_TOWNSHIP.c.id == bindparam("id"))


def route(code: str) -> Route | None:
    """The route of an active township by its 9-digit code, or None (one query, no ORM)."""
    if not (len(code) == 9 and code.isdigit()):
        return None
    row = db.session.connection().execute(_ROUTE_BY_CODE, {"code": code}).first()
    return Route(*row) if row is not None else None


def route_of(township: Township | Route) -> Route:
    """The route of a township already loaded (any township, active or not)."""
    if isinstance(township, Route):
        return township
    row = db.session.connection().execute(_ROUTE_BY_ID, {"id": township.id}).one()
    return Route(*row)


# Where touch() notes the (code, data_version, updated_at) it set, until the commit.
TOUCHED = "zaigang.touched_townships"


def touch(township_id: int | None) -> None:
    """Mark a township's public data as changed (new ETags, kept pages dropped); caller commits.

    Every service that changes what a township's public pages show calls this in the
    same transaction as the change; `None` marks every township (a calendar change). The
    new versions are noted on the session: once the transaction commits, the page cache
    hands them to every process (portal.pagecache, with CACHE_URL).
    """
    stmt = update(Township).values(data_version=Township.data_version + 1, updated_at=utcnow())
    if township_id is not None:
        stmt = stmt.where(Township.id == township_id)
    stmt = stmt.returning(Township.code, Township.data_version, Township.updated_at)
    changed = db.session.execute(stmt).all()
    db.session.info.setdefault(TOUCHED, []).extend(tuple(row) for row in changed)
