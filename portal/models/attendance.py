"""Leave, sign-ins, village visits and field diaries: the records behind 5-4-3."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, String, Text, and_
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.base import UTCDateTime, new_public_id, str_enum, utcnow
from portal.models.cadre import Cadre


class LeaveKind(enum.StrEnum):
    ANNUAL = "annual"  # 年休假
    SICK = "sick"  # 病假
    PERSONAL = "personal"  # 事假
    MARRIAGE = "marriage"  # 婚假
    BEREAVEMENT = "bereavement"  # 丧假
    MATERNITY = "maternity"  # 产假 / 陪产假
    OTHER = "other"


class LeaveState(enum.StrEnum):
    REQUESTED = "requested"  # 待批准
    APPROVED = "approved"  # 已批准
    REJECTED = "rejected"  # 不予批准


class Leave(db.Model):
    """请假: requested, approved under 干部管理权限, closed by 销假; only approved leave counts.

    Approved leave excuses the days it covers, shows on the board and takes the cadre off
    the duty shifts of its days. `returned_on` is the first day back at work (销假): coming
    back early shortens `end_date` (the first planned end stays in `planned_end_date`).
    """

    __tablename__ = "leave"
    __table_args__ = (Index("ix_leave_cadre_dates", "cadre_id", "start_date", "end_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cadre_id: Mapped[int] = mapped_column(ForeignKey("cadre.id"))
    township_id: Mapped[int] = mapped_column(ForeignKey("township.id"), index=True)
    kind: Mapped[LeaveKind] = mapped_column(str_enum(LeaveKind))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    # Staff only: the reason of a leave is never public.
    reason: Mapped[str] = mapped_column(String(200), default="")
    approver: Mapped[str] = mapped_column(String(64), default="")
    substitute_id: Mapped[int | None] = mapped_column(ForeignKey("cadre.id"))
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[LeaveState] = mapped_column(str_enum(LeaveState), default=LeaveState.APPROVED)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Who decided (an account of the township office or of the county) and when.
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_note: Mapped[str] = mapped_column(String(200), default="")
    # 销假: the first day back at work, and the end first approved when it came early.
    returned_on: Mapped[date | None] = mapped_column(Date)
    planned_end_date: Mapped[date | None] = mapped_column(Date)
    returned_recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    cadre: Mapped[Cadre] = relationship(foreign_keys=[cadre_id])
    substitute: Mapped[Cadre | None] = relationship(foreign_keys=[substitute_id])

    @classmethod
    def in_force(cls):
        """The SQL condition of leave that counts: approved and not cancelled."""
        return and_(cls.cancelled.is_(False), cls.state == LeaveState.APPROVED)

    @property
    def counts(self) -> bool:
        return not self.cancelled and self.state == LeaveState.APPROVED


class SignInKind(enum.StrEnum):
    IN = "in"  # 签到
    OUT = "out"  # 签退


class SignIn(db.Model):
    """签到 / 签退 at a fixed time and place; a check-in without its check-out is invalid."""

    __tablename__ = "sign_in"
    __table_args__ = (Index("ix_sign_in_cadre_at", "cadre_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cadre_id: Mapped[int] = mapped_column(ForeignKey("cadre.id"))
    township_id: Mapped[int] = mapped_column(ForeignKey("township.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    kind: Mapped[SignInKind] = mapped_column(str_enum(SignInKind))
    place: Mapped[str] = mapped_column(String(64), default="")
    at_township: Mapped[bool] = mapped_column(Boolean, default=True)
    source: Mapped[str] = mapped_column(String(16), default="manual")  # manual | machine
    # The attendance machine's own record key: an import never adds the same record twice.
    machine_ref: Mapped[str | None] = mapped_column(String(128), unique=True)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    cadre: Mapped[Cadre] = relationship()


class VillageVisit(db.Model):
    """入村 / 下村: counts only once a villager has confirmed it through `/v/<token>`."""

    __tablename__ = "village_visit"
    __table_args__ = (Index("ix_village_visit_cadre_day", "cadre_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(24), unique=True, default=new_public_id)
    cadre_id: Mapped[int] = mapped_column(ForeignKey("cadre.id"))
    township_id: Mapped[int] = mapped_column(ForeignKey("township.id"), index=True)
    village: Mapped[str] = mapped_column(String(64))
    day: Mapped[date] = mapped_column(Date)
    purpose: Mapped[str] = mapped_column(String(200), default="")
    # The confirmation token is kept only as a hash; it works once and expires.
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    token_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmer_name: Mapped[str] = mapped_column(String(32), default="")
    confirmer_comment: Mapped[str] = mapped_column(String(500), default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    cadre: Mapped[Cadre] = relationship()


class DiaryKind(enum.StrEnum):
    VISIT = "visit"  # 民情日记 of a village visit
    NIGHT_STUDY = "night_study"  # 夜学
    NIGHT_MEETING = "night_meeting"  # 夜议
    NIGHT_TALK = "night_talk"  # 夜谈
    NIGHT_VISIT = "night_visit"  # 夜访


class FieldDiary(db.Model):
    """民情日记: what a leader wrote about a visit or an evening's work."""

    __tablename__ = "field_diary"
    __table_args__ = (Index("ix_field_diary_cadre_day", "cadre_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cadre_id: Mapped[int] = mapped_column(ForeignKey("cadre.id"))
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("village_visit.id"), index=True)
    day: Mapped[date] = mapped_column(Date)
    kind: Mapped[DiaryKind] = mapped_column(str_enum(DiaryKind))
    at_township: Mapped[bool] = mapped_column(Boolean, default=True)
    text: Mapped[str] = mapped_column(Text, default="")
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    cadre: Mapped[Cadre] = relationship()
