"""Brakes, not walls, on the anonymous routes (/report, /track).

A limit that answers 429 can be run into on purpose: ~120 addresses used to exhaust the
global allowances and lock every reporter out for the hour, and a cadre on the same
carrier-grade NAT address as a village could use up that village's allowance. Here no
limit refuses. Each client key (portal.clientkey: an IPv4 address, or an IPv6 /64) has a
free allowance; over it, and for everyone while the whole site is over its brake, a
submission is accepted once its form has been open for a wait that grows with the pressure
(portal.rules.brake). Every form carries a signed, single-use ticket of when it was
opened; a submission that comes too soon gets the same form back, everything typed kept,
with the seconds left.

Counters and used tickets live in the limiter's storage (memory or Redis) with an expiry,
keyed by the client key hash, never an address; with that storage down, in this process's
memory.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass

from flask import current_app, request
from itsdangerous import BadSignature, URLSafeSerializer
from limits import parse_many
from limits.storage import MemoryStorage, Storage

from portal import clock
from portal.clientkey import client_key
from portal.extensions import limiter
from portal.rules.brake import Brake, remaining, required_wait

FIELD = "ticket"
TICKET_LIFETIME = 6 * 3600
_PREFIX = "zaigang/brake"
_fallback = MemoryStorage()
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Route:
    """One braked route: its config keys."""

    scope: str
    free: str  # per-client allowance, e.g. "10/hour"
    site: str | None  # the whole site's brake, or None
    step: str
    cap: str


REPORT = Route("report", "REPORT_RATE_LIMIT", "REPORT_GLOBAL_RATE_LIMIT",
               "REPORT_BRAKE_STEP", "REPORT_BRAKE_MAX_WAIT")
TRACK = Route("track", "TRACK_RATE_LIMIT", None, "TRACK_BRAKE_STEP", "TRACK_BRAKE_MAX_WAIT")


def _storage() -> Storage:
    storage = limiter.storage if limiter.enabled else None
    return storage if storage is not None else _fallback


def _incr(key: str, expiry: int) -> int:
    try:
        return _storage().incr(key, expiry)
    except Exception:  # noqa: BLE001 - storage down: count in this process rather than fail
        log.warning("rate-limit storage unavailable; counting in process memory")
        return _fallback.incr(key, expiry)


def _get(key: str) -> int:
    try:
        return int(_storage().get(key) or 0)
    except Exception:  # noqa: BLE001
        return int(_fallback.get(key) or 0)


def _windows(limit_text: str, who: str) -> list[tuple[str, int, int]]:
    """(counter key, window seconds, allowance) of each limit of `limit_text` for `who`."""
    now = int(clock.now().timestamp())
    out = []
    for item in parse_many(limit_text):
        seconds = item.get_expiry()
        out.append((f"{_PREFIX}/{who}/{item.amount}-{seconds}/{now // seconds}", seconds, item.amount))
    return out


def _excess(route: Route) -> tuple[int, bool]:
    config = current_app.config
    who = f"{route.scope}/{client_key()}"
    excess = max((_get(key) - amount + 1 for key, _s, amount in _windows(config[route.free], who)),
                 default=0)
    site_over = False
    if route.site and config.get(route.site):
        site_over = any(_get(key) >= amount
                        for key, _s, amount in _windows(config[route.site], f"{route.scope}/all"))
    return max(excess, 0), site_over


def record(route: Route) -> None:
    """Count one submission of this client (and of the site) on the route."""
    if not limiter.enabled:
        return
    config = current_app.config
    for key, seconds, _amount in _windows(config[route.free], f"{route.scope}/{client_key()}"):
        _incr(key, seconds)
    if route.site and config.get(route.site):
        for key, seconds, _amount in _windows(config[route.site], f"{route.scope}/all"):
            _incr(key, seconds)


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="zaigang form ticket")


def issue() -> str:
    """A fresh ticket: when this form was opened, and a nonce that makes it single-use."""
    return _serializer().dumps([int(clock.now().timestamp()), secrets.token_urlsafe(9)])


def _read(value: str) -> tuple[int, str] | None:
    try:
        opened, nonce = _serializer().loads(value or "")
        opened, nonce = int(opened), str(nonce)[:24]
    except (BadSignature, TypeError, ValueError):
        return None
    if not 0 <= clock.now().timestamp() - opened <= TICKET_LIFETIME:
        return None
    return opened, nonce


@dataclass(frozen=True)
class Verdict:
    """Seconds left to wait (0: go ahead), and the ticket the form must carry next."""

    wait: int
    ticket: str


def check(route: Route) -> Verdict:
    """May this submission go ahead now? Consumes the form's ticket when a wait applied."""
    config = current_app.config
    excess, site_over = _excess(route)
    wait = required_wait(Brake(int(config[route.step]), int(config[route.cap])), excess, site_over)
    submitted = request.form.get(FIELD, "")[:200]
    if wait == 0 or not limiter.enabled:
        return Verdict(0, submitted)
    ticket = _read(submitted)
    now = clock.now().timestamp()
    left = remaining(wait, ticket[0] if ticket else None, now)
    if ticket is None:
        return Verdict(left, issue())
    if left:
        return Verdict(left, submitted)
    if _incr(f"{_PREFIX}/used/{ticket[1]}", TICKET_LIFETIME) > 1:
        return Verdict(wait, issue())  # replayed: a ticket opens one submission only
    return Verdict(0, submitted)


def ticket_for_form() -> str:
    """The ticket a re-rendered form carries: the one it came with if still good, else a new one."""
    submitted = request.form.get(FIELD, "")[:200] if request.method == "POST" else ""
    return submitted if _read(submitted) else issue()
