"""The append-only audit log, chained by SHA-256.

`record` adds an entry to the caller's transaction (the use case commits once), holding
every other writer back from the chain's tail until that commit;
`verify` recomputes the chain and names the first broken entry.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, insert, select

from portal.extensions import db
from portal.models import AuditEntry, User
from portal.models.base import utcnow

GENESIS = "0" * 64


def _digest(prev_hash: str, at: datetime, actor_id: int | None, actor_name: str, action: str,
            object_type: str, object_id: str, detail: str) -> str:
    payload = json.dumps(
        [prev_hash, at.isoformat(timespec="microseconds"), actor_id, actor_name, action,
         object_type, object_id, detail],
        ensure_ascii=False, separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode()).hexdigest()


# Built once: the statements are the same for every entry.
_TAIL = select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)
_PG_LOCK = select(func.pg_advisory_xact_lock(7_201_300))
_INSERT = insert(AuditEntry.__table__)


def _lock_tail() -> str:
    """The hash of the last entry, with every other writer kept from appending until the
    current transaction ends."""
    connection = db.session.connection()
    dialect = connection.dialect.name
    if dialect == "postgresql":
        # One writer at a time extends the chain; the lock ends with the transaction.
        connection.execute(_PG_LOCK)
    elif dialect == "sqlite":
        # SQLite has one writer at a time, but the driver begins a transaction only at the
        # first INSERT/UPDATE/DELETE: before one, the tail read here could be stale by the
        # time the entry is written. Take the write lock first, then.
        driver = connection.connection.driver_connection
        if not driver.in_transaction:
            driver.execute("BEGIN IMMEDIATE")
    return connection.scalar(_TAIL) or GENESIS


def record(action: str, *, actor: User | None, object_type: str = "", object_id: str = "",
           detail: dict | str | None = None) -> None:
    """Append an entry to the current transaction; the caller commits.

    The session's pending rows are written first: from the lock taken here to the commit no
    other writer can append, so that stretch holds the entry and the commit only.
    """
    detail_text = detail if isinstance(detail, str) else json.dumps(
        detail or {}, ensure_ascii=False, sort_keys=True, default=str
    )
    actor_id = actor.id if actor else None
    actor_name = actor.username if actor else "system"
    object_id = str(object_id)
    at = utcnow()
    # A plain INSERT, not an ORM object: nothing updates an entry, and the unit of work's
    # bookkeeping would only lengthen the time the chain is locked.
    db.session.flush()
    prev = _lock_tail()
    db.session.connection().execute(_INSERT, {
        "at": at, "actor_id": actor_id, "actor_name": actor_name, "action": action,
        "object_type": object_type, "object_id": object_id, "detail": detail_text,
        "prev_hash": prev,
        "hash": _digest(prev, at, actor_id, actor_name, action, object_type, object_id,
                        detail_text),
    })


@dataclass(frozen=True)
class ChainCheck:
    ok: bool
    checked: int
    first_broken_id: int | None = None
    problem: str = ""


def verify(batch: int = 5000) -> ChainCheck:
    """Recompute every hash in order; an edited, inserted or deleted row breaks the chain."""
    prev = GENESIS
    checked = 0
    last_id = 0
    while True:
        rows = db.session.scalars(
            select(AuditEntry).where(AuditEntry.id > last_id).order_by(AuditEntry.id).limit(batch)
        ).all()
        if not rows:
            return ChainCheck(True, checked)
        for row in rows:
            if row.prev_hash != prev:
                return ChainCheck(False, checked, row.id, "previous hash does not match")
            expected = _digest(row.prev_hash, row.at, row.actor_id, row.actor_name, row.action,
                               row.object_type, row.object_id, row.detail)
            if row.hash != expected:
                return ChainCheck(False, checked, row.id, "entry content does not match its hash")
            prev = row.hash
            checked += 1
            last_id = row.id
        db.session.expunge_all()
