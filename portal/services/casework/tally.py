"""report_tally: the number of reports of each region per category, status and escalation level.

A report counts in its county, its city and its province. Database triggers (migration
0002) keep the tally in step with every insert, update and delete of a report, in the
writer's transaction, so it is exact: a province's counts per status read a few dozen of
its rows instead of counting half a million reports.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, delete, func, insert, literal_column, select, union_all

from portal.extensions import db
from portal.models import Category, Report, User
from portal.models.report import ReportTally

REGION_COLUMNS = (Report.county_id, Report.city_id, Report.province_id)


def covers(user: User) -> bool:
    """Whether the user's scope is one region, with no townships besides: what the tally counts."""
    return user.scope_region_id is not None and not user.scope_townships


def status_counts(user: User, *, category: str = "", escalated: bool = False) -> list[tuple[str, int]]:
    """(status, number) of the reports of the user's region, from the tally (see `covers`).

    The reports counted for a region are those whose county, city or province it is: those
    whose county is the region or below it, as scope.region_ids_under has it.
    """
    conditions: list[ColumnElement[bool]] = [ReportTally.region_id == user.scope_region_id]
    if category:
        conditions.append(ReportTally.category == Category(category))
    if escalated:
        conditions.append(ReportTally.escalation_level > 0)
    stmt = (select(ReportTally.status, func.sum(ReportTally.n)).where(*conditions)
            .group_by(ReportTally.status))
    return [(status, int(n)) for status, n in db.session.execute(stmt).all()]


def recount(region_ids: list[int]) -> None:
    """Count these regions' reports again (after a bulk load that bypassed the triggers)."""
    key = (Report.category, Report.status, Report.escalation_level)
    by_region = union_all(*[
        select(column.label("region_id"), *key).where(column.in_(region_ids))
        for column in REGION_COLUMNS
    ]).subquery()
    columns = (by_region.c.region_id, by_region.c.category, by_region.c.status,
               by_region.c.escalation_level)
    db.session.execute(delete(ReportTally).where(ReportTally.region_id.in_(region_ids)))
    # In key order: a region's rows then sit together on disk.
    db.session.execute(insert(ReportTally).from_select(
        ["region_id", "category", "status", "escalation_level", "n"],
        select(*columns, func.count(literal_column("*"))).group_by(*columns).order_by(*columns),
    ))
