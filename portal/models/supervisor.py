"""作风建设监督员: the county's register of appointed public supervisors.

A county appoints NPC deputies, CPPCC members, retired cadres and villagers' representatives
for a term, for some of its townships. The register is public (name, kind, term, townships,
and a contact only when the supervisor agreed to publish it); the staff account linked to an
appointment opens only during the term.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Boolean, Column, Date, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.base import UTCDateTime, new_public_id, str_enum, utcnow
from portal.models.region import Region
from portal.models.township import Township
from portal.models.user import User


class SupervisorKind(enum.StrEnum):
    NPC_DEPUTY = "npc_deputy"  # 人大代表
    CPPCC_MEMBER = "cppcc_member"  # 政协委员
    RETIRED_CADRE = "retired_cadre"  # 老干部
    PUBLIC_REP = "public_rep"  # 群众代表


appointment_township = Table(
    "supervisor_appointment_township",
    db.Model.metadata,
    Column("appointment_id", ForeignKey("supervisor_appointment.id", ondelete="CASCADE"),
           primary_key=True),
    Column("township_id", ForeignKey("township.id", ondelete="CASCADE"), primary_key=True),
)


class SupervisorAppointment(db.Model):
    """One supervisor's appointment by a county, for a term and some townships."""

    __tablename__ = "supervisor_appointment"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(24), unique=True, default=new_public_id)
    county_id: Mapped[int] = mapped_column(ForeignKey("region.id"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    kind: Mapped[SupervisorKind] = mapped_column(str_enum(SupervisorKind))
    term_from: Mapped[date] = mapped_column(Date)
    term_until: Mapped[date] = mapped_column(Date)
    # Published only with the supervisor's consent (contact_public).
    contact: Mapped[str] = mapped_column(String(128), default="")
    contact_public: Mapped[bool] = mapped_column(Boolean, default=False)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    county: Mapped[Region] = relationship()
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    townships: Mapped[list[Township]] = relationship(secondary=appointment_township,
                                                     order_by=Township.code)

    def in_term(self, day: date) -> bool:
        return self.term_from <= day <= self.term_until
