"""The keys that seal reports (portal/rules/sealing.py has the cryptography).

Every private key here is stored only wrapped: an office private key sealed to an inspector's
public key or wrapped by the printed recovery key, an inspector's private key wrapped by a key
derived from the password, and an unlocked session's copy wrapped by a key that only the
browser's session cookie holds. The database alone opens nothing.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.models.base import UTCDateTime, utcnow


class UserKey(db.Model):
    """An inspector's own key pair; the private half wrapped by Argon2id(password, salt)."""

    __tablename__ = "user_key"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    salt: Mapped[bytes] = mapped_column(LargeBinary)
    wrapped_private: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OfficeKey(db.Model):
    """A county office's key pair. New reports are sealed to its newest key that is not retired."""

    __tablename__ = "office_key"
    __table_args__ = (Index("ix_office_key_county_created", "county_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("region.id"))
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    recovery_salt: Mapped[bytes] = mapped_column(LargeBinary)
    # The private key under Argon2id(recovery key, recovery_salt): the paper copy opens it.
    recovery_wrapped: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set by a rotation: its reports are re-sealed to the new key, then no grant remains.
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class OfficeKeyGrant(db.Model):
    """The office private key, sealed to one inspector's public key."""

    __tablename__ = "office_key_grant"

    office_key_id: Mapped[int] = mapped_column(
        ForeignKey("office_key.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True, index=True)
    sealed_private: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class KeySession(db.Model):
    """A logged-in inspector's private key, wrapped by a random key held in the session cookie.

    Neither half opens anything alone: the database row without the cookie, or the cookie
    without the row. Deleted at logout; the user's session_epoch ends it too.
    """

    __tablename__ = "key_session"

    id: Mapped[str] = mapped_column(db.String(32), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    wrapped_private: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
