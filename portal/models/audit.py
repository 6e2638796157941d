"""The append-only audit log; entries chain by a keyed hash so an edit or deletion is detectable."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.models.base import UTCDateTime, utcnow


class AuditEntry(db.Model):
    """One audited action. Nothing in the application updates or deletes these rows."""

    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    actor_name: Mapped[str] = mapped_column(String(64), default="")
    action: Mapped[str] = mapped_column(String(48))
    object_type: Mapped[str] = mapped_column(String(32), default="")
    object_id: Mapped[str] = mapped_column(String(48), default="", index=True)
    detail: Mapped[str] = mapped_column(Text, default="")
    # Unique: two entries can never claim the same predecessor, so the chain cannot fork.
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The fingerprint of the key the hash is made with ("" for entries from before keying).
    key_id: Mapped[str] = mapped_column(String(16), default="", server_default="")
    hash: Mapped[str] = mapped_column(String(64), unique=True)
