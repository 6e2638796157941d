"""The append-only audit log, chained by SHA-256.

`record` adds an entry to the caller's transaction (the use case commits once);
`verify` recomputes the chain and names the first broken entry.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

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


def _lock_tail() -> str:
    """The hash of the last entry, locked against concurrent appends where the database can."""
    stmt = select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)
    if db.engine.dialect.name == "postgresql":
        # One writer at a time extends the chain; the lock ends with the transaction.
        db.session.execute(select(db.func.pg_advisory_xact_lock(7_201_300)))
    return db.session.scalar(stmt) or GENESIS


def record(action: str, *, actor: User | None, object_type: str = "", object_id: str = "",
           detail: dict | str | None = None) -> AuditEntry:
    """Append an entry to the current transaction; the caller commits."""
    detail_text = detail if isinstance(detail, str) else json.dumps(
        detail or {}, ensure_ascii=False, sort_keys=True, default=str
    )
    at = utcnow()
    prev = _lock_tail()
    actor_name = actor.username if actor else "system"
    entry = AuditEntry(
        at=at, actor_id=actor.id if actor else None, actor_name=actor_name, action=action,
        object_type=object_type, object_id=str(object_id), detail=detail_text, prev_hash=prev,
        hash=_digest(prev, at, actor.id if actor else None, actor_name, action, object_type,
                     str(object_id), detail_text),
    )
    db.session.add(entry)
    db.session.flush()
    return entry


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
