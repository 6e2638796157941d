"""Database engine settings: SQLite in WAL mode with a busy timeout and durable commits."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import event

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
    from sqlalchemy import text

    if db.engine.dialect.name != "sqlite":
        return {}
    with db.engine.connect() as conn:
        return {
            "journal_mode": str(conn.execute(text("PRAGMA journal_mode")).scalar()).upper(),
            "synchronous": str(conn.execute(text("PRAGMA synchronous")).scalar()),
            "busy_timeout": str(conn.execute(text("PRAGMA busy_timeout")).scalar()),
        }
