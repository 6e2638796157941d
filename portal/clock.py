"""The one clock the application reads the time from.

In production it is the system clock. Elsewhere `ZAIGANG_CLOCK` (an ISO 8601 moment, e.g.
`2027-01-04T22:30:00+08:00`) starts the clock at that moment when the process starts, and
it runs on from there, so that the whole suite, the demo and a served instance can be
tried on any date: New Year's Eve at 23:50, a Sunday night, a Spring Festival week.
Tests move it with `set_to` (and `running_from` for a block).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

from portal.rules.calendar import TZ

ENV_VAR = "ZAIGANG_CLOCK"

_offset = timedelta(0)


class ClockError(ValueError):
    """ZAIGANG_CLOCK is not an ISO 8601 moment, or is set where it is refused."""


def system_now() -> datetime:
    """The system's clock, whatever ZAIGANG_CLOCK says: what a production process reads."""
    return datetime.now(UTC)


def now() -> datetime:
    """Now, timezone-aware, in UTC."""
    return system_now() + _offset


def local_now() -> datetime:
    """Now, in Asia/Shanghai."""
    return now().astimezone(TZ)


def today() -> date:
    """Today's date in Asia/Shanghai."""
    return local_now().date()


def parse_moment(text: str) -> datetime:
    """An ISO 8601 moment; one without an offset is read as Asia/Shanghai local time."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise ClockError(f"{ENV_VAR} must be an ISO 8601 moment such as "
                         f"2027-01-04T22:30:00+08:00, not {text!r}") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=TZ)
    return moment


def set_to(moment: datetime) -> None:
    """Make the clock read `moment` now and run on from it."""
    global _offset
    if moment.tzinfo is None:
        raise ClockError("an aware datetime is required")
    _offset = moment - system_now()


def reset() -> None:
    """Back to the system clock (or to ZAIGANG_CLOCK's moment, re-read)."""
    global _offset
    _offset = timedelta(0)


def is_shifted() -> bool:
    """True while the clock is not the system clock."""
    return _offset != timedelta(0)


@contextmanager
def running_from(moment: datetime) -> Iterator[None]:
    """Within the block the clock reads `moment` and runs on; afterwards it is as before."""
    global _offset
    before = _offset
    set_to(moment)
    try:
        yield
    finally:
        _offset = before


@contextmanager
def preserved() -> Iterator[None]:
    """Whatever the block does to the clock is undone afterwards (the tests' guard)."""
    global _offset
    before = _offset
    try:
        yield
    finally:
        _offset = before


def refused_in(environ: Mapping[str, str]) -> bool:
    """True when ZAIGANG_CLOCK is set for a production process (where it is refused)."""
    return bool(environ.get(ENV_VAR, "").strip()) and (
        environ.get("PORTAL_ENV", "development").strip().lower() == "production"
    )


def start_from_environment(environ: Mapping[str, str] = os.environ) -> None:
    """Apply ZAIGANG_CLOCK, if set; a production process keeps the system clock
    (and `security.check_production_config` refuses to start it)."""
    text = environ.get(ENV_VAR, "").strip()
    if text and not refused_in(environ):
        set_to(parse_moment(text))


start_from_environment()
