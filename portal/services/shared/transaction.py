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

from portal.extensions import db

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
