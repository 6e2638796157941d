"""乡镇 / 街道: the unit whose cadres are supervised."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.base import UTCDateTime, utcnow
from portal.models.region import Region


class Township(db.Model):
    """A township with its 9-digit code (county code + 3 digits)."""

    __tablename__ = "township"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(9), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    # Stored for search: full pinyin without spaces ("dazhuangzhen") and initials ("dzz").
    pinyin: Mapped[str] = mapped_column(String(256), index=True)
    initials: Mapped[str] = mapped_column(String(64), index=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("region.id"), index=True)
    address: Mapped[str] = mapped_column(String(200), default="")
    office_phone: Mapped[str] = mapped_column(String(32), default="")
    hotline: Mapped[str] = mapped_column(String(32), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Bumped on every change to what the public pages show: the key of their ETags and caches.
    data_version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    county: Mapped[Region] = relationship()

    def __repr__(self) -> str:
        return f"<Township {self.code} {self.name}>"
