"""The published monthly notices of a township as an index: each month's latest version.

Read side only (publishing is `notices`): one SQL statement for the whole index.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, select

from portal.extensions import db
from portal.models import MonthlyNotice


@dataclass(frozen=True)
class MonthVersion:
    """A published month: its latest version and hash, and when it was first published."""

    month: str
    version: int
    sha256: str
    published_at: datetime
    first_published_at: datetime


def latest_versions(township_id: int) -> list[MonthVersion]:
    """Every published month of the township, newest first, with its latest version."""
    latest = (
        select(MonthlyNotice.month, func.max(MonthlyNotice.version).label("version"),
               func.min(MonthlyNotice.published_at).label("first"))
        .where(MonthlyNotice.township_id == township_id)
        .group_by(MonthlyNotice.month).subquery()
    )
    rows = db.session.execute(
        select(MonthlyNotice.month, MonthlyNotice.version, MonthlyNotice.sha256,
               MonthlyNotice.published_at, latest.c.first)
        .join(latest, and_(MonthlyNotice.month == latest.c.month,
                           MonthlyNotice.version == latest.c.version))
        .where(MonthlyNotice.township_id == township_id)
        .order_by(MonthlyNotice.month.desc())
    ).all()
    return [MonthVersion(m, v, h, at, first) for m, v, h, at, first in rows]
