"""The rate-limit key of a client: a keyed hash of its address as the trusted proxy saw it.

ProxyFix (configured with the number of trusted hops) has already rewritten
REMOTE_ADDR, so a forged X-Forwarded-For from the client changes nothing. The
limiter's storage (memory or Redis, with an expiry) sees only an HMAC of the
address under a key derived from SECRET_KEY: every app process of one deployment
computes the same key for a client, and nobody reading Redis learns an address.
"""

import hashlib
import hmac

from flask import current_app, request

_LABEL = b"zaigang rate-limit client key"


def _key() -> bytes:
    cached = current_app.extensions.get("zaigang.clientkey")
    if cached is None:
        secret = current_app.config["SECRET_KEY"].encode()
        cached = hmac.new(secret, _LABEL, hashlib.sha256).digest()
        current_app.extensions["zaigang.clientkey"] = cached
    return cached


def client_key() -> str:
    """Return the pseudonymous client key used for rate limiting only."""
    address = (request.remote_addr or "unknown").encode()
    return hmac.new(_key(), address, hashlib.sha256).hexdigest()[:32]
