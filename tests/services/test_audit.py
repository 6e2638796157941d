"""The audit chain: appended in order, verified, and any edit or deletion detected."""

from __future__ import annotations

from sqlalchemy import delete, update

from portal.extensions import db
from portal.models import AuditEntry, Role
from portal.services.shared import audit
from tests import factories, tamper


def _three_entries(app):
    with app.app_context():
        inspector = factories.user(Role.INSPECTOR)
        for n in range(3):
            audit.record("report.viewed", actor=inspector, object_type="report", object_id=f"r{n}",
                         detail={"n": n, "名": "测试"})
        db.session.commit()


def test_chain_verifies_and_cli_says_so(app, runner):
    _three_entries(app)
    with app.app_context():
        assert audit.verify().ok and audit.verify().checked == 3
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0
    assert "3 entries" in result.output


def test_an_edited_row_is_named(app, runner):
    _three_entries(app)
    with app.app_context():
        second = db.session.scalars(db.select(AuditEntry).order_by(AuditEntry.id)).all()[1]
        with tamper.triggers_off():
            db.session.execute(
                update(AuditEntry).where(AuditEntry.id == second.id).values(action="report.deleted")
            )
        broken_id = second.id
        check = audit.verify()
        assert not check.ok and check.first_broken_id == broken_id
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code != 0
    assert f"entry {broken_id}" in result.output


def test_a_deleted_row_breaks_the_chain(app):
    _three_entries(app)
    with app.app_context():
        rows = db.session.scalars(db.select(AuditEntry).order_by(AuditEntry.id)).all()
        with tamper.triggers_off():
            db.session.execute(delete(AuditEntry).where(AuditEntry.id == rows[1].id))
        check = audit.verify()
        assert not check.ok and check.first_broken_id == rows[2].id


def test_the_chain_cannot_fork(app):
    """Two entries claiming the same predecessor are refused by the database."""
    import pytest
    from sqlalchemy.exc import IntegrityError

    _three_entries(app)
    with app.app_context():
        last = db.session.scalars(db.select(AuditEntry).order_by(AuditEntry.id)).all()[-1]
        db.session.add(AuditEntry(action="x", prev_hash=last.prev_hash, hash="f" * 64))
        with pytest.raises(IntegrityError):
            db.session.commit()


AWKWARD = ["", "plain", '引号"和\\反斜杠', "换行\n制表\t", "emoji 🙂 and 𠀋", "\u2028\u2029", "'; DROP",
           "{\"json\": [1, 2]}", "x" * 3000]


def test_entries_with_awkward_text_verify_on_every_database(app):
    """On PostgreSQL the database hashes each entry (audit_append): it must hash what the
    application would, for any text."""
    with app.app_context():
        for n, value in enumerate(AWKWARD):
            audit.record(value[:48], actor=None, object_type=value[:32], object_id=value[:48],
                         detail={"text": value, "n": n})
            audit.record("raw.detail", actor=None, detail=value)
        db.session.commit()
        check = audit.verify()
        assert check.ok and check.checked == 2 * len(AWKWARD), check
