"""Concurrent appends to the audit chain: none fails, none forks, the chain verifies."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import AuditEntry
from portal.services.shared import audit

THREADS = 4
EACH = 25


def test_writers_appending_at_once_keep_one_chain(app):
    """Entries recorded with no other write before them (on SQLite the driver has not begun a
    transaction yet) still read the tail under the write lock."""
    start = threading.Barrier(THREADS)
    failures: list[BaseException] = []

    def writer(n: int) -> None:
        with app.app_context():
            start.wait()
            try:
                for i in range(EACH):
                    audit.record("test.append", actor=None, object_type="test",
                                 object_id=f"{n}-{i}")
                    db.session.commit()
            except BaseException as error:  # noqa: BLE001 - reported below
                failures.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures, failures
    with app.app_context():
        assert db.session.scalar(select(func.count(AuditEntry.id))) == THREADS * EACH
        check = audit.verify()
        assert check.ok and check.checked == THREADS * EACH, check
