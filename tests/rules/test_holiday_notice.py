"""The State Council's notice, read into holidays and make-up working days: the 2025 and 2026
notices day by day against chinesecalendar, and what the parser warns about or refuses."""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
import pytest

from portal.rules.calendar import HOLIDAY_NAMES_ZH, OfficialCalendar
from portal.rules.holiday_notice import NoticeError, parse_notice
from tests.rules.holiday_notices import NOTICE_2025, NOTICE_2026

NOTICES = {2025: NOTICE_2025, 2026: NOTICE_2026}


def _year(year: int) -> list[date]:
    first = date(year, 1, 1)
    return [first + timedelta(days=i) for i in range((date(year + 1, 1, 1) - first).days)]


def _package(d: date) -> tuple[bool, str | None]:
    working = chinese_calendar.is_workday(d)
    _, name = chinese_calendar.get_holiday_detail(d)
    return working, HOLIDAY_NAMES_ZH.get(name, name) if name else None


@pytest.mark.parametrize("year", sorted(NOTICES))
def test_notice_reads_every_day_of_the_year_as_the_package_has_it(year: int) -> None:
    parsed = parse_notice(NOTICES[year])
    assert parsed.year == year
    assert parsed.warnings == []
    listed = {d.date: d for d in parsed.days}
    for day in _year(year):
        working, name = _package(day)
        if day in listed:
            assert (listed[day].working, listed[day].name) == (working, name), day
        else:  # not in the notice: an ordinary weekday or weekend, which the package agrees with
            assert working == (day.weekday() < 5) and not chinese_calendar.is_in_lieu(day), day


@pytest.mark.parametrize("year", sorted(NOTICES))
def test_a_confirmed_notice_gives_the_packages_calendar(year: int) -> None:
    parsed = parse_notice(NOTICES[year])
    confirmed = OfficialCalendar(schedules={year: {d.date: (d.working, d.name) for d in parsed.days}})
    package = OfficialCalendar()
    assert [confirmed.day(d) for d in _year(year)] == [package.day(d) for d in _year(year)]
    assert confirmed.count_working_days(date(year, 1, 1), date(year, 12, 31)) == \
        package.count_working_days(date(year, 1, 1), date(year, 12, 31))


def test_2025_table() -> None:
    parsed = parse_notice(NOTICE_2025)
    assert [(d.date.isoformat(), d.name) for d in parsed.makeup_days] == [
        ("2025-01-26", "春节"), ("2025-02-08", "春节"), ("2025-04-27", "劳动节"),
        ("2025-09-28", "国庆节"), ("2025-10-11", "国庆节")]
    assert len(parsed.holidays) == 1 + 8 + 3 + 5 + 3 + 8
    assert {d.date: d.name for d in parsed.holidays}[date(2025, 10, 6)] == "中秋节"


def test_full_width_digits_line_breaks_and_half_width_punctuation_read_alike() -> None:
    variant = (NOTICE_2026.replace("（", "(").replace("）", ")").replace("：", ":")
               .replace("1月4日", "１月\n４日"))
    assert parse_notice(variant).days == parse_notice(NOTICE_2026).days


def test_new_years_day_from_the_year_before() -> None:
    text = ("国务院办公厅关于2023年部分节假日安排的通知\n"
            "一、元旦：2022年12月31日至2023年1月2日放假调休，共3天。\n"
            "二、春节：1月21日至27日放假调休，共7天。1月28日（星期六）、1月29日（星期日）上班。")
    parsed = parse_notice(text)
    assert [d.date for d in parsed.holidays][:3] == [date(2022, 12, 31), date(2023, 1, 1), date(2023, 1, 2)]
    assert [d.date for d in parsed.makeup_days] == [date(2023, 1, 28), date(2023, 1, 29)]
    calendar = OfficialCalendar(schedules={2023: {d.date: (d.working, d.name) for d in parsed.days}})
    assert calendar.day(date(2022, 12, 31)).name == "元旦"
    assert calendar.day(date(2023, 4, 5)).is_working  # left out of this text: no 清明 guessed


@pytest.mark.parametrize(
    ("change", "code", "subject"),
    [
        (("5月1日（周五）", "5月1日（周六）"), "weekday", "5月1日(周六)"),
        (("共9天", "共8天"), "count", "02-15–02-23"),
        (("5月9日（周六）上班", "5月8日（周五）上班"), "makeup_weekday", "2026-05-08"),
        (("五、端午节：6月19日（周五）至21日（周日）放假，共3天。", ""), "missing", "2026-06-19 端午节"),
        (("六、中秋节：", "六、重阳节："), "unknown_name", "重阳节"),
        (("4月4日（周六）至6日", "4月31日（周六）至6日"), "bad_date", "4月31日"),
    ],
)
def test_what_looks_wrong_is_a_warning(change, code, subject) -> None:
    parsed = parse_notice(NOTICE_2026.replace(*change))
    assert (code, subject) in {(w.code, w.subject) for w in parsed.warnings}


def test_a_day_both_off_and_working_is_flagged() -> None:
    parsed = parse_notice(NOTICE_2026.replace("1月4日（周日）上班", "1月3日（周六）上班"))
    assert ("conflict", "2026-01-03") in {(w.code, w.subject) for w in parsed.warnings}
    assert not {d.date: d for d in parsed.days}[date(2026, 1, 3)].working  # the first mention


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "no_year"),
        ("元旦放假一天，春节放假八天。", "no_year"),
        ("国务院办公厅关于2027年部分节假日安排的通知。具体安排另行通知。", "no_sections"),
        ("国务院办公厅关于2027年部分节假日安排的通知\n一、元旦：另行通知。", "no_days"),
    ],
)
def test_text_that_is_not_a_notice_is_refused(text: str, code: str) -> None:
    with pytest.raises(NoticeError) as raised:
        parse_notice(text)
    assert raised.value.code == code
