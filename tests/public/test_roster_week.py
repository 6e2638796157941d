"""The roster a week at a time: what a phone opens on (today, tonight first), and `?week=`."""

from __future__ import annotations

import re
from datetime import date

import pytest

from portal.extensions import db
from portal.models import ShiftKind
from portal.services.office.roster_week import month_of_week, parse_week, week_key
from tests.conftest import at
from tests.public.helpers import count_statements, shift, township_with_cadres

NIGHT, DAY = ShiftKind.NIGHT, ShiftKind.DAY


@pytest.fixture
def december(app):
    """Week 50 of 2026 (Mon 7 – Sun 13 Dec): every night covered, Saturday's day shift not."""
    at("2026-12-07T10:00")
    with app.app_context():
        t, secretary, head, deputy, staff = township_with_cadres(2)
        for d in range(1, 32):
            shift(t, date(2026, 12, d), NIGHT, leaders=[deputy], staff=[staff[d % 2]])
        shift(t, date(2026, 12, 13), DAY, leaders=[head], staff=[staff[0]])
        db.session.commit()
        return t.code


def _cards(html: str) -> list[str]:
    return re.findall(r'<li class="day[^"]*"[^>]*>.*?</li>', html, re.S)


@pytest.mark.parametrize(("text", "monday"), [
    ("2026-W50", date(2026, 12, 7)), ("2026-w50", date(2026, 12, 7)),
    ("2026-12-10", date(2026, 12, 7)), ("2026-W53", date(2026, 12, 28)),
    ("2027-W01", date(2027, 1, 4)), ("2026-W54", None), ("2026-W00", None), ("1999-W10", None),
    ("2026-13-01", None), ("W50", None), ("", None), ("2026-W5a", None),
])
def test_weeks_are_iso_weeks_or_any_date_in_them(text, monday):
    assert parse_week(text) == monday
    if monday:
        assert parse_week(week_key(monday)) == monday


def test_a_week_across_two_months_belongs_to_today_or_its_thursday():
    assert month_of_week(date(2026, 11, 30), date(2026, 12, 2)) == (2026, 12)
    assert month_of_week(date(2026, 11, 30), date(2026, 11, 30)) == (2026, 11)
    assert month_of_week(date(2026, 12, 28), date(2026, 12, 7)) == (2026, 12)


def test_the_roster_opens_on_this_week_today_first_and_tonight_first(app, december):
    html = app.test_client().get(f"/t/{december}/roster").get_data(as_text=True)
    week = html.split('class="week-view"')[1].split('class="month-view"')[0]
    cards = _cards(week)
    # Monday is today: the week's seven days, today first and marked as today.
    assert len(cards) == 7
    assert 'aria-current="date"' in cards[0] and "12月7日 周一" in cards[0] and "今天" in cards[0]
    assert cards[0].index("今晚") < cards[0].index("今天白天")
    assert "12月13日 周日" in cards[-1]
    assert 'aria-current="date"' not in "".join(cards[1:])
    # Saturday's day shift is missing, in words and in red; the others are filled.
    saturday = next(c for c in cards if '<span class="date">12月12日' in c)
    assert "无人排班" in saturday and 'class="shift gap"' in saturday
    assert "这一周有 1 个班次缺人" in week
    # Previous and next week, and the whole month, one tap away; the month is on the page too.
    assert f'href="/t/{december}/roster?week=2026-W49"' in week
    assert f'href="/t/{december}/roster?week=2026-W51"' in week
    assert f'href="/t/{december}/roster?month=2026-12"' in week and "整月" in week
    assert "2026年12月值班表" in html and '<table class="roster">' in html
    assert 'tel:0999' in week


def test_later_in_the_week_the_days_gone_by_fold_away(app, december):
    at("2026-12-10T21:00")
    html = app.test_client().get(f"/t/{december}/roster").get_data(as_text=True)
    week = html.split('class="week-view"')[1].split('class="month-view"')[0]
    ahead, past = week.split('<details class="past">')
    assert "12月10日 周四" in _cards(ahead)[0] and len(_cards(ahead)) == 4
    assert "本周已过去的 3 天" in past and len(_cards(past)) == 3


def test_another_week_by_its_name_or_a_date_in_it(app, december):
    client = app.test_client()
    page = client.get(f"/t/{december}/roster?week=2026-W51")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    cards = _cards(html)
    assert len(cards) == 7 and "12月14日 周一" in cards[0] and "12月20日 周日" in cards[-1]
    assert 'aria-current="date"' not in html.split("<main")[1].split("</main>")[0].replace(
        'aria-current="page"', "")
    assert f'href="/t/{december}/roster?week=2026-W50">本周' in html
    assert '<table class="roster">' not in html
    same = client.get(f"/t/{december}/roster?week=2026-12-17").get_data(as_text=True)
    assert _cards(same) == cards


def test_a_week_across_the_new_year(app, december):
    html = app.test_client().get(f"/t/{december}/roster?week=2026-W53").get_data(as_text=True)
    cards = _cards(html)
    assert "12月28日" in cards[0] and "1月3日" in cards[-1]
    assert f"/t/{december}/roster?week=2027-W01" in html


@pytest.mark.parametrize("week", ["2026-W99", "abc", "2026-02-30", "1999-W01"])
def test_a_bad_week_is_a_clear_400(app, december, week):
    response = app.test_client().get(f"/t/{december}/roster", query_string={"week": week})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "不是有效的周" in html and "2026-W50" in html


def test_the_month_view_links_back_to_its_week(app, december):
    html = app.test_client().get(f"/t/{december}/roster?month=2026-12").get_data(as_text=True)
    assert f'href="/t/{december}/roster?week=2026-W50">按周看' in html
    assert 'class="week-view"' not in html
    today_row = re.search(r'<tr class="[^"]*today"[^>]*>.*?</tr>', html, re.S).group(0)
    assert 'aria-current="date"' in today_row and "今天" in today_row


def test_the_default_page_costs_a_bounded_number_of_statements(app, december):
    client = app.test_client()
    with count_statements(app) as statements:
        assert client.get(f"/t/{december}/roster").status_code == 200
    assert len(statements) <= 6
    with count_statements(app) as statements:
        assert client.get(f"/t/{december}/roster?week=2026-W52").status_code == 200
    assert len(statements) <= 6
