"""The rate-limit key of a client: a keyed hash of its address as the trusted proxy saw it.

ProxyFix (configured with the number of trusted hops) has already rewritten
REMOTE_ADDR, so a forged X-Forwarded-For from the client changes nothing. The
limiter's storage (memory or Redis, with an expiry) sees only an HMAC of the
address under a key derived from SECRET_KEY: every app process of one deployment
computes the same key for a client, and nobody reading Redis learns an address.
"""

import hashlib
import hmac
import ipaddress

from flask import current_app, request

_LABEL = b"zaigang rate-limit client key"


def _key() -> bytes:
    cached = current_app.extensions.get("zaigang.clientkey")
    if cached is None:
        secret = current_app.config["SECRET_KEY"].encode()
        cached = hmac.new(secret, _LABEL, hashlib.sha256).digest()
        current_app.extensions["zaigang.clientkey"] = cached
    return cached


def client_network(address: str) -> str:
    """What counts as one client: an IPv4 address, or the /64 of an IPv6 one.

    An IPv6 subscriber is given a whole /64 (2**64 addresses) and can pick a fresh one for
    every request; counting by address would give them a fresh allowance each time.
    """
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return address or "unknown"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


def client_key() -> str:
    """Return the pseudonymous client key used for rate limiting only."""
    network = client_network(request.remote_addr or "unknown").encode()
    return hmac.new(_key(), network, hashlib.sha256).hexdigest()[:32]
