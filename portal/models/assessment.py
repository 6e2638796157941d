"""年度考核: a cadre's annual assessment result, one per year, as the county records it."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.models.base import UTCDateTime, str_enum, utcnow


class AssessmentGrade(enum.StrEnum):
    EXCELLENT = "excellent"  # 优秀
    COMPETENT = "competent"  # 称职
    BASIC = "basic"  # 基本称职
    INCOMPETENT = "incompetent"  # 不称职


# The article's condition for the service incentives: every year at least 称职.
PASSING_GRADES = frozenset({AssessmentGrade.EXCELLENT, AssessmentGrade.COMPETENT})


class AnnualAssessment(db.Model):
    __tablename__ = "annual_assessment"
    __table_args__ = (UniqueConstraint("cadre_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cadre_id: Mapped[int] = mapped_column(ForeignKey("cadre.id"))
    year: Mapped[int] = mapped_column(Integer)
    grade: Mapped[AssessmentGrade] = mapped_column(str_enum(AssessmentGrade))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
