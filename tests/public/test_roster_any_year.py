"""The public roster of a year the official data does not cover yet: its statutory holidays are
there, computed, and the page says that the year's 调休 is not yet published."""

from __future__ import annotations

import re

from portal.rules.calendar import package_knows

PENDING = "年的调休安排尚未公布"


def _row(page: str, day_label: str) -> str:
    found = re.search(rf"<th scope=\"row\">(?:<span class=\"date\">)?{day_label} (.*?)</th>", page, re.S)
    assert found, f"no row for {day_label}"
    return found.group(1)


def test_2027_roster_shows_new_years_day_as_a_holiday(demo, client):
    page = client.get("/t/990101001/roster?month=2027-01").get_data(as_text=True)
    assert "节假日 元旦" in _row(page, "1月1日")
    assert "工作日" in _row(page, "1月4日")
    if not package_knows(2027):
        assert "2027 " + PENDING in page


def test_2027_spring_festival_needs_duty_cover_like_any_holiday(demo, client):
    page = client.get("/t/990101001/roster?month=2027-02").get_data(as_text=True)
    for day in ("2月5日", "2月8日"):  # 除夕 (a Friday) to 初三 (a Monday)
        assert "节假日 春节" in _row(page, day)
    assert "工作日" in _row(page, "2月9日")  # no 调休 guessed around it


def test_a_year_with_official_data_has_no_such_note(demo, client):
    page = client.get("/t/990101001/roster?month=2026-10").get_data(as_text=True)
    assert PENDING not in page
    assert "节假日 国庆节" in _row(page, "10月1日")
