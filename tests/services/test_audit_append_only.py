"""The database itself refuses to change or remove an audit entry, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from portal.extensions import db
from portal.models import AuditEntry
from portal.services.shared import audit


def _entries(app, n: int = 3) -> None:
    with app.app_context():
        for i in range(n):
            audit.record("report.viewed", actor=None, object_type="report", object_id=f"r{i}")
        db.session.commit()


@pytest.mark.parametrize("statement", [
    "DELETE FROM audit_entry WHERE id = (SELECT max(id) FROM audit_entry)",
    "DELETE FROM audit_entry",
    "UPDATE audit_entry SET action = 'report.deleted' WHERE id = (SELECT max(id) FROM audit_entry)",
    "UPDATE audit_entry SET detail = '{}'",
])
def test_the_database_refuses_to_change_or_remove_an_entry(app, statement):
    _entries(app)
    with app.app_context():
        before = db.session.execute(select(AuditEntry.id, AuditEntry.action, AuditEntry.hash)
                                    .order_by(AuditEntry.id)).all()
        with pytest.raises(DBAPIError, match="append-only"):
            db.session.execute(text(statement))
        db.session.rollback()
        after = db.session.execute(select(AuditEntry.id, AuditEntry.action, AuditEntry.hash)
                                   .order_by(AuditEntry.id)).all()
        assert after == before and len(after) == 3
        assert audit.verify().ok


def test_a_hundred_deletions_of_the_newest_entry_all_fail(app):
    _entries(app, 5)
    with app.app_context():
        for _ in range(100):
            with pytest.raises(DBAPIError):
                db.session.execute(text(
                    "DELETE FROM audit_entry WHERE id = (SELECT max(id) FROM audit_entry)"))
            db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 5


def test_postgresql_refuses_truncate_too(app):
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("TRUNCATE is PostgreSQL's")
    _entries(app)
    with app.app_context():
        with pytest.raises(DBAPIError, match="append-only"):
            db.session.execute(text("TRUNCATE audit_entry CASCADE"))
        db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 3


def test_appending_still_works(app):
    _entries(app)
    with app.app_context():
        audit.record("report.viewed", actor=None, object_type="report", object_id="r9")
        db.session.commit()
        assert audit.verify().checked == 4
