"""Jurisdiction scopes: which regions, counties and townships a staff user may see.

The one home of scope questions: every service and view asks here, and filters its own
queries with `township_ids_in_scope(user)`.
"""

from __future__ import annotations

from sqlalchemy import Select, func, or_, select, union
from sqlalchemy.engine import Row
from sqlalchemy.orm import aliased

from portal.extensions import db
from portal.models import Region, RegionLevel, Role, Township, User, user_township
from portal.services.shared.errors import NotFoundError

# Up to this many townships a filter is a list to pick from; a city or a province has
# hundreds or thousands, and its inspectors type a township's code instead.
MAX_TOWNSHIP_CHOICES = 200


def region_ids_under(region_id: int) -> Select:
    """The ids of the region and of every region below it (up to three levels)."""
    child = aliased(Region)
    grandchild = aliased(Region)
    return (
        select(Region.id)
        .where(Region.id == region_id)
        .union(
            select(child.id).where(child.parent_id == region_id),
            select(grandchild.id)
            .join(child, grandchild.parent_id == child.id)
            .where(child.parent_id == region_id),
        )
    )


def township_ids_in_scope(user: User) -> Select:
    """A SELECT of the ids of the townships the user may see."""
    if user.role == Role.SYSADMIN:
        return select(Township.id)
    conditions = [
        Township.id.in_(
            select(user_township.c.township_id).where(user_township.c.user_id == user.id)
        )
    ]
    if user.scope_region_id is not None:
        conditions.append(Township.county_id.in_(region_ids_under(user.scope_region_id)))
    return select(Township.id).where(or_(*conditions))


def townships_in_scope(user: User, *, limit: int | None = None) -> list[Township]:
    """The active townships the user may see, by code (the first `limit` of them)."""
    stmt = (
        select(Township).where(Township.active.is_(True), Township.id.in_(township_ids_in_scope(user)))
        .order_by(Township.code)
    )
    if limit is not None:
        stmt = stmt.limit(limit)
    return list(db.session.scalars(stmt))


def scoped_township(user: User, code: str, *, active_only: bool = True) -> Township:
    """A township by code within the user's scope (by default only an active one), or
    NotFoundError (answered as 404, as if it did not exist)."""
    stmt = select(Township).where(Township.code == code, Township.id.in_(township_ids_in_scope(user)))
    if active_only:
        stmt = stmt.where(Township.active.is_(True))
    township = db.session.scalar(stmt)
    if township is None:
        raise NotFoundError(code)
    return township


def township_choices(user: User) -> list[Row] | None:
    """The townships a user may filter by, as (code, name) rows; None when there are more
    than MAX_TOWNSHIP_CHOICES."""
    if user.role == Role.SYSADMIN:
        stmt = select(Township.code, Township.name)
    else:
        # Two index look-ups joined by UNION: one OR across both would scan every township.
        parts = [select(Township.code, Township.name).join(
            user_township, user_township.c.township_id == Township.id).where(
            user_township.c.user_id == user.id)]
        if user.scope_region_id is not None:
            in_region = Township.county_id.in_(region_ids_under(user.scope_region_id))
            # A city or a province has more than the list holds: a count that stops after
            # MAX_TOWNSHIP_CHOICES + 1 of them says so without reading and sorting them all.
            some = select(Township.id).where(in_region).limit(MAX_TOWNSHIP_CHOICES + 1)
            if db.session.scalar(select(func.count()).select_from(some.subquery())) \
                    > MAX_TOWNSHIP_CHOICES:
                return None
            parts.append(select(Township.code, Township.name).where(in_region))
        stmt = union(*parts)
    stmt = stmt.order_by("code").limit(MAX_TOWNSHIP_CHOICES + 1)
    rows = list(db.session.execute(stmt))
    return rows if len(rows) <= MAX_TOWNSHIP_CHOICES else None


def counties_administered(user: User) -> list[Region]:
    """The counties a county administrator (or sysadmin) administers, by code."""
    stmt = select(Region).where(Region.level == RegionLevel.COUNTY).order_by(Region.code)
    if user.scope_region_id is not None:
        stmt = stmt.where(Region.id.in_(region_ids_under(user.scope_region_id)))
    elif user.role != Role.SYSADMIN:
        return []
    return list(db.session.scalars(stmt))


def counties_with_townships_in_scope(user: User) -> list[Region]:
    """The counties with at least one township in the user's scope, by code."""
    return list(db.session.scalars(
        select(Region).where(Region.id.in_(
            select(Township.county_id).where(Township.id.in_(township_ids_in_scope(user)))
        )).order_by(Region.code)
    ))
