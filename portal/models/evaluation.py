"""民主评议: the township's monthly democratic evaluation of its leadership members.

The all-staff meeting of a month rates each leader's presence and work in the previous month
(`Evaluation.month` is the month rated). Ballots are one-time codes stored only as keyed
hashes; a cast ballot is marked used, and its ratings go into per-leader counts
(`EvaluationTally`), never into a row of their own: no vote can be joined to its ballot, by id,
row order or time. Remarks are kept in a list that is shuffled on every vote.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.base import UTCDateTime, new_public_id, str_enum, utcnow
from portal.models.cadre import Cadre
from portal.models.township import Township


class Rating(enum.StrEnum):
    SATISFIED = "satisfied"  # 满意
    BASIC = "basic"  # 基本满意
    UNSATISFIED = "unsatisfied"  # 不满意


class EvaluationState(enum.StrEnum):
    OPEN = "open"  # 投票中
    CLOSED = "closed"  # 已结束


class Evaluation(db.Model):
    """One month's evaluation at one township."""

    __tablename__ = "evaluation"
    __table_args__ = (UniqueConstraint("township_id", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(24), unique=True, default=new_public_id)
    township_id: Mapped[int] = mapped_column(ForeignKey("township.id"), index=True)
    month: Mapped[str] = mapped_column(String(7))  # the month rated, YYYY-MM
    meeting_on: Mapped[date] = mapped_column(Date)
    state: Mapped[EvaluationState] = mapped_column(str_enum(EvaluationState),
                                                   default=EvaluationState.OPEN)
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    township: Mapped[Township] = relationship()
    subjects: Mapped[list[EvaluationSubject]] = relationship(
        back_populates="evaluation", cascade="all, delete-orphan",
        order_by="EvaluationSubject.sort_order")


class EvaluationSubject(db.Model):
    """A leader rated, with the name and post as they stood when the evaluation opened."""

    __tablename__ = "evaluation_subject"
    __table_args__ = (UniqueConstraint("evaluation_id", "cadre_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluation.id", ondelete="CASCADE"),
                                               index=True)
    cadre_id: Mapped[int] = mapped_column(ForeignKey("cadre.id"))
    name: Mapped[str] = mapped_column(String(64))
    post: Mapped[str] = mapped_column(String(64))
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    satisfied: Mapped[int] = mapped_column(Integer, default=0)
    basic: Mapped[int] = mapped_column(Integer, default=0)
    unsatisfied: Mapped[int] = mapped_column(Integer, default=0)
    # The remarks, as a JSON list reshuffled on every vote (no order to read a voter from).
    remarks: Mapped[str] = mapped_column(Text, default="[]")

    evaluation: Mapped[Evaluation] = relationship(back_populates="subjects")
    cadre: Mapped[Cadre] = relationship()


class EvaluationBallot(db.Model):
    """A ballot slip: the keyed hash of its one-time code, and whether it was cast (no time)."""

    __tablename__ = "evaluation_ballot"

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluation.id", ondelete="CASCADE"),
                                               index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    used: Mapped[bool] = mapped_column(Boolean, default=False)
