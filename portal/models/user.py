"""Staff accounts: a role and a scope (a set of townships, a county or a city)."""

from __future__ import annotations

import enum
from datetime import date, datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, Column, Date, ForeignKey, Integer, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.base import UTCDateTime, new_public_id, str_enum, utcnow
from portal.models.region import Region
from portal.models.township import Township


class Role(enum.StrEnum):
    CLERK = "clerk"  # 乡镇办公室专人
    SUPERVISOR = "supervisor"  # 作风建设监督员
    INSPECTOR = "inspector"  # 纪检监察干部
    COUNTY_ADMIN = "county_admin"  # 县委组织部 / 县纪委
    SYSADMIN = "sysadmin"


# Roles that must log in with a TOTP code as well as a password.
TOTP_REQUIRED_ROLES = frozenset({Role.INSPECTOR, Role.COUNTY_ADMIN, Role.SYSADMIN})


user_township = Table(
    "user_township",
    db.Model.metadata,
    Column("user_id", ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True),
    Column("township_id", ForeignKey("township.id", ondelete="CASCADE"), primary_key=True),
)


class User(UserMixin, db.Model):
    """A staff member. The scope is a region (county or city) or a list of townships."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(24), unique=True, default=new_public_id)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(64), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(str_enum(Role))
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    # The last TOTP time step accepted: a code cannot be used twice.
    totp_last_step: Mapped[int] = mapped_column(Integer, default=0)
    scope_region_id: Mapped[int | None] = mapped_column(ForeignKey("region.id"), index=True)
    # A supervisor is not given cases about the township they live in.
    home_township_id: Mapped[int | None] = mapped_column(ForeignKey("township.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Changes on password change or forced logout: invalidates every session.
    session_epoch: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # E-mail alerts (portal/services/casework/alerts.py): the address an administrator set,
    # and how the user chose to get them (an AlertMode value); the day of the last digest.
    email: Mapped[str] = mapped_column(String(254), default="", server_default="")
    alert_mode: Mapped[str] = mapped_column(String(16), default="immediate", server_default="immediate")
    alert_digest_on: Mapped[date | None] = mapped_column(Date)

    scope_region: Mapped[Region | None] = relationship(foreign_keys=[scope_region_id])
    scope_townships: Mapped[list[Township]] = relationship(secondary=user_township)

    @property
    def needs_totp(self) -> bool:
        return self.role in TOTP_REQUIRED_ROLES or self.totp_enabled

    def get_id(self) -> str:
        return f"{self.public_id}:{self.session_epoch}"

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role}>"


class StaffSession(db.Model):
    """One login of a staff account, as the server knows it: the idle timeout and the
    absolute lifetime are measured here, per session, by the server's clock.

    The cookie holds a random token; the row holds only its SHA-256, so a copy of the database
    names no live session. Logging out deletes the row; a session idle too long or past its
    lifetime is deleted when it is next presented.
    """

    __tablename__ = "staff_session"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
