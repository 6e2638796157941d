"""The database engine's settings (SQLite in WAL mode with a busy timeout and durable commits)
and SQLite's write turn (`write_turn()`), which writers of a hot use case queue on."""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask
from sqlalchemy import event, text

from portal.extensions import db

SYNCHRONOUS_LEVELS = ("OFF", "NORMAL", "FULL", "EXTRA")


def register_engine_events(app: Flask) -> None:
    """Set the SQLite pragmas on every new connection of this app's engine."""
    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "sqlite":
        return
    synchronous = app.config.get("SQLITE_SYNCHRONOUS", "FULL").upper()
    if synchronous not in SYNCHRONOUS_LEVELS:
        raise RuntimeError(f"SQLITE_SYNCHRONOUS must be one of {', '.join(SYNCHRONOUS_LEVELS)}")

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection, _record):  # pragma: no cover - exercised by every test
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


def sqlite_settings() -> dict[str, str]:
    """The pragmas in force on a connection (for start-up checks and tests)."""
    if db.engine.dialect.name != "sqlite":
        return {}
    with db.engine.connect() as conn:
        return {
            "journal_mode": str(conn.execute(text("PRAGMA journal_mode")).scalar()).upper(),
            "synchronous": str(conn.execute(text("PRAGMA synchronous")).scalar()),
            "busy_timeout": str(conn.execute(text("PRAGMA busy_timeout")).scalar()),
        }


class _Turns:
    """One process's handle on the writers' turn file of one SQLite database.

    SQLite lets one writer in at a time; the others poll, sleeping 1, 2, 5, 10 ms and more
    between tries (its busy handler), so a lock freed after a millisecond can stay unused
    for several. A writer that first takes an OS file lock instead is woken by the kernel
    the moment the previous one lets go. Threads of one process share the file's lock, so
    they take turns on a thread lock first.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self.thread_lock = threading.Lock()
        self.pid = -1
        self.fd = -1

    def descriptor(self) -> int:
        # Opened in each process (not inherited across gunicorn's fork): a shared open file
        # would share the lock.
        if self.pid != os.getpid():
            self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            self.pid = os.getpid()
        return self.fd


_turns: dict[str, _Turns] = {}


@contextmanager
def write_turn() -> Iterator[None]:
    """Wait for this SQLite database's write turn (a no-op elsewhere), for a use case whose
    writes and commit follow one another at once (report submission).

    Only an aid to throughput: SQLite's own locking stays in force, and writers that do not
    take turns (every other use case) are let in by its busy handler as before.
    """
    engine = db.engine
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    if not database or database == ":memory:" or database.startswith("file:"):
        yield
        return
    turns = _turns.get(database)
    if turns is None:
        turns = _turns.setdefault(database, _Turns(f"{database}-writers.lock"))
    with turns.thread_lock:
        fd = turns.descriptor()
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
