"""Statutory holidays of any year, computed from the lunar calendar and the solar terms, checked
against chinesecalendar's official data for every year it knows."""

from __future__ import annotations

from datetime import date

import chinese_calendar
import pytest

from portal.rules.calendar import HOLIDAY_NAMES_ZH, DayKind, OfficialCalendar, package_knows
from portal.rules.holidays import MID_AUTUMN, NATIONAL_DAY, qingming, statutory_holidays
from portal.rules.rule_543 import compute_week

PACKAGE_YEARS = sorted({d.year for d in chinese_calendar.holidays})
# One-off days the package knows that no rule yields (the 2015 Victory Day parade).
ONE_OFF = {"抗战胜利70周年纪念日"}


def _package_name(d: date) -> str | None:
    _, name = chinese_calendar.get_holiday_detail(d)
    return HOLIDAY_NAMES_ZH.get(name, name) if name else None


@pytest.mark.parametrize("year", PACKAGE_YEARS)
def test_statutory_days_are_the_packages_holidays_with_the_same_name(year: int) -> None:
    for day, name in statutory_holidays(year).items():
        assert chinese_calendar.is_holiday(day), f"{day} ({name}) is a working day in the package"
        package = _package_name(day)
        if package is None:  # the package leaves a few days unnamed (端午 2012-06-23)
            continue
        if {name, package} <= {MID_AUTUMN, NATIONAL_DAY}:
            continue  # 中秋 on a National Day holiday: the package names it either way (2009, 2020)
        assert package == name, f"{day}: computed {name}, the package says {package}"


@pytest.mark.parametrize("year", PACKAGE_YEARS)
def test_every_holiday_the_package_names_is_computed(year: int) -> None:
    named = {_package_name(d) for d in chinese_calendar.holidays if d.year == year} - {None} - ONE_OFF
    computed = set(statutory_holidays(year).values())
    if MID_AUTUMN in named - computed:  # computed as 国庆节, where both fall on one day
        assert any(_package_name(d) == MID_AUTUMN and d.month == 10 for d in statutory_holidays(year))
        named.discard(MID_AUTUMN)
    assert named <= computed


@pytest.mark.parametrize(
    ("year", "spring_festival", "labour_day"),
    [
        (2007, [date(2007, 2, 18), date(2007, 2, 19), date(2007, 2, 20)], 3),  # 初一 to 初三
        (2013, [date(2013, 2, 9), date(2013, 2, 10), date(2013, 2, 11)], 1),  # 除夕 to 初二
        (2024, [date(2024, 2, 10), date(2024, 2, 11), date(2024, 2, 12)], 1),  # 初一 to 初三
        (2025, [date(2025, 1, 28), date(2025, 1, 29), date(2025, 1, 30), date(2025, 1, 31)], 2),
        (2027, [date(2027, 2, 5), date(2027, 2, 6), date(2027, 2, 7), date(2027, 2, 8)], 2),
    ],
)
def test_each_year_follows_the_revision_in_force(year, spring_festival, labour_day) -> None:
    days = statutory_holidays(year)
    assert [d for d, n in days.items() if n == "春节"] == spring_festival
    assert len([d for d, n in days.items() if n == "劳动节"]) == labour_day


def test_2027_statutory_holidays() -> None:
    assert statutory_holidays(2027) == {
        date(2027, 1, 1): "元旦",
        **{date(2027, 2, d): "春节" for d in (5, 6, 7, 8)},
        date(2027, 4, 5): "清明节",
        date(2027, 5, 1): "劳动节", date(2027, 5, 2): "劳动节",
        date(2027, 6, 9): "端午节",
        date(2027, 9, 15): "中秋节",
        date(2027, 10, 1): "国庆节", date(2027, 10, 2): "国庆节", date(2027, 10, 3): "国庆节",
    }


@pytest.mark.parametrize(("year", "day"), [(2026, 5), (2027, 5), (2028, 4), (2029, 4), (2032, 4)])
def test_qingming_is_the_solar_term(year: int, day: int) -> None:
    assert qingming(year) == date(year, 4, day)


def test_a_year_the_package_does_not_know_is_computed_and_marked() -> None:
    calendar = OfficialCalendar()
    assert not package_knows(2031)
    assert not calendar.adjustments_published(2031)
    day = calendar.day(date(2031, 1, 1))
    assert (day.kind, day.name) == (DayKind.HOLIDAY, "元旦")
    assert calendar.adjustments_published(2026)


def test_deadlines_and_543_use_the_computed_holidays() -> None:
    from datetime import datetime

    from portal.rules.calendar import TZ
    from portal.rules.deadlines import accept_deadline

    calendar = OfficialCalendar()
    # Submitted Wednesday 30 Dec 2026: Thu 31, (Fri 1 Jan 元旦, weekend), Mon 4, Tue 5.
    due = accept_deadline(datetime(2026, 12, 30, 10, tzinfo=TZ), calendar)
    assert due.date() == date(2027, 1, 5)
    # The week of 元旦 2027 has four working days: four required, not five.
    week = compute_week(date(2026, 12, 28), calendar, [], [], [], set())
    assert (week.required_work, week.required_nights, week.required_village) == (4, 4, 3)
