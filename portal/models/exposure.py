"""通报曝光: substantiated cases an inspector published on the county's public page.

One row per report, written by portal/services/casework/exposure.py. It holds only the
public wording the inspector entered (what was found, what was done) and the cadre's name
and post as published: never the report's description, and nothing about the reporter.
A withdrawn case keeps its row (withdrawn_at, the reason) and leaves the public page.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.base import UTCDateTime, new_public_id, str_enum, utcnow
from portal.models.report import Action, Category, Report
from portal.models.township import Township
from portal.rules.lifecycle import Finding


class PublishedCase(db.Model):
    """A case as the county's public page and its Atom feed show it (while not withdrawn)."""

    __tablename__ = "published_case"
    __table_args__ = (
        # The county's page, newest first, withdrawn cases left out.
        Index("ix_published_case_county", "county_id", "withdrawn_at", "published_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(24), unique=True, default=new_public_id)
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id", ondelete="CASCADE"), unique=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("region.id"))
    township_id: Mapped[int] = mapped_column(ForeignKey("township.id"))
    cadre_name: Mapped[str] = mapped_column(String(64))
    cadre_post: Mapped[str] = mapped_column(String(64))
    category: Mapped[Category] = mapped_column(str_enum(Category))
    finding: Mapped[Finding] = mapped_column(str_enum(Finding))
    action: Mapped[Action] = mapped_column(str_enum(Action))
    found: Mapped[str] = mapped_column(Text)
    done: Mapped[str] = mapped_column(Text)
    # The day the case was concluded (Asia/Shanghai), as the notice dates it.
    concluded_on: Mapped[date] = mapped_column(Date)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    withdraw_reason: Mapped[str] = mapped_column(Text, default="")
    # Moves on every publication and withdrawal: the ETag of the county's page and feed.
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    times_published: Mapped[int] = mapped_column(Integer, default=1)

    report: Mapped[Report] = relationship()
    township: Mapped[Township] = relationship()
