"""`flask reports purge`: personal data of long-closed reports is deleted.

Photos and a named reporter's name and contact go RETENTION_DAYS (default 365) after
the report was closed; the anonymised record, its history and the audit log stay. A
merged report waits for the report it was merged into. Idempotent: a purged report
is never touched again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import aliased, selectinload

from portal.extensions import db
from portal.models import CLOSED_STATUSES, Report
from portal.models.base import utcnow
from portal.services.casework import evidence as evidence_service
from portal.services.shared import audit


@dataclass(frozen=True)
class PurgeResult:
    reports: int
    photos: int


def purge(now: datetime | None = None, batch: int = 200) -> PurgeResult:
    """Delete photos and reporter contact details of reports closed before the cut-off."""
    now = now or utcnow()
    cutoff = now - timedelta(days=int(current_app.config["RETENTION_DAYS"]))
    target = aliased(Report)
    stmt = (
        select(Report)
        .outerjoin(target, Report.merged_into_id == target.id)
        .where(Report.purged_at.is_(None), Report.status.in_(list(CLOSED_STATUSES)),
               Report.closed_at < cutoff,
               or_(Report.merged_into_id.is_(None),
                   and_(target.status.in_(list(CLOSED_STATUSES)), target.closed_at < cutoff)))
        .options(selectinload(Report.evidence))
        .order_by(Report.id)
        .limit(batch)
    )
    reports = photos = 0
    while True:
        chunk = list(db.session.scalars(stmt))
        if not chunk:
            break
        for report in chunk:
            kept = [e for e in report.evidence if e.purged_at is None]
            for item in kept:
                evidence_service.discard(item)
            report.reporter_name = None
            report.reporter_contact = None
            report.purged_at = now
            audit.record("report.purged", actor=None, object_type="report",
                         object_id=report.public_id, detail={"photos": len(kept)})
            photos += len(kept)
        reports += len(chunk)
        db.session.commit()
    return PurgeResult(reports, photos)
