"""The statutory public holidays of any year, from the lunar calendar and the solar terms.

全国年节及纪念日放假办法 fixes which days are holidays; only the State Council's yearly notice
adds the bridging (调休) around them, and that cannot be computed. Each revision applies from
the year it took effect:

| years      | 元旦 | 春节                | 清明 | 劳动节  | 端午 | 中秋 | 国庆   |
|------------|------|---------------------|------|---------|------|------|--------|
| ≤ 2007     | 1    | 3, from 初一        | —    | 3 (1–3) | —    | —    | 3      |
| 2008–2013  | 1    | 3, from 除夕         | 1    | 1       | 1    | 1    | 3      |
| 2014–2024  | 1    | 3, from 初一         | 1    | 1       | 1    | 1    | 3      |
| 2025 on    | 1    | 4, from 除夕         | 1    | 2 (1–2) | 1    | 1    | 3      |
"""

from __future__ import annotations

import functools
from datetime import date, timedelta

from lunar_python import Lunar, Solar

NEW_YEAR = "元旦"
SPRING_FESTIVAL = "春节"
TOMB_SWEEPING = "清明节"
LABOUR_DAY = "劳动节"
DRAGON_BOAT = "端午节"
MID_AUTUMN = "中秋节"
NATIONAL_DAY = "国庆节"

# The names the State Council's notices use, in their usual order.
STATUTORY_NAMES = (NEW_YEAR, SPRING_FESTIVAL, TOMB_SWEEPING, LABOUR_DAY, DRAGON_BOAT, MID_AUTUMN,
                   NATIONAL_DAY)

_ONE_DAY = timedelta(days=1)


def _solar(lunar: Lunar) -> date:
    s = lunar.getSolar()
    return date(s.getYear(), s.getMonth(), s.getDay())


def lunar_date(year: int, month: int, day: int) -> date:
    """The Gregorian date of a day of the lunar calendar (year as the lunar year)."""
    return _solar(Lunar.fromYmd(year, month, day))


def qingming(year: int) -> date:
    """The day of the solar term 清明 (4 or 5 April, Beijing time)."""
    s = Solar.fromYmd(year, 4, 1).getLunar().getJieQiTable()["清明"]
    return date(s.getYear(), s.getMonth(), s.getDay())


def _spring_festival(year: int) -> tuple[date, int]:
    first = lunar_date(year, 1, 1)  # 初一 of lunar year `year` falls in its January or February
    if year >= 2025:
        return first - _ONE_DAY, 4
    if 2008 <= year <= 2013:
        return first - _ONE_DAY, 3
    return first, 3


@functools.lru_cache(maxsize=256)
def statutory_holidays(year: int) -> dict[date, str]:
    """The statutory holidays of a year under the rules then in force: date → name.

    Without the bridged days of the State Council's notice. Where two holidays fall on one
    day (中秋 on 1 October), the day is 国庆节.
    """
    days: dict[date, str] = {}

    def add(first: date, count: int, name: str) -> None:
        for i in range(count):
            days.setdefault(first + i * _ONE_DAY, name)

    add(date(year, 10, 1), 3, NATIONAL_DAY)
    add(date(year, 1, 1), 1, NEW_YEAR)
    add(*_spring_festival(year), SPRING_FESTIVAL)
    add(date(year, 5, 1), 2 if year >= 2025 else 1 if year >= 2008 else 3, LABOUR_DAY)
    if year >= 2008:
        add(qingming(year), 1, TOMB_SWEEPING)
        add(lunar_date(year, 5, 5), 1, DRAGON_BOAT)
        add(lunar_date(year, 8, 15), 1, MID_AUTUMN)
    return dict(sorted(days.items()))
