"""Password hashing with Argon2id."""

from __future__ import annotations

import functools
import secrets
from typing import TYPE_CHECKING

from flask import current_app, has_app_context

if TYPE_CHECKING:
    from argon2 import PasswordHasher


# argon2 is loaded, and the dummy hash computed, by the first password check of a process,
# not by every worker at start-up: most workers never see a login.
@functools.cache
def _hasher_and_dummy(fast: bool) -> tuple[PasswordHasher, str]:
    from argon2 import PasswordHasher

    # Tests only (PASSWORD_HASH_FAST): the same algorithm with minimal cost.
    hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1) if fast else PasswordHasher()
    return hasher, hasher.hash(secrets.token_hex(16))


def _fast() -> bool:
    return bool(has_app_context() and current_app.config.get("PASSWORD_HASH_FAST"))


def _hasher() -> PasswordHasher:
    return _hasher_and_dummy(_fast())[0]


def hash_password(password: str) -> str:
    """Hash a password for storage."""
    return _hasher().hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    """Check a password; with no stored hash, spend the same time and say no."""
    from argon2.exceptions import InvalidHashError, VerificationError

    # The dummy is fetched (made, the first time) whether or not there is a stored hash,
    # so that the first check of a process takes as long for an unknown user as for a known one.
    hasher, dummy = _hasher_and_dummy(_fast())
    try:
        return hasher.verify(stored or dummy, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    """True when a stored hash was made with other parameters than the current ones."""
    return _hasher().check_needs_rehash(stored)


def generate_password() -> str:
    """A password that is easy to type and hard to guess (about 100 bits)."""
    return "-".join(secrets.token_urlsafe(6) for _ in range(3))
