"""Shared column types and defaults for the models."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from sqlalchemy import Column, DateTime, Enum
from sqlalchemy.types import TypeDecorator

from portal import clock


def utcnow() -> datetime:
    """Now, timezone-aware, in UTC, from the app's one clock (portal/clock.py)."""
    return clock.now()


def new_public_id() -> str:
    """A random public identifier: nothing a user or URL sees is a sequential id.

    It starts with a letter or digit, so that a spreadsheet never reads it as a formula (an
    export would have to prefix a leading "-") and it never looks like a command-line option.
    """
    while True:
        value = secrets.token_urlsafe(12)
        if value[0].isalnum():
            return value


class UTCDateTime(TypeDecorator):
    """Store times as UTC and always hand back aware datetimes, on SQLite too."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def str_enum(enum_cls: type) -> Enum:
    """A portable enum column that stores the members' values as short strings."""
    return Enum(
        enum_cls,
        native_enum=False,
        length=24,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


def compared_by_autogenerate(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic's include_object: leave out indexes on expressions (the queue's due indexes).

    Databases give such an index back rewritten (PostgreSQL adds casts; SQLite not at all),
    so autogenerate would see a change on every run; their revision creates them as written,
    and tests/test_migrations.py checks that each exists.
    """
    if type_ != "index":
        return True
    return all(isinstance(e, Column) for index in (obj, compare_to) if index is not None
               for e in index.expressions)
