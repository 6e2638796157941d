"""The rate-limit key of a client: its address as the trusted proxy saw it.

ProxyFix (configured with the number of trusted hops) has already rewritten
REMOTE_ADDR, so a forged X-Forwarded-For from the client changes nothing.
The address is only ever handed to the limiter's storage, never stored or logged.
"""

from flask import request


def client_key() -> str:
    """Return the client address for rate limiting only."""
    return request.remote_addr or "unknown"
