"""Jurisdiction scopes: which townships a staff user may see."""

from __future__ import annotations

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import aliased

from portal.models import Region, Role, Township, User, user_township


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
