"""Staff sessions on the server: each login is a row, and the idle timeout and the absolute
lifetime are measured on that row by the server's clock.

A cookie replayed from another browser is the same session as the one it was copied from: it
lives while that session is used and ends with it. A session left open somewhere ends after
its idle time however busy the account's other sessions are, and every session ends at its
lifetime.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import delete, update

from portal import clock
from portal.extensions import db
from portal.models import StaffSession, User

# The last-seen time of a session is written at most this often (seconds): a page load does
# not write a row each time, and the idle timeout is this much coarser at most.
SEEN_EVERY = 60


def _key(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(user: User, *, lifetime_seconds: int) -> str:
    """Start a server-side session for the account and return its token (commits).

    The account's sessions that ended by themselves (past their lifetime) are cleared on the way.
    """
    now = clock.now()
    db.session.execute(delete(StaffSession).where(
        StaffSession.user_id == user.id,
        StaffSession.created_at < now - timedelta(seconds=lifetime_seconds)))
    token = secrets.token_urlsafe(32)
    db.session.add(StaffSession(id=_key(token), user_id=user.id, created_at=now, seen_at=now))
    db.session.commit()
    return token


def still_live(user: User, token: str | None, *, idle_seconds: int, lifetime_seconds: int) -> bool:
    """True when the token names a session of this account that is neither idle too long nor
    past its lifetime; such a session is marked seen. An ended one is deleted (commits)."""
    if not token:
        return False
    row = db.session.get(StaffSession, _key(token))
    if row is None or row.user_id != user.id:
        return False
    now = clock.now()
    if (now - row.seen_at).total_seconds() > idle_seconds or \
            (now - row.created_at).total_seconds() > lifetime_seconds:
        db.session.delete(row)
        db.session.commit()
        return False
    if (now - row.seen_at).total_seconds() >= SEEN_EVERY:
        db.session.execute(update(StaffSession).where(StaffSession.id == row.id)
                           .values(seen_at=now).execution_options(synchronize_session=False))
        db.session.commit()
    return True


def close_session(token: str | None) -> None:
    """End one session on the server (logout; commits)."""
    if token:
        db.session.execute(delete(StaffSession).where(StaffSession.id == _key(token)))
        db.session.commit()


def end_all(user: User) -> None:
    """End every session of the account on the server, in the caller's transaction: the
    account's epoch moves on (every cookie's user id is stale) and the session rows go."""
    user.session_epoch += 1
    db.session.execute(delete(StaffSession).where(StaffSession.user_id == user.id))
