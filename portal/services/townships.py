"""Finding townships by name, full pinyin or initials; browsing by county."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select

from portal.extensions import db
from portal.models import Region, RegionLevel, Township
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
    if is_latin(q):
        condition = or_(
            Township.initials.startswith(q, autoescape=True),
            Township.pinyin.startswith(q, autoescape=True),
            Township.code.startswith(q, autoescape=True),
        )
    else:
        condition = Township.name.contains(q, autoescape=True)
    stmt = (
        select(Township)
        .where(Township.active.is_(True), condition)
        .order_by(Township.code)
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


def by_county() -> list[CountyGroup]:
    """Every county with its active townships, for browsing."""
    counties = db.session.scalars(
        select(Region).where(Region.level == RegionLevel.COUNTY).order_by(Region.code)
    ).all()
    townships = db.session.scalars(
        select(Township).where(Township.active.is_(True)).order_by(Township.code)
    ).all()
    groups: dict[int, list[Township]] = {c.id: [] for c in counties}
    for township in townships:
        groups.setdefault(township.county_id, []).append(township)
    return [CountyGroup(c, groups[c.id]) for c in counties if groups[c.id]]


def get_by_code(code: str) -> Township | None:
    """An active township by its 9-digit code."""
    if not (len(code) == 9 and code.isdigit()):
        return None
    return db.session.scalar(
        select(Township).where(Township.code == code, Township.active.is_(True))
    )


def touch(township_id: int | None) -> None:
    """Mark a township's public data as changed (new ETags, kept pages dropped); caller commits.

    Every service that changes what a township's public pages show calls this in the
    same transaction as the change; `None` marks every township (a calendar change).
    """
    from sqlalchemy import update

    from portal.models.base import utcnow

    stmt = update(Township).values(data_version=Township.data_version + 1, updated_at=utcnow())
    if township_id is not None:
        stmt = stmt.where(Township.id == township_id)
    db.session.execute(stmt)
