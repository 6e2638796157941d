"""When a trip to the county town is flagged: back after office hours, the next day, or not back."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from portal.rules.calendar import TZ
from portal.rules.car_trips import TripFlag, flag, night_of

CLOSES = time(18, 0)
NOW = datetime(2026, 12, 9, 10, 0, tzinfo=TZ)


def _t(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=TZ)


@pytest.mark.parametrize(("county", "out", "back", "now", "expected"), [
    (True, _t(7, 9), _t(7, 16), NOW, None),  # a day trip to the county offices
    (True, _t(7, 9), _t(7, 18), NOW, None),  # back as the office closes
    (True, _t(7, 16), _t(7, 19, 30), NOW, TripFlag.LATE_RETURN),
    (True, _t(7, 18, 30), _t(7, 20), NOW, TripFlag.LATE_RETURN),  # out after hours
    (True, _t(7, 17), _t(8, 7, 40), NOW, TripFlag.OVERNIGHT),
    (True, _t(7, 17), None, NOW, TripFlag.NOT_BACK),
    (True, _t(9, 8), None, _t(9, 10), None),  # still out, but office hours are not over
    (False, _t(7, 17), _t(8, 7, 40), NOW, None),  # a village or another township: no flag
])
def test_flag(county, out, back, now, expected):
    assert flag(to_county_town=county, out_at=out, back_at=back, closes=CLOSES, now=now,
                tz=TZ) == expected


def test_the_night_of_a_trip_is_its_evening_or_before_the_office_opens_the_night_before():
    assert night_of(_t(7, 17), TZ, time(8, 30)) == date(2026, 12, 7)
    assert night_of(_t(8, 6), TZ, time(8, 30)) == date(2026, 12, 7)
