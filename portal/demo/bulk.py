"""Bulk inserts for the national-scale demo: COPY on PostgreSQL, executemany in large
transactions on SQLite, in chunks of CHUNK rows, with progress reported per table.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime

from sqlalchemy import func, select, text

from portal.extensions import db

CHUNK = 20_000


class BulkWriter:
    """Append rows to tables quickly: COPY on PostgreSQL, executemany on SQLite."""

    def __init__(self, progress: Callable[[str, int, int], None]) -> None:
        self.progress = progress
        self.connection = db.session.connection()
        self.dialect = self.connection.dialect.name
        self.raw = self.connection.connection.driver_connection

    def next_id(self, model) -> int:
        return (db.session.scalar(select(func.max(model.id))) or 0) + 1

    def write(self, model, columns: list[str], rows: Iterable[tuple], total: int = 0) -> int:
        """Write every row; reports progress after each chunk."""
        table = model.__table__.name
        unknown = set(columns) - set(model.__table__.c.keys())
        if unknown:
            raise ValueError(f"{table} has no column {unknown}")
        count = 0
        for chunk in _chunks(rows, CHUNK):
            if self.dialect == "postgresql":
                self._copy(table, columns, chunk)
            else:
                self._executemany(table, columns, chunk)
            count += len(chunk)
            self.progress(table, count, total)
        return count

    def _copy(self, table: str, columns: list[str], rows: list[tuple]) -> None:
        cols = ", ".join(columns)
        with self.raw.cursor() as cursor, cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    def _executemany(self, table: str, columns: list[str], rows: list[tuple]) -> None:
        sql = (f"INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608 - our own names
               f"VALUES ({', '.join('?' * len(columns))})")
        cursor = self.raw.cursor()
        cursor.executemany(sql, [tuple(_sqlite_value(v) for v in row) for row in rows])
        cursor.close()

    @contextmanager
    def triggers_off(self, model) -> Iterator[None]:
        """Load without the table's triggers (each row would run them); the caller recounts."""
        table = model.__table__.name
        if self.dialect == "postgresql":
            db.session.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
            yield
            db.session.execute(text(f"ALTER TABLE {table} ENABLE TRIGGER USER"))
            return
        # SQLite cannot disable a trigger: drop it and create it again from its own text.
        saved = db.session.execute(text(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = :t"
        ), {"t": table}).all()
        for name, _sql in saved:
            db.session.execute(text(f'DROP TRIGGER "{name}"'))
        yield
        for _name, sql in saved:
            db.session.execute(text(sql))

    def fix_sequences(self, models: list) -> None:
        """After explicit ids, move PostgreSQL's sequences past them."""
        if self.dialect != "postgresql":
            return
        for model in models:
            table = model.__table__.name
            db.session.execute(text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                f"COALESCE((SELECT MAX(id) FROM {table}), 1))"
            ))


def _sqlite_value(value):
    if isinstance(value, datetime):
        # As SQLAlchemy writes them (always with microseconds): keyset comparisons are textual.
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _chunks(rows: Iterable[tuple], size: int) -> Iterator[list[tuple]]:
    chunk: list[tuple] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
