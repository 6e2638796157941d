"""The append-only audit log, chained by SHA-256.

`record` adds an entry to the caller's transaction (the use case commits once), holding
every other writer back from the chain's tail until that commit (on PostgreSQL in one call
of the database function audit_append, migration 0003); `verify` recomputes the chain and
names the first broken entry.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Integer, String, Text, bindparam, func, insert, select

from portal.extensions import db
from portal.models import AuditEntry, User
from portal.models.base import UTCDateTime, utcnow

GENESIS = "0" * 64


def _rest(at: datetime, actor_id: int | None, actor_name: str, action: str, object_type: str,
          object_id: str, detail: str) -> str:
    """The hashed JSON array after its first element, the previous hash: `...fields]`."""
    return json.dumps(
        [at.isoformat(timespec="microseconds"), actor_id, actor_name, action, object_type,
         object_id, detail],
        ensure_ascii=False, separators=(",", ":"),
    )[1:]


def _chained(prev_hash: str, rest: str) -> str:
    # The JSON array [prev_hash, at, actor_id, ...]; audit_append (migration 0003) builds the
    # same text from prev_hash and _rest.
    return hashlib.sha256(f'["{prev_hash}",{rest}'.encode()).hexdigest()


def _digest(prev_hash: str, at: datetime, actor_id: int | None, actor_name: str, action: str,
            object_type: str, object_id: str, detail: str) -> str:
    return _chained(prev_hash, _rest(at, actor_id, actor_name, action, object_type, object_id,
                                     detail))


# Built once: the statements are the same for every entry.
_TAIL = select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)
_INSERT = insert(AuditEntry.__table__)
_PG_APPEND = select(func.audit_append(
    bindparam("at", type_=UTCDateTime), bindparam("actor_id", type_=Integer),
    bindparam("actor_name", type_=String), bindparam("action", type_=String),
    bindparam("object_type", type_=String), bindparam("object_id", type_=String),
    bindparam("detail", type_=Text), bindparam("rest", type_=Text),
))


def _sqlite_tail(connection) -> str:
    """The hash of the last entry, with every other writer kept from appending until the
    current transaction ends."""
    # SQLite has one writer at a time, but the driver begins a transaction only at the first
    # INSERT/UPDATE/DELETE: before one, the tail read here could be stale by the time the
    # entry is written. Take the write lock first, then.
    driver = connection.connection.driver_connection
    if not driver.in_transaction:
        driver.execute("BEGIN IMMEDIATE")
    return connection.scalar(_TAIL) or GENESIS


def entry(action: str, *, actor: User | None, object_type: str = "", object_id: str = "",
          detail: dict | str | None = None) -> dict:
    """An entry ready to append (see `append`): what can be worked out before the lock."""
    detail_text = detail if isinstance(detail, str) else json.dumps(
        detail or {}, ensure_ascii=False, sort_keys=True, default=str
    )
    fields = {"at": utcnow(), "actor_id": actor.id if actor else None,
              "actor_name": actor.username if actor else "system", "action": action,
              "object_type": object_type, "object_id": str(object_id), "detail": detail_text}
    return {**fields, "rest": _rest(**fields)}


def append(prepared: dict) -> None:
    """Append a prepared entry to the current transaction; the caller commits.

    The session's pending rows are written first: from the lock taken here to the commit no
    other writer can append, so that stretch holds the entry and the commit only.
    """
    # Plain statements, not an ORM object: nothing updates an entry, and the unit of work's
    # bookkeeping would only lengthen the time the chain is locked.
    db.session.flush()
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        # Lock, tail, hash and insert in one round trip (migration 0003).
        connection.execute(_PG_APPEND, prepared)
        return
    prev = _sqlite_tail(connection)
    connection.execute(_INSERT, {**prepared, "prev_hash": prev,
                                 "hash": _chained(prev, prepared["rest"])})


def record(action: str, *, actor: User | None, object_type: str = "", object_id: str = "",
           detail: dict | str | None = None) -> None:
    """Append an entry to the current transaction; the caller commits."""
    append(entry(action, actor=actor, object_type=object_type, object_id=object_id,
                 detail=detail))


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
