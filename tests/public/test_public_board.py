"""The whereabouts board: statuses now, 未更新, substitutes, duty officers, chiefs away, limits."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from portal.extensions import db
from portal.models import ShiftKind, Status
from portal.services.office import board as board_service
from portal.services.shared import townships
from tests.conftest import at
from tests.public.helpers import (
    count_statements,
    entry,
    leave,
    local,
    shift,
    today_local,
    township_with_cadres,
)

# A working day: the board's daytime rules (office hours); the night has its own tests
# (tests/public/test_board_night.py).
DAY = date(2026, 12, 3)


@pytest.fixture(autouse=True)
def _working_morning():
    at("2026-12-03T10:00")


def _now(hour: int, minute: int = 0, day=DAY):
    return local(day, hour, minute)


@pytest.fixture
def town(app):
    """A township with one cadre in each situation the board distinguishes (times of today)."""
    with app.app_context():
        t, secretary, head, deputy, staff = township_with_cadres(6)
        entry(secretary, Status.AT_OFFICE, _now(8, 30))
        entry(head, Status.VILLAGE, _now(9), village="李家村")
        # Planned yesterday until tomorrow: counts today.
        entry(deputy, Status.TRIP, _now(8, 30, DAY - timedelta(days=1)),
              _now(17, 30, DAY + timedelta(days=1)))
        # Open entry from yesterday only: stale, so 未更新 (never shown as present).
        entry(staff[0], Status.AT_OFFICE, _now(8, 30, DAY - timedelta(days=1)))
        # staff[1]: nothing at all.
        leave(staff[2], DAY - timedelta(days=1), DAY + timedelta(days=2), substitute=staff[3],
              reason="家中私事保密理由")
        # Two entries today: the later start wins; a third is planned for the afternoon.
        entry(staff[3], Status.AT_OFFICE, _now(8, 30), None)
        entry(staff[3], Status.MEETING, _now(9, 30), _now(11), note="机密会议备注")
        entry(staff[3], Status.VILLAGE, _now(14), None, village="王庄村")
        # Ended before now: nothing in force, so 未更新.
        entry(staff[4], Status.VILLAGE, _now(8, 30), _now(9), village="东坡村")
        db.session.commit()
        return t.code


def _row(board, name):
    return next(r for r in board.rows if r.person.name == name)


def test_status_now_of_each_cadre(app, town):
    with app.app_context():
        board = board_service.load(town, now=_now(10))
    assert _row(board, "书记甲").now.status == Status.AT_OFFICE
    head = _row(board, "镇长乙").now
    assert (head.status, head.village) == (Status.VILLAGE, "李家村")
    trip = _row(board, "副镇长丙").now
    assert trip.status == Status.TRIP and trip.ends_at == _now(17, 30, DAY + timedelta(days=1))
    assert _row(board, "干事00").now.status is None  # stale entry from yesterday
    assert _row(board, "干事01").now.status is None  # nothing recorded
    on_leave = _row(board, "干事02").now
    assert on_leave.status == Status.LEAVE and on_leave.substitute.name == "干事03"
    assert (on_leave.first_day, on_leave.last_day) == (DAY - timedelta(days=1), DAY + timedelta(days=2))
    busy = _row(board, "干事03")
    assert busy.now.status == Status.MEETING
    assert [(s.status, s.village) for s in busy.later] == [(Status.VILLAGE, "王庄村")]
    assert _row(board, "干事04").now.status is None  # its entry ended at 09:00
    # Leaders first, in their order.
    assert [r.person.name for r in board.rows[:3]] == ["书记甲", "镇长乙", "副镇长丙"]


def test_the_status_follows_the_clock(app, town):
    with app.app_context():
        early = board_service.load(town, now=_now(8, 45))
        late = board_service.load(town, now=_now(15))
    assert _row(early, "干事04").now.village == "东坡村"
    assert _row(early, "镇长乙").now.status is None  # not yet in the village at 08:45
    assert _row(late, "干事03").now.village == "王庄村"


@pytest.fixture
def live_town(app):
    """Entries in force whatever the time of day the test runs (from local midnight)."""
    with app.app_context():
        t, secretary, head, deputy, staff = township_with_cadres(4)
        midnight = local(DAY, 0, 0)
        entry(secretary, Status.AT_OFFICE, midnight)
        entry(head, Status.VILLAGE, midnight, village="李家村")
        entry(deputy, Status.TRIP, midnight - timedelta(days=1), midnight + timedelta(days=2))
        entry(staff[0], Status.AT_OFFICE, midnight - timedelta(hours=12))
        leave(staff[2], DAY, DAY, substitute=staff[3], reason="家中私事保密理由")
        entry(staff[3], Status.MEETING, midnight, note="机密会议备注")
        db.session.commit()
        return t.code


def test_board_page_in_words_with_links(app, live_town):
    town = live_town
    html = app.test_client().get(f"/t/{town}").get_data(as_text=True)
    assert "未更新" in html and "李家村" in html and "出差" in html
    assert "代理：干事03（干事）" in html
    assert f'href="/report?township={town}"' in html
    assert f'href="/t/{town}/roster"' in html and f'href="/t/{town}/poster"' in html
    assert 'href="tel:09991234567"' in html  # the office phone
    assert "<caption>" in html and 'scope="row"' in html
    assert "<script" not in html and "style=" not in html
    assert "最后更新" in html


def test_the_board_never_shows_private_fields(app, live_town):
    town = live_town
    with app.app_context():
        from sqlalchemy import select

        from portal.models import Cadre
        private_phones = list(db.session.scalars(select(Cadre.personal_phone)))
    html = app.test_client().get(f"/t/{town}").get_data(as_text=True)
    assert all(p not in html for p in private_phones)
    assert "家中私事保密理由" not in html and "机密会议备注" not in html


def test_public_fields_of_the_board_service_are_only_public():
    """Only these fields of a cadre reach templates and the API."""
    from dataclasses import fields

    from portal.services.office.roster import OnDuty, PersonRef

    assert {f.name for f in fields(PersonRef)} == {"public_id", "name", "post", "office_phone"}
    assert {f.name for f in fields(OnDuty)} == {"person", "replaces"}
    assert {f.name for f in fields(board_service.Span)} == {
        "status", "village", "starts_at", "ends_at", "substitute", "first_day", "last_day",
        "state"}
    assert {f.name for f in fields(board_service.CadreRow)} == {
        "person", "is_leader", "chief_role", "now", "later", "has_photo"}


def test_unknown_or_malformed_code_is_the_404_page(app, town):
    client = app.test_client()
    for code in ("999999999", "abc", "12345678901"):
        response = client.get(f"/t/{code}")
        assert response.status_code == 404
        assert "页面不存在" in response.get_data(as_text=True)


def test_inactive_township_is_404(app):
    with app.app_context():
        t, *_ = township_with_cadres(1, active=False)
        db.session.commit()
        code = t.code
    assert app.test_client().get(f"/t/{code}").status_code == 404


def test_duty_officers_today_and_tonight(app):
    holiday = DAY.replace(month=10, day=3)  # National Day holiday, a rest day
    with app.app_context():
        t, secretary, head, deputy, staff = township_with_cadres(3)
        shift(t, holiday, ShiftKind.NIGHT, leaders=[deputy], staff=[staff[0]],
              replaces={deputy.id: head})
        db.session.commit()
        board = board_service.load(t.code, now=local(holiday, 10))
    assert board.day_shift is None and board.day_shift_required
    assert board.gap("day").missing_shift
    night = board.night_shift
    assert night.leaders[0].person.name == "副镇长丙"
    assert night.leaders[0].replaces.name == "镇长乙"
    assert board.gap("night") is None


def test_last_night_shows_while_it_runs(app):
    with app.app_context():
        t, secretary, head, deputy, staff = township_with_cadres(2)
        shift(t, DAY - timedelta(days=1), ShiftKind.NIGHT, leaders=[head], staff=[staff[1]])
        db.session.commit()
        early = board_service.load(t.code, now=_now(7))
        later = board_service.load(t.code, now=_now(9))
    assert early.running_night.leaders[0].person.name == "镇长乙"
    assert later.running_night is None
    assert early.gap("night").missing_shift  # tonight nobody is rostered yet


def test_page_shows_missing_duty_in_words(app):
    with app.app_context():
        t, *_ = township_with_cadres(1)
        db.session.commit()
        code = t.code
    html = app.test_client().get(f"/t/{code}").get_data(as_text=True)
    assert "无人排班" in html  # tonight's shift is missing


@pytest.mark.parametrize(("secretary", "head", "flagged"), [
    ((Status.TRIP, 9, 17), (Status.MEETING, 10, 12), True),
    ((Status.MEETING, 9, 11), (Status.TRIP, 14, 17), False),  # one after the other
    ((Status.VILLAGE, 9, 17), (Status.TRIP, 9, 17), False),  # in a village is in the township
])
def test_chiefs_both_away(app, secretary, head, flagged):
    with app.app_context():
        t, sec, hd, *_ = township_with_cadres(1)
        entry(sec, secretary[0], _now(secretary[1]), _now(secretary[2]))
        entry(hd, head[0], _now(head[1]), _now(head[2]))
        db.session.commit()
        board = board_service.load(t.code, now=_now(8))
    assert board.chiefs_both_away is flagged


def test_chiefs_away_by_leave_shows_on_the_page(app):
    with app.app_context():
        t, sec, hd, *_ = township_with_cadres(1)
        today = today_local()
        leave(sec, today, today)
        entry(hd, Status.TRIP, local(today, 0, 5), local(today, 23))
        db.session.commit()
        code = t.code
    html = app.test_client().get(f"/t/{code}").get_data(as_text=True)
    assert "党委书记和乡镇长今天同时不在乡镇" in html


def _big_township(app, n_staff=27):
    with app.app_context():
        t, secretary, head, deputy, staff = township_with_cadres(n_staff)
        today = today_local()
        for i, cadre in enumerate([secretary, head, deputy, *staff]):
            entry(cadre, Status.VILLAGE, local(today, 0, 1), None, village=f"村{i}",
                  substitute=staff[(i + 1) % len(staff)])
            leave(cadre, today, today, substitute=staff[i % len(staff)])
        shift(t, today, ShiftKind.NIGHT, leaders=[head], staff=staff[:2])
        shift(t, today - timedelta(days=1), ShiftKind.NIGHT, leaders=[deputy], staff=staff[2:4])
        db.session.commit()
        return t.code


@pytest.mark.parametrize("n_staff", [2, 27])
def test_board_runs_at_most_four_statements(app, n_staff):
    code = _big_township(app, n_staff)
    client = app.test_client()
    with count_statements(app) as statements:
        response = client.get(f"/t/{code}")
    assert response.status_code == 200
    assert len(statements) <= 4, statements
    with count_statements(app) as statements:
        client.get(f"/t/{code}", headers={"If-None-Match": response.headers["ETag"]})
    assert len(statements) <= 4


def test_board_of_thirty_cadres_is_under_30_kb(app):
    code = _big_township(app, 27)
    response = app.test_client().get(f"/t/{code}")
    html = response.get_data(as_text=True)
    assert html.count('scope="row"') == 30
    assert len(response.data) < 30 * 1024


def test_english_board(app, live_town):
    html = app.test_client().get(f"/t/{live_town}?lang=en").get_data(as_text=True)
    assert "Not updated" in html
    assert "未更新" not in html and "干部去向" not in html and "Whereabouts" in html


def test_etag_follows_the_clock_and_the_data(app, town):
    with app.app_context():
        parts = [board_service.etag_parts(board_service.load(town, now=_now(h, m)))
                 for h, m in ((9, 35), (9, 50), (11, 30))]
        assert parts[0] == parts[1]  # nothing starts or ends in between
        assert parts[1] != parts[2]  # the meeting ended at 11:00
        township = townships.get_by_code(town)
        townships.touch(township.id)
        db.session.commit()
        assert board_service.etag_parts(board_service.load(town, now=_now(9, 35))) != parts[0]
