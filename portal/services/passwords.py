"""Password hashing with Argon2id."""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context

_STRONG = PasswordHasher()
# Tests only (PASSWORD_HASH_FAST): the same algorithm with minimal cost.
_FAST = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
_DUMMY = {id(h): h.hash(secrets.token_hex(16)) for h in (_STRONG, _FAST)}


def _hasher() -> PasswordHasher:
    if has_app_context() and current_app.config.get("PASSWORD_HASH_FAST"):
        return _FAST
    return _STRONG


def hash_password(password: str) -> str:
    """Hash a password for storage."""
    return _hasher().hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    """Check a password; with no stored hash, spend the same time and say no."""
    hasher = _hasher()
    try:
        return hasher.verify(stored or _DUMMY[id(hasher)], password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    """True when a stored hash was made with other parameters than the current ones."""
    return _hasher().check_needs_rehash(stored)


def generate_password() -> str:
    """A password that is easy to type and hard to guess (about 100 bits)."""
    return "-".join(secrets.token_urlsafe(6) for _ in range(3))
