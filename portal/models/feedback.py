"""After the conclusion: the reporter's satisfaction and their request for a review (复查).

Both come from /track, opened with the receipt; neither holds anything about the reporter
(the satisfaction keeps only the day it was given). A review request goes to the office one
level above the one that concluded the case, with its own deadline, and its outcome is shown
to the reporter.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.base import UTCDateTime, str_enum, utcnow
from portal.models.region import Region
from portal.models.report import Report


class Satisfaction(enum.StrEnum):
    SATISFIED = "satisfied"  # 满意
    MOSTLY_SATISFIED = "mostly_satisfied"  # 基本满意
    DISSATISFIED = "dissatisfied"  # 不满意


class ReviewOutcome(enum.StrEnum):
    UPHELD = "upheld"  # 维持原处理意见
    CHANGED = "changed"  # 变更原处理意见 (the reviewing office says how)


class ReportFeedback(db.Model):
    """The reporter's one answer to "are you satisfied with how it was handled?"."""

    __tablename__ = "report_feedback"

    report_id: Mapped[int] = mapped_column(ForeignKey("report.id", ondelete="CASCADE"),
                                           primary_key=True)
    satisfaction: Mapped[Satisfaction] = mapped_column(str_enum(Satisfaction))
    # The local day only: no moment that could be matched with anything else.
    given_on: Mapped[date] = mapped_column(Date)

    report: Mapped[Report] = relationship()


class ReviewRequest(db.Model):
    """复查: the reporter asks the office one level up to review the conclusion."""

    __tablename__ = "review_request"
    __table_args__ = (
        # The reviewing office's open requests by deadline.
        Index("ix_review_request_region_due", "region_id", "due"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id", ondelete="CASCADE"), unique=True)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reason: Mapped[str] = mapped_column(Text)  # the reporter's words
    # The reviewing office: the region above the one that concluded the case, and its level.
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"))
    level: Mapped[int] = mapped_column(Integer)
    due: Mapped[datetime] = mapped_column(UTCDateTime)
    outcome: Mapped[ReviewOutcome | None] = mapped_column(str_enum(ReviewOutcome))
    outcome_public: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    report: Mapped[Report] = relationship()
    region: Mapped[Region] = relationship()
