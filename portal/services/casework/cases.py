"""Who may see a case and who works on it: the report by its public id within the user's
scope, the inspector in charge, the inspectors who may take it, the reports merged into it
and its age in working days. Reads only; the steps that change a case are in `review`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select

from portal.extensions import db
from portal.models import Region, RegionLevel, Report, ReportStatus, Role, User, user_township
from portal.models.base import utcnow
from portal.rules import deadlines
from portal.services.casework.queue import visible_condition
from portal.services.shared.calendar import official_calendar
from portal.services.shared.errors import NotFoundError


def get_report(*, user: User, public_id: str, for_update: bool = False) -> Report:
    """A report the user may see, by its public id; anything else is NotFoundError (404)."""
    stmt = select(Report).where(Report.public_id == public_id, visible_condition(user))
    if for_update and db.engine.dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    report = db.session.scalar(stmt)
    if report is None:
        raise NotFoundError("no such report")
    return report


# The level of an office by its region (Report.office_level): a county's 0, a city's 1, a
# province's 2.
OFFICE_LEVELS = {RegionLevel.COUNTY: 0, RegionLevel.CITY: 1, RegionLevel.PROVINCE: 2}


def office_level_of(user: User) -> int:
    """The level of the user's office: a township-scoped user counts as the county's."""
    region = user.scope_region
    return OFFICE_LEVELS[region.level] if region is not None else 0


def may_change(user: User, report: Report) -> bool:
    """Whether the user's office handles the report (after a transfer up, an office below it
    keeps a read-only view)."""
    return user.role == Role.INSPECTOR and office_level_of(user) >= (report.office_level or 0)


def case_assignee_id(report: Report) -> int | None:
    """The inspector in charge: of the report, or of the report it was merged into."""
    if report.status == ReportStatus.MERGED and report.merged_into_id:
        return db.session.scalar(select(Report.assignee_id).where(Report.id == report.merged_into_id))
    return report.assignee_id


def inspectors_for(report: Report) -> list[User]:
    """Active inspectors whose scope covers the report's township (for assignment), in one query."""
    county = db.session.get(Region, report.county_id)
    ancestors = []
    while county is not None and len(ancestors) < 4:
        ancestors.append(county.id)
        county = county.parent
    covers = or_(
        User.scope_region_id.in_(ancestors),
        User.id.in_(select(user_township.c.user_id).where(
            user_township.c.township_id == report.township_id)),
    )
    return list(db.session.scalars(
        select(User).where(User.role == Role.INSPECTOR, User.active.is_(True), covers)
        .order_by(User.username)
    ))


def merged_children(report: Report) -> list[Report]:
    """Reports merged into this one, with their own threads."""
    return list(db.session.scalars(
        select(Report).where(Report.merged_into_id == report.id).order_by(Report.submitted_at)
    ))


def age_in_working_days(report: Report, now: datetime | None = None) -> int:
    return deadlines.age_in_working_days(report.submitted_at, now or utcnow(), official_calendar())
