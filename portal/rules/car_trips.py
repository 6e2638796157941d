"""公车使用登记: when a trip to the county town is worth a second look.

A trip is flagged when its destination is the county town (县城) and the car comes back
after office hours on the day it went out, comes back on a later day, or has not come back
by the end of office hours: the pattern of a car taking cadres home to town for the night
(公车私用 for 走读).
"""

from __future__ import annotations

import enum
from datetime import date, datetime, time


class TripFlag(enum.StrEnum):
    LATE_RETURN = "late_return"  # 下班后返回
    OVERNIGHT = "overnight"  # 次日或以后返回（过夜）
    NOT_BACK = "not_back"  # 下班后仍未登记返回


def flag(*, to_county_town: bool, out_at: datetime, back_at: datetime | None,
         closes: time, now: datetime, tz) -> TripFlag | None:
    """The flag of a trip (times aware; `closes` is the end of office hours, local)."""
    if not to_county_town:
        return None
    out_day = out_at.astimezone(tz).date()
    end_of_hours = datetime.combine(out_day, closes, tzinfo=tz)
    if back_at is None:
        return TripFlag.NOT_BACK if now >= end_of_hours else None
    back = back_at.astimezone(tz)
    if back.date() > out_day:
        return TripFlag.OVERNIGHT
    if back > end_of_hours or out_at >= end_of_hours:
        return TripFlag.LATE_RETURN
    return None


def night_of(out_at: datetime, tz, opens: time) -> date:
    """The night a flagged trip concerns: the evening of its out day (before office hours
    opened, the night before)."""
    local = out_at.astimezone(tz)
    if local.time() < opens:
        return date.fromordinal(local.date().toordinal() - 1)
    return local.date()
