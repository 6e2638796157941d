"""The keys of the audit chain: configured like SECRET_KEY, never stored in the database.

AUDIT_KEY keys every new entry (HMAC-SHA256) and signs every checkpoint. A rotation moves the
old key into AUDIT_KEYS_RETIRED, where it still verifies what it signed. Each entry and
checkpoint names its key by a fingerprint (`key_id`), which says which key to use and
reveals nothing of it.
"""

from __future__ import annotations

import hashlib
import hmac
import re

from flask import current_app


def key_id(key: bytes) -> str:
    """A key's public fingerprint: 16 hex digits of an HMAC under the key itself."""
    return hmac.new(key, b"zaigang audit key id", hashlib.sha256).hexdigest()[:16]


def _as_bytes(value: str) -> bytes:
    return value.strip().encode()


def current() -> tuple[str, bytes]:
    """(key id, key) of the key that signs from now on."""
    key = _as_bytes(current_app.config["AUDIT_KEY"])
    return key_id(key), key


def known() -> dict[str, bytes]:
    """Every configured key (current and retired) by key id."""
    keys = [current_app.config["AUDIT_KEY"],
            *re.split(r"[\s,]+", current_app.config.get("AUDIT_KEYS_RETIRED") or "")]
    return {key_id(_as_bytes(k)): _as_bytes(k) for k in keys if k.strip()}


def mac(key: bytes, message: str) -> str:
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()
