"""转办: a report sent from the office handling it to another office, or out of the system.

Each transfer is one row: from which office (a county's, a city's or a province's, by its
region), to which office or outside authority, why, by whom and when. The report itself then
names its new handling office (Report.county_id and its ancestors, Report.office_level); the
sending office keeps these rows as its read-only trace.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.base import UTCDateTime, str_enum, utcnow
from portal.models.region import Region
from portal.models.report import Report
from portal.rules.lifecycle import ReportStatus


class TransferKind(enum.StrEnum):
    COUNTY = "county"  # to a county's office (another county, or down to a county from above)
    UP = "up"  # to the office of the city or the province above
    OUTSIDE = "outside"  # forwarded to an authority outside the discipline-inspection system


class ReportTransfer(db.Model):
    """One transfer of a report: from office, to office or authority, reason, by, at."""

    __tablename__ = "report_transfer"
    __table_args__ = (
        # The sending office's trace, newest first.
        Index("ix_report_transfer_from_region_at", "from_region_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    kind: Mapped[TransferKind] = mapped_column(str_enum(TransferKind))
    # The office that sent it: the region of the level that handled the report (0 county,
    # 1 city, 2 province).
    from_region_id: Mapped[int] = mapped_column(ForeignKey("region.id"))
    from_level: Mapped[int] = mapped_column(Integer, default=0)
    from_status: Mapped[ReportStatus] = mapped_column(str_enum(ReportStatus))
    # The receiving office (None for an outside authority) and its level.
    to_region_id: Mapped[int | None] = mapped_column(ForeignKey("region.id"))
    to_level: Mapped[int | None] = mapped_column(Integer)
    to_authority: Mapped[str] = mapped_column(String(100), default="")
    reason: Mapped[str] = mapped_column(Text)

    report: Mapped[Report] = relationship()
    from_region: Mapped[Region] = relationship(foreign_keys=[from_region_id])
    to_region: Mapped[Region | None] = relationship(foreign_keys=[to_region_id])
