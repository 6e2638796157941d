"""The append-only audit log, chained by HMAC-SHA256 under a key outside the database.

`record` adds an entry to the caller's transaction (the use case commits once), holding
every other writer back from the chain's tail until that commit (on PostgreSQL the database
function audit_tail takes the lock and reads the tail, migration 0011); `verify` recomputes
the chain and names the first broken entry.

Each entry's hash is the HMAC-SHA256, under AUDIT_KEY (portal/services/shared/audit_keys.py),
of the JSON array [prev_hash, at, actor_id, ...fields]; the entry names its key by `key_id`.
Without the key, nobody who can write the database can make an entry, edit one, or
recompute the chain after a change (migration 0011 re-keyed the entries written before).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, insert, select

from portal.extensions import db
from portal.models import AuditEntry, User
from portal.models.base import utcnow
from portal.services.shared import audit_keys

GENESIS = "0" * 64


def _rest(at: datetime, actor_id: int | None, actor_name: str, action: str, object_type: str,
          object_id: str, detail: str) -> str:
    """The hashed JSON array after its first element, the previous hash: `...fields]`."""
    return json.dumps(
        [at.isoformat(timespec="microseconds"), actor_id, actor_name, action, object_type,
         object_id, detail],
        ensure_ascii=False, separators=(",", ":"),
    )[1:]


def _message(prev_hash: str, rest: str) -> str:
    """The JSON array [prev_hash, at, actor_id, ...] that is keyed."""
    return f'["{prev_hash}",{rest}'


def _chained(prev_hash: str, rest: str, key: bytes) -> str:
    return audit_keys.mac(key, _message(prev_hash, rest))


def expected_hash(row: AuditEntry, keys: dict[str, bytes]) -> str | None:
    """The hash the entry must carry, or None when its key is not configured."""
    rest = _rest(row.at, row.actor_id, row.actor_name, row.action, row.object_type,
                 row.object_id, row.detail)
    key = keys.get(row.key_id)
    return None if key is None else _chained(row.prev_hash, rest, key)


# Built once: the statements are the same for every entry.
_TAIL = select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)
_INSERT = insert(AuditEntry.__table__)
_PG_TAIL = select(func.audit_tail())


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
        # Lock and tail in one call (migration 0011); the key never reaches the database.
        prev = connection.scalar(_PG_TAIL)
    else:
        prev = _sqlite_tail(connection)
    kid, key = audit_keys.current()
    row = {k: v for k, v in prepared.items() if k != "rest"}
    connection.execute(_INSERT, {**row, "key_id": kid, "prev_hash": prev,
                                 "hash": _chained(prev, prepared["rest"], key)})


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


def _problem(row: AuditEntry, prev: str, keys: dict[str, bytes]) -> str:
    if row.prev_hash != prev:
        return "previous hash does not match"
    if not row.key_id:
        return "entry carries no key id (not written with the audit key)"
    expected = expected_hash(row, keys)
    if expected is None:
        return (f"keyed with key {row.key_id}, which is neither AUDIT_KEY nor in "
                "AUDIT_KEYS_RETIRED")
    if row.hash != expected:
        return "entry content does not match its hash"
    return ""


def walk(batch: int = 5000):
    """Every entry in chain order, with its problem ("" when it holds): stops after the first."""
    keys = audit_keys.known()
    prev = GENESIS
    last_id = 0
    while True:
        rows = db.session.scalars(
            select(AuditEntry).where(AuditEntry.id > last_id).order_by(AuditEntry.id).limit(batch)
        ).all()
        if not rows:
            return
        for row in rows:
            problem = _problem(row, prev, keys)
            yield row, problem
            if problem:
                return
            prev = row.hash
            last_id = row.id
        db.session.expunge_all()


def verify(batch: int = 5000) -> ChainCheck:
    """Recompute every hash in order; an edited, inserted or deleted row breaks the chain."""
    checked = 0
    for row, problem in walk(batch):
        if problem:
            return ChainCheck(False, checked, row.id, problem)
        checked += 1
    return ChainCheck(True, checked)
