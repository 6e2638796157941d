"""The duty roster: month grid, coverage gaps on holidays and 调休 days, substitutes, feed."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from icalendar import Calendar

from portal.extensions import db
from portal.models import ShiftKind, Status
from portal.services.office import roster as roster_service
from portal.services.shared import townships
from tests.public.helpers import (
    count_statements,
    entry,
    leave,
    local,
    shift,
    today_local,
    township_with_cadres,
)

NIGHT, DAY = ShiftKind.NIGHT, ShiftKind.DAY


@pytest.fixture
def october(app):
    """National Day 2026: 1–7 Oct off, Sat 10 Oct a 调休 working day."""
    with app.app_context():
        t, secretary, head, deputy, staff = township_with_cadres(4)
        for d in range(1, 12):
            day = date(2026, 10, d)
            shift(t, day, NIGHT, leaders=[deputy], staff=[staff[d % 4]])
        shift(t, date(2026, 10, 1), DAY, leaders=[secretary], staff=staff[:2])
        shift(t, date(2026, 10, 2), DAY, leaders=[head], staff=[staff[2]],
              replaces={head.id: secretary})
        shift(t, date(2026, 10, 3), DAY, staff=[staff[3]])  # no leader
        shift(t, date(2026, 10, 4), DAY, leaders=[secretary])  # no staff
        # 5, 6, 7 Oct: no day shift at all; 10 Oct is a working day: none needed;
        # 11 Oct (Sunday): day shift needed and missing.
        db.session.delete(db.session.merge(_night(t, date(2026, 10, 8))))
        entry(secretary, Status.TRIP, local(date(2026, 10, 9), 9), local(date(2026, 10, 9), 17))
        leave(head, date(2026, 10, 9), date(2026, 10, 9))
        db.session.commit()
        return t.code


def _night(t, day):
    from sqlalchemy import select

    from portal.models import DutyShift

    return db.session.scalar(select(DutyShift).where(DutyShift.township_id == t.id,
                                                     DutyShift.day == day, DutyShift.kind == NIGHT))


def _gaps(app, code, start, end):
    with app.app_context():
        data = roster_service.range_roster(townships.get_by_code(code), start, end)
        return {(g.date.day, g.kind.value): g for g in data.gaps}, data


def test_gaps_in_the_national_day_week(app, october):
    gaps, data = _gaps(app, october, date(2026, 10, 1), date(2026, 10, 11))
    assert set(gaps) == {(3, "day"), (4, "day"), (5, "day"), (6, "day"), (7, "day"), (8, "night"),
                         (11, "day")}
    assert gaps[(3, "day")].missing_leader and not gaps[(3, "day")].missing_staff
    assert gaps[(4, "day")].missing_staff and not gaps[(4, "day")].missing_leader
    assert gaps[(8, "night")].missing_shift
    # Sat 10 Oct is a 调休 working day: no day shift required, so no gap.
    tenth = next(d for d in data.days if d.day.date == date(2026, 10, 10))
    assert tenth.day.is_working and not tenth.cells[0].required
    assert data.required == 11 + 8  # 11 nights, 8 rest days
    assert data.chiefs_away_days == [date(2026, 10, 9)]


def test_spring_festival_adjusted_saturday(app):
    with app.app_context():
        t, secretary, head, deputy, staff = township_with_cadres(2)
        for d in (date(2026, 2, 14), date(2026, 2, 15)):
            shift(t, d, NIGHT, leaders=[deputy], staff=[staff[0]])
        db.session.commit()
        code = t.code
    gaps, _ = _gaps(app, code, date(2026, 2, 14), date(2026, 2, 15))
    # 14 Feb is a 调休 Saturday (worked); 15 Feb is in the holiday: its day shift is missing.
    assert set(gaps) == {(15, "day")}


def test_roster_page_shows_gaps_in_words_and_substitutes(app, october):
    response = app.test_client().get(f"/t/{october}/roster?month=2026-10")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "缺带班领导" in html and "缺值班人员" in html and "无人排班" in html
    assert "替书记甲" in html  # 2 Oct: the head took the secretary's place
    assert "国庆节" in html and "调休上班" in html
    assert 'class="gap"' in html
    assert "书记、乡镇长同时不在" in html
    assert "<caption>" in html and 'scope="row"' in html and "<script" not in html
    assert f'href="/t/{october}/roster?month=2026-09"' in html


@pytest.mark.parametrize("month", ["2026-13", "abc", "2026-1-1", "99999-01", "1999-12", "2026-00", ""])
def test_bad_month_is_a_clear_400(app, october, month):
    response = app.test_client().get(f"/t/{october}/roster", query_string={"month": month})
    if month == "":
        assert response.status_code == 200  # empty means this month
        return
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "不是有效的月份" in html and "例如" in html


def test_roster_defaults_to_this_month(app, october):
    today = today_local()
    html = app.test_client().get(f"/t/{october}/roster").get_data(as_text=True)
    assert f"{today.year}年{today.month}月值班表" in html


def test_roster_statements_are_bounded(app, october):
    client = app.test_client()
    counts = []
    for month in ("2026-10", "2026-11"):
        with count_statements(app) as statements:
            assert client.get(f"/t/{october}/roster?month={month}").status_code == 200
        counts.append(len(statements))
    assert max(counts) <= 6, counts


def test_unknown_township_roster_is_404(app):
    client = app.test_client()
    assert client.get("/t/999999999/roster").status_code == 404
    assert client.get("/t/999999999/roster.ics").status_code == 404


def test_ical_feed_one_event_per_shift_with_stable_uids(app):
    today = today_local()
    with app.app_context():
        t, secretary, head, deputy, staff = township_with_cadres(2)
        shift(t, today, NIGHT, leaders=[deputy], staff=[staff[0]], replaces={deputy.id: head})
        shift(t, today + timedelta(days=1), NIGHT, leaders=[head], staff=[staff[1]])
        shift(t, today + timedelta(days=2), DAY, staff=[staff[1]])
        db.session.commit()
        code, township_id = t.code, t.id
    client = app.test_client()
    first = client.get(f"/t/{code}/roster.ics")
    assert first.status_code == 200 and first.mimetype == "text/calendar"
    cal = Calendar.from_ical(first.data)
    events = cal.walk("VEVENT")
    assert len(events) == 3
    uids = sorted(str(e["UID"]) for e in events)
    assert uids[0] == f"{code}-{today.isoformat()}-night@zaigang"
    by_uid = {str(e["UID"]): e for e in events}
    tonight = by_uid[f"{code}-{today.isoformat()}-night@zaigang"]
    assert "副镇长丙" in str(tonight["SUMMARY"]) and "替镇长乙" in str(tonight["SUMMARY"])
    assert tonight.decoded("DTSTART") == local(today, 17, 30)
    day_after = by_uid[f"{code}-{(today + timedelta(days=2)).isoformat()}-day@zaigang"]
    assert "缺带班领导" in str(day_after["SUMMARY"])
    for e in events:
        assert {"UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY"} <= set(e.keys())
    assert cal["VERSION"] == "2.0" and "PRODID" in cal
    # The UIDs stay the same when the data change and the feed is regenerated.
    with app.app_context():
        townships.touch(township_id)
        db.session.commit()
    second = Calendar.from_ical(client.get(f"/t/{code}/roster.ics").data)
    assert sorted(str(e["UID"]) for e in second.walk("VEVENT")) == uids


def test_month_parsing_table():
    assert roster_service.parse_month("2026-02") == (2026, 2)
    assert roster_service.parse_month("2026-2") == (2026, 2)
    assert roster_service.shift_month(2026, 12, 1) == (2027, 1)
    assert roster_service.shift_month(2026, 1, -1) == (2025, 12)
    assert roster_service.month_bounds(2028, 2) == (date(2028, 2, 1), date(2028, 2, 29))
