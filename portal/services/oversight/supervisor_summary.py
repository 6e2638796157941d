"""What each appointed supervisor of a county filed and found (作风建设监督员), for the county.

Per appointment: the named reports the supervisor filed (and how many were accepted and found
substantiated), and the spot checks they recorded with the cadres they found absent.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import (
    CLOSED_STATUSES,
    Finding,
    Presence,
    Region,
    ReportStatus,
    SpotCheck,
    SpotCheckFinding,
    SupervisorAppointment,
)
from portal.models import Report as ReportModel

SUBSTANTIATED = (Finding.SUBSTANTIATED, Finding.PARTLY_SUBSTANTIATED)
NOT_ACCEPTED = (ReportStatus.SUBMITTED, ReportStatus.NOT_ACCEPTED, ReportStatus.MERGED)


@dataclass(frozen=True)
class SupervisorFigures:
    appointment: SupervisorAppointment
    reports_filed: int
    reports_accepted: int
    reports_closed: int
    reports_substantiated: int
    spot_checks: int
    absences_found: int


def county_summary(county: Region) -> list[SupervisorFigures]:
    """Every appointment of the county with its figures (a fixed number of queries)."""
    found = list(db.session.scalars(
        select(SupervisorAppointment).where(SupervisorAppointment.county_id == county.id)
        .order_by(SupervisorAppointment.term_until.desc(), SupervisorAppointment.name)))
    user_ids = [a.user_id for a in found if a.user_id is not None]
    reports: dict[int, tuple[int, int, int, int]] = {}
    checks: dict[int, tuple[int, int]] = {}
    if user_ids:
        for uid, filed, accepted, closed, substantiated in db.session.execute(
            select(ReportModel.filed_by_id, func.count(ReportModel.id),
                   func.count(ReportModel.id).filter(ReportModel.status.not_in(NOT_ACCEPTED)),
                   func.count(ReportModel.id).filter(ReportModel.status.in_(CLOSED_STATUSES)),
                   func.count(ReportModel.id).filter(ReportModel.finding.in_(SUBSTANTIATED)))
            .where(ReportModel.filed_by_id.in_(user_ids)).group_by(ReportModel.filed_by_id)
        ):
            reports[uid] = (filed, accepted, closed, substantiated)
        absent = (select(SpotCheckFinding.spot_check_id, func.count(SpotCheckFinding.id).label("n"))
                  .where(SpotCheckFinding.presence == Presence.ABSENT)
                  .group_by(SpotCheckFinding.spot_check_id).subquery())
        for uid, count, absences in db.session.execute(
            select(SpotCheck.checker_id, func.count(SpotCheck.id),
                   func.coalesce(func.sum(absent.c.n), 0))
            .outerjoin(absent, absent.c.spot_check_id == SpotCheck.id)
            .where(SpotCheck.checker_id.in_(user_ids)).group_by(SpotCheck.checker_id)
        ):
            checks[uid] = (count, int(absences))
    return [SupervisorFigures(a, *reports.get(a.user_id, (0, 0, 0, 0)),
                              *checks.get(a.user_id, (0, 0))) for a in found]
