"""What an insider with the database's owner rights can do to the audit log (for tests).

The application's own connection meets the append-only triggers (migration 0010); the
owner of the schema can switch them off, rewrite the table and switch them on again, and
these helpers do just that, so that the tests can show what the chain and its checkpoints
still reveal.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import text

from portal.extensions import db


@contextmanager
def triggers_off() -> Iterator[None]:
    """Run the block with the audit table's triggers dropped (SQLite) or disabled (PostgreSQL)."""
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(text("ALTER TABLE audit_entry DISABLE TRIGGER USER"))
        yield
        connection.execute(text("ALTER TABLE audit_entry ENABLE TRIGGER USER"))
    else:
        found = connection.execute(text(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_entry'"
        )).all()
        for name, _sql in found:
            connection.execute(text(f'DROP TRIGGER "{name}"'))
        yield
        for _name, sql in found:
            connection.execute(text(sql))
    db.session.commit()


def run(statement: str, **params) -> None:
    """One SQL statement on the audit table, as its owner, committed."""
    with triggers_off():
        db.session.execute(text(statement), params)
