"""report_tally: the number of reports per county, category, status and escalation level.

Database triggers (migration 0002) keep it in step with every insert, update and delete of
a report, in the writer's transaction, so it is exact. A province's counts per status add
up a few thousand rows of it instead of counting half a million reports.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, delete, func, insert, select, true

from portal.extensions import db
from portal.models import Category, Report, Role, User
from portal.models.report import ReportTally
from portal.services.scope import region_ids_under


def covers(user: User) -> bool:
    """Whether the user's scope is whole counties (a region, or everything): what the tally counts."""
    if user.role == Role.SYSADMIN:
        return True
    return user.scope_region_id is not None and not user.scope_townships


def status_counts(user: User, *, category: str = "", escalated: bool = False) -> list[tuple[str, int]]:
    """(status, number) of the user's reports, from the tally; only for a scope it covers."""
    conditions: list[ColumnElement[bool]] = [true()]
    if user.role != Role.SYSADMIN:
        conditions.append(ReportTally.county_id.in_(region_ids_under(user.scope_region_id)))
    if category:
        conditions.append(ReportTally.category == Category(category))
    if escalated:
        conditions.append(ReportTally.escalation_level > 0)
    stmt = (select(ReportTally.status, func.sum(ReportTally.n)).where(*conditions)
            .group_by(ReportTally.status))
    return [(status, int(n)) for status, n in db.session.execute(stmt).all()]


def recount(county_ids: Select | list[int]) -> None:
    """Count these counties' reports again (after a bulk load that bypassed the triggers)."""
    key = (Report.county_id, Report.category, Report.status, Report.escalation_level)
    db.session.execute(delete(ReportTally).where(ReportTally.county_id.in_(county_ids)))
    db.session.execute(insert(ReportTally).from_select(
        ["county_id", "category", "status", "escalation_level", "n"],
        select(*key, func.count()).where(Report.county_id.in_(county_ids)).group_by(*key),
    ))
