"""`flask reports escalate`: overdue reports go to the inspectors of the next level up.

A report is escalated when the deadline of its current step has passed since it was
last escalated: the county's report goes to the city (level 1), and if a later
deadline is missed too, to the province (level 2). Running the command again changes
nothing (idempotent, safe from cron); a conditional UPDATE keeps two concurrent runs
from escalating the same report twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select, update

from portal.extensions import db
from portal.models import Region, Report, ReportEvent
from portal.models.base import utcnow
from portal.rules.lifecycle import OPEN_STATUSES
from portal.services.casework import alerts
from portal.services.casework.queue import due_expression
from portal.services.casework.review import PUBLIC_NOTES
from portal.services.shared import audit

MAX_LEVEL = 2  # county → city → province


@dataclass(frozen=True)
class Escalated:
    public_id: str
    level: int
    region_name: str


def _ancestor(county_id: int, levels: int) -> Region | None:
    region = db.session.get(Region, county_id)
    for _ in range(levels):
        if region is None:
            return None
        region = region.parent
    return region


def escalate(now: datetime | None = None, batch: int = 500) -> list[Escalated]:
    """Escalate every open report whose current deadline passed after its last escalation."""
    now = now or utcnow()
    due = due_expression()
    stmt = (
        select(Report.id, Report.county_id, Report.escalation_level, Report.public_id)
        .where(Report.status.in_(OPEN_STATUSES), due < now, Report.escalation_level < MAX_LEVEL,
               or_(Report.escalated_at.is_(None), Report.escalated_at < due))
        .order_by(Report.id)
    )
    done: list[Escalated] = []
    targets: dict[tuple[int, int], Region | None] = {}
    for report_id, county_id, level, public_id in db.session.execute(stmt).all():
        key = (county_id, level + 1)
        if key not in targets:
            targets[key] = _ancestor(*key)
        target = targets[key]
        if target is None:
            continue  # no level above: the report stays overdue in its queue
        result = db.session.execute(
            update(Report)
            .where(Report.id == report_id, Report.escalation_level == level)
            .values(escalation_level=level + 1, escalated_at=now, version=Report.version + 1)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            continue
        db.session.add(ReportEvent(report_id=report_id, actor_id=None, kind="escalated", at=now,
                                   public_note=PUBLIC_NOTES["escalated"],
                                   staff_note=f"{target.name} ({target.code})"))
        audit.record("report.escalated", actor=None, object_type="report", object_id=public_id,
                     detail={"level": level + 1, "region": target.code})
        alerts.queue_escalated(report_id=report_id, region_id=target.id, at=now)
        done.append(Escalated(public_id, level + 1, target.name))
        if len(done) % batch == 0:
            db.session.commit()
    db.session.commit()
    return done
