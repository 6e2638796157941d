"""A use case's transaction: it commits once, or leaves nothing behind.

Services own their transaction. A step that is refused, or fails on the way, rolls its
session back before the error reaches the view, so the view only words the error and shows
the page again; it never rolls back itself (on PostgreSQL a failed statement would otherwise
leave the request's transaction unusable for the page that follows).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.exc import StaleDataError

from portal.extensions import db
from portal.services.shared.errors import ConflictError

P = ParamSpec("P")
R = TypeVar("R")


@contextmanager
def rolled_back_on_error(enabled: bool = True) -> Iterator[None]:
    """Roll the session back if the block raises (unless the caller owns the transaction)."""
    try:
        yield
    except BaseException:
        if enabled:
            db.session.rollback()
        raise


def use_case(func: Callable[P, R]) -> Callable[P, R]:
    """A service function that owns its transaction: on any error the session is rolled back.

    Called with commit=False, it joins its caller's transaction and leaves the rollback to it.
    """

    @functools.wraps(func)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        with rolled_back_on_error(kwargs.get("commit", True) is not False):
            return func(*args, **kwargs)

    return run


def commit_or_conflict(conflict: str) -> None:
    """Commit; a concurrent change of the same rows is a ConflictError saying `conflict`.

    The change lost to another writer when its optimistic lock failed (StaleDataError) or,
    on SQLite, when the database stayed locked or busy. Any error rolls the session back.
    """
    try:
        db.session.commit()
    except (StaleDataError, OperationalError) as error:
        db.session.rollback()
        if isinstance(error, OperationalError) and not is_lock_error(error):
            raise
        raise ConflictError(conflict) from error
    except Exception:
        db.session.rollback()
        raise


def is_lock_error(error: OperationalError) -> bool:
    """SQLite reports a lost write race as 'database is locked'."""
    return "locked" in str(error.orig).lower() or "busy" in str(error.orig).lower()


def database_reachable() -> bool:
    """Whether the database answers a trivial query; a failure leaves the session usable."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any failure means the database is unreachable
        db.session.rollback()
        return False
    return True
