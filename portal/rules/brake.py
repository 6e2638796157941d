"""How long a form must have been open before it is accepted, from the pressure on a route.

The anonymous routes are never closed by a limit: a client address (or IPv6 /64) over its
free allowance, or everyone while the whole site is over its brake, only has to wait a
little between opening the form and submitting it. Writing a report takes longer than the
wait, so an honest reporter rarely notices; a script has to hold each form that long.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Brake:
    """Seconds of wait per submission over the allowance, and the most ever asked."""

    step: int
    cap: int


def required_wait(brake: Brake, excess: int, site_over: bool) -> int:
    """Seconds the form must have been open: 0 within the allowance, growing by `step` for each
    submission over it, never above `cap`; `cap` for everyone while the site is over its brake."""
    wait = min(brake.step * excess, brake.cap) if excess > 0 else 0
    return brake.cap if site_over else wait


def remaining(wait: int, opened_at: float | None, now: float) -> int:
    """Seconds still to wait for a form opened at `opened_at` (None: a form never opened)."""
    if wait <= 0:
        return 0
    if opened_at is None or opened_at > now:
        return wait
    return max(0, int(opened_at + wait - now + 0.999))
