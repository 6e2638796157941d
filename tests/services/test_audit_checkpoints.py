"""Checkpoints outside the database: `audit verify` sees the newest entries deleted, a
recomputed chain and an old database put back, names where, and exits non-zero."""

from __future__ import annotations

import json
import sqlite3

from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEntry
from portal.services.shared import audit, audit_checkpoints
from tests import tamper


def _entries(app, n: int, start: int = 0) -> None:
    with app.app_context():
        for i in range(start, start + n):
            audit.record("report.viewed", actor=None, object_type="report", object_id=f"r{i}")
        db.session.commit()


def _copy(source: str, target: str) -> None:
    """A consistent copy of a SQLite database (WAL included), as a backup would make."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)


def _checkpoint(runner) -> None:
    result = runner.invoke(args=["audit", "checkpoint"])
    assert result.exit_code == 0, result.output


def test_a_checkpoint_is_a_signed_line_in_the_operators_file(app, runner):
    _entries(app, 3)
    _checkpoint(runner)
    with app.app_context():
        lines = audit_checkpoints.path().read_text().splitlines()
        head = db.session.scalar(select(AuditEntry.hash).order_by(AuditEntry.id.desc()))
    item = json.loads(lines[-1])
    assert item["count"] == 3 and item["head"] == head and item["signature"]
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0 and "1 checkpoint(s) matched" in result.output


def test_deleting_the_newest_entries_is_reported(app, runner):
    _entries(app, 5)
    _checkpoint(runner)
    with app.app_context():
        for _ in range(2):
            tamper.run("DELETE FROM audit_entry WHERE id = (SELECT max(id) FROM audit_entry)")
        assert audit.verify().ok  # the chain alone looks whole
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code != 0
    assert "holds 3 entries" in result.output and "records 5" in result.output
    assert "entry number 4" in result.output


def test_a_recomputed_chain_is_named_at_its_first_entry_past_a_checkpoint(app, runner):
    """Even an insider who had the key and recomputed every hash is caught by a checkpoint."""
    _entries(app, 3)
    _checkpoint(runner)
    _entries(app, 3, start=3)
    _checkpoint(runner)
    with app.app_context():
        rows = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
        _kid, key = audit.audit_keys.current()
        prev = rows[0].hash
        with tamper.triggers_off():
            for row in rows[1:]:
                row.detail = '{"edited": true}' if row is rows[1] else row.detail
                row.prev_hash = prev
                rest = audit._rest(row.at, row.actor_id, row.actor_name, row.action,  # noqa: SLF001
                                   row.object_type, row.object_id, row.detail)
                row.hash = audit._chained(prev, rest, key)  # noqa: SLF001
                prev = row.hash
                db.session.flush()
        assert audit.verify().ok
        third = rows[2].id
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code != 0 and f"entry {third}" in result.output
    assert "entry number 3 does not match the checkpoint" in result.output


def test_an_old_database_put_back_is_reported(app, runner, tmp_path):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    _entries(app, 2)
    live, old = url.removeprefix("sqlite:///"), str(tmp_path / "old.sqlite3")
    if url.startswith("sqlite:///"):
        _copy(live, old)
    _entries(app, 3, start=2)
    _checkpoint(runner)
    with app.app_context():
        if url.startswith("sqlite:///"):
            db.engine.dispose()
            _copy(old, live)
        else:
            tamper.run("DELETE FROM audit_entry WHERE id > (SELECT min(id) + 1 FROM audit_entry)")
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code != 0 and "holds 2 entries but the checkpoint" in result.output


def test_a_forged_checkpoint_line_is_refused(app, runner):
    _entries(app, 2)
    _checkpoint(runner)
    with app.app_context():
        target = audit_checkpoints.path()
    item = json.loads(target.read_text().splitlines()[-1])
    target.write_text(json.dumps({**item, "count": 1}) + "\n")
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code != 0 and "signature does not hold" in result.output


def test_the_checkpoint_printed_on_a_notice_is_checked(app, runner):
    _entries(app, 4)
    with app.app_context():
        printed = audit_checkpoints.take().printed()
        audit_checkpoints.path().unlink()  # the file is lost: the public's copy remains
        tamper.run("DELETE FROM audit_entry WHERE id = (SELECT max(id) FROM audit_entry)")
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
    result = runner.invoke(args=["audit", "verify", "--checkpoint", printed])
    assert result.exit_code != 0 and "records 4" in result.output


def test_backups_carry_the_checkpoints_and_an_old_one_restored_is_seen(app, runner, tmp_path):
    import tarfile

    _entries(app, 2)
    _checkpoint(runner)
    archive = tmp_path / "old.tar"
    assert runner.invoke(args=["backup", "create", str(archive)]).exit_code == 0
    with tarfile.open(archive) as tar:
        assert "audit-checkpoints.jsonl" in tar.getnames()
    _entries(app, 3, start=2)
    _checkpoint(runner)
    result = runner.invoke(args=["backup", "restore", "--force", str(archive)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code != 0 and "holds 2 entries but the checkpoint" in result.output
