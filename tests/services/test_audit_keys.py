"""The audit chain is keyed by AUDIT_KEY, which is not in the database: someone who can write
the database cannot make, edit or re-chain entries unnoticed, and the key can be rotated."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEntry
from portal.services.shared import audit
from tests import tamper

OTHER_KEY = "an-insiders-guess-" + "g" * 32


def _entries(app, n: int = 4, start: int = 0) -> None:
    with app.app_context():
        for i in range(start, start + n):
            audit.record("report.viewed", actor=None, object_type="report", object_id=f"r{i}")
        db.session.commit()


def _rechain_from(position: int, digest) -> int:
    """The insider's edit: change the entry at `position` and recompute every hash after it,
    with `digest(prev_hash, row)`; returns the edited entry's id."""
    rows = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    prev = rows[position - 1].hash if position else audit.GENESIS
    edited = rows[position].id
    with tamper.triggers_off():
        for row in rows[position:]:
            action = "report.nothing" if row.id == edited else row.action
            row.action = action
            row.prev_hash = prev
            row.hash = digest(prev, row)
            prev = row.hash
            db.session.flush()
    return edited


def _message(prev: str, row: AuditEntry) -> bytes:
    rest = audit._rest(row.at, row.actor_id, row.actor_name, row.action,  # noqa: SLF001
                       row.object_type, row.object_id, row.detail)
    return f'["{prev}",{rest}'.encode()


@pytest.mark.parametrize("how", ["plain sha-256 (the old chain)", "a guessed key"])
def test_an_edited_entry_with_the_chain_recomputed_is_named(app, runner, how):
    _entries(app)
    with app.app_context():
        if how.startswith("plain"):
            def digest(prev, row):
                return hashlib.sha256(_message(prev, row)).hexdigest()
        else:
            def digest(prev, row):
                return hmac.new(OTHER_KEY.encode(), _message(prev, row), hashlib.sha256).hexdigest()
        edited = _rechain_from(1, digest)
        check = audit.verify()
        assert not check.ok and check.first_broken_id == edited and check.checked == 1
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code != 0 and f"entry {edited}" in result.output


def test_an_entry_made_up_without_the_key_is_named(app):
    _entries(app, 2)
    with app.app_context():
        tail = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
        forged = AuditEntry(action="report.concluded", actor_name="system", object_type="report",
                            object_id="r0", detail="{}", prev_hash=tail.hash, key_id=tail.key_id,
                            at=tail.at)
        forged.hash = hmac.new(OTHER_KEY.encode(), _message(tail.hash, forged),
                               hashlib.sha256).hexdigest()
        db.session.add(forged)
        db.session.commit()
        check = audit.verify()
        assert not check.ok and check.first_broken_id == forged.id


def test_the_key_is_nowhere_in_the_database(app):
    _entries(app, 3)
    with app.app_context():
        key = app.config["AUDIT_KEY"]
        for row in db.session.scalars(select(AuditEntry)):
            assert key not in " ".join(str(v) for v in vars(row).values())
        # The hash is an HMAC: without the key it cannot be reproduced.
        row = db.session.scalars(select(AuditEntry)).first()
        assert row.hash != hashlib.sha256(_message(row.prev_hash, row)).hexdigest()


def test_after_a_rotation_the_old_entries_verify_with_the_retired_key(make_app):
    first = make_app(AUDIT_KEY="first-audit-key-" + "1" * 32)
    _entries(first, 2)
    rotated = make_app(AUDIT_KEY="second-audit-key-" + "2" * 32,
                       AUDIT_KEYS_RETIRED="first-audit-key-" + "1" * 32)
    _entries(rotated, 2, start=2)
    with rotated.app_context():
        ids = db.session.scalars(select(AuditEntry.key_id).order_by(AuditEntry.id)).all()
        assert ids[0] == ids[1] != ids[2] == ids[3]
        assert audit.verify().ok and audit.verify().checked == 4
    forgotten = make_app(AUDIT_KEY="second-audit-key-" + "2" * 32)
    with forgotten.app_context():
        check = audit.verify()
        assert not check.ok and check.checked == 0 and "AUDIT_KEYS_RETIRED" in check.problem
