"""Checkpoints of the audit chain, kept outside the database.

A checkpoint is the chain's entry count and head hash at a moment, signed (HMAC-SHA256) with
AUDIT_KEY. `take` appends one, as a JSON line, to AUDIT_CHECKPOINT_FILE: daily (`flask audit
checkpoint` on a timer) and after every notice publication, whose notice prints it. `check`
walks the chain against every checkpoint: entries deleted from the end, a recomputed chain or
an old database put back all leave the chain short of, or different from, a checkpoint the
database cannot change.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import AuditEntry
from portal.models.base import utcnow
from portal.services.shared import audit, audit_keys

FORMAT = "zaigang-audit-checkpoint/1"


@dataclass(frozen=True)
class Checkpoint:
    count: int
    head: str
    at: str
    key_id: str
    signature: str

    def signed_text(self) -> str:
        return f"{FORMAT}|{self.count}|{self.head}|{self.at}|{self.key_id}"

    def line(self) -> str:
        return json.dumps({"format": FORMAT, "count": self.count, "head": self.head, "at": self.at,
                           "key_id": self.key_id, "signature": self.signature}, sort_keys=True)

    def printed(self) -> str:
        """One line for a notice: what the public keeps and `audit verify --checkpoint` reads."""
        return f"{self.count}:{self.head}:{self.at}:{self.key_id}:{self.signature}"


@dataclass(frozen=True)
class Report:
    ok: bool
    checked: int
    checkpoints: int
    first_broken_id: int | None = None
    problem: str = ""


def path() -> Path:
    configured = current_app.config.get("AUDIT_CHECKPOINT_FILE")
    return Path(configured or Path(current_app.instance_path) / "audit-checkpoints.jsonl")


def _sign(count: int, head: str, at: str) -> Checkpoint:
    kid, key = audit_keys.current()
    unsigned = Checkpoint(count, head, at, kid, "")
    return Checkpoint(count, head, at, kid, audit_keys.mac(key, unsigned.signed_text()))


def current() -> Checkpoint:
    """The chain as it stands (committed entries), signed now."""
    count = db.session.scalar(select(func.count()).select_from(AuditEntry)) or 0
    head = db.session.scalar(select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1))
    return _sign(count, head or audit.GENESIS, utcnow().isoformat(timespec="seconds"))


def take() -> Checkpoint:
    """Append a checkpoint of the chain to the checkpoint file (created 0600), synced to disk."""
    checkpoint = current()
    db.session.rollback()
    target = path()
    target.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        os.write(fd, (checkpoint.line() + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    return checkpoint


def parse_printed(text: str) -> Checkpoint:
    """A checkpoint as a notice prints it (`count:head:at:key_id:signature`)."""
    count, head, rest = text.strip().split(":", 2)
    at, key_id, signature = rest.rsplit(":", 2)
    return Checkpoint(int(count), head, at, key_id, signature)


def _valid(checkpoint: Checkpoint) -> bool:
    key = audit_keys.known().get(checkpoint.key_id)
    return key is not None and audit_keys.mac(key, checkpoint.signed_text()) == checkpoint.signature


class CheckpointError(ValueError):
    """A checkpoint line that is not well-formed or whose signature does not hold."""


def read() -> list[Checkpoint]:
    """Every checkpoint of the file, oldest first; a forged or damaged line is an error."""
    if not path().exists():
        return []
    found = []
    for number, raw in enumerate(path().read_text().splitlines(), 1):
        if not raw.strip():
            continue
        try:
            item = json.loads(raw)
            checkpoint = Checkpoint(int(item["count"]), item["head"], item["at"], item["key_id"],
                                    item["signature"])
        except (ValueError, KeyError, TypeError) as error:
            raise CheckpointError(f"{path()} line {number} is not a checkpoint") from error
        if not _valid(checkpoint):
            raise CheckpointError(f"{path()} line {number}: the signature does not hold")
        found.append(checkpoint)
    return found


def check(extra: list[Checkpoint] | None = None) -> Report:
    """Walk the chain against every checkpoint (the file's and `extra`, e.g. a notice's)."""
    checkpoints = read()
    for item in extra or []:
        if not _valid(item):
            raise CheckpointError("the checkpoint given does not carry a valid signature")
        checkpoints.append(item)
    heads: dict[int, Checkpoint] = {}
    for item in checkpoints:
        heads.setdefault(item.count, item)
    position = 0
    last_id = None
    for row, problem in audit.walk():
        if problem:
            return Report(False, position, len(checkpoints), row.id, problem)
        position += 1
        last_id = row.id
        anchor = heads.get(position)
        if anchor is not None and row.hash != anchor.head:
            return Report(False, position - 1, len(checkpoints), row.id,
                          f"entry number {position} does not match the checkpoint of {anchor.at}: "
                          "the chain was recomputed or replaced up to here")
    longest = max(checkpoints, key=lambda c: c.count, default=None)
    if longest is not None and position < longest.count:
        after = f"after entry {last_id}" if last_id is not None else "from the first one"
        return Report(False, position, len(checkpoints), None,
                      f"the chain holds {position} entries but the checkpoint of {longest.at} "
                      f"records {longest.count}: entry number {position + 1} and later are "
                      f"missing ({after}): deleted, or an older database was restored")
    return Report(True, position, len(checkpoints))
