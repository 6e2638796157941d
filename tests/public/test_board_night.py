"""The board after office hours, at weekends and on holidays: a day status lapses; the board
shows the duty officers, who stays in the township tonight (住镇), who is away for a reason
that holds, and who has no record. The clerk's board and the API say the same."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from portal.extensions import db
from portal.models import Cadre, DiaryKind, Role, ShiftKind, SignInKind, Status, User
from portal.models.base import utcnow
from portal.services.office import attendance, visits, whereabouts
from portal.services.office import board as board_service
from tests import factories
from tests.conftest import at, login_as
from tests.public.helpers import entry, leave, local, shift, township_with_cadres
from tests.public.test_pagecache import statements_of

THURSDAY = date(2026, 12, 3)  # a working day; Friday too
SATURDAY = date(2026, 12, 5)
NATIONAL_DAY = date(2026, 10, 2)


def _day_statuses(day: date):
    """A township whose cadres were set this morning as the office would, then the day ended."""
    t, secretary, head, deputy, staff = township_with_cadres(6)
    entry(secretary, Status.AT_OFFICE, local(day, 8, 33))  # open: "在岗 自 08:33"
    entry(head, Status.VILLAGE, local(day, 9), village="李家村")
    entry(deputy, Status.TRIP, local(day - timedelta(days=1), 8, 30),
          local(day + timedelta(days=1), 17, 30))
    entry(staff[0], Status.AT_OFFICE, local(day, 8, 30), local(day + timedelta(days=1), 18))
    entry(staff[1], Status.MEETING, local(day, 14), local(day, 21))
    leave(staff[2], day, day + timedelta(days=1))
    entry(staff[3], Status.AT_OFFICE, local(day - timedelta(days=1), 8, 30))  # stale
    entry(staff[4], Status.DUTY, local(day, 8, 30))
    return t, secretary, head, deputy, staff


def _states(board) -> dict[str, str]:
    return {r.person.name: r.status_key for r in board.rows}


def _table(html: str) -> str:
    return html[html.index('<table class="board"'):html.index("</table>")]


def test_at_2230_nobody_is_shown_at_the_office_without_an_evening_record(app):
    at("2026-12-03T08:00")
    with app.app_context():
        t, *_ = _day_statuses(THURSDAY)
        db.session.commit()
        code = t.code
        day = _states(board_service.load(code, now=local(THURSDAY, 10, 0)))
        night = _states(board_service.load(code, now=local(THURSDAY, 22, 30)))
    assert day["书记甲"] == "at_office" and day["干事00"] == "at_office"
    assert night == {
        "书记甲": "no_record_tonight", "镇长乙": "no_record_tonight", "副镇长丙": "trip",
        "干事00": "no_record_tonight", "干事01": "no_record_tonight", "干事02": "leave",
        "干事03": "no_record_tonight", "干事04": "no_record_tonight", "干事05": "no_record_tonight",
    }
    at("2026-12-03T22:30")
    html = app.test_client().get(f"/t/{code}").get_data(as_text=True)
    table = _table(html)
    for status in ("at_office", "village", "meeting", "duty", "unknown"):
        assert f"status-{status}" not in table, status
    assert "在岗" not in table and "今晚无记录" in table and "出差" in table and "请假" in table
    assert 'id="off-hours"' in html and "18:00 下班" in html
    api = app.test_client().get(f"/api/v1/townships/{code}/board").get_json()
    assert api["period"] == "night"
    assert {r["name"]: r["now"]["state"] for r in api["cadres"]} == night
    assert all(r["now"]["status"] != "at_office" for r in api["cadres"])


def test_an_evening_check_in_or_evening_work_at_the_township_is_a_stay(app):
    at("2026-12-03T17:00")
    with app.app_context():
        t, secretary, head, deputy, staff = _day_statuses(THURSDAY)
        db.session.commit()
        code, town_id = t.code, t.id
        # Checked in before the office closed: no evidence of the evening.
        attendance.add_sign_in(cadre=staff[5], at=local(THURSDAY, 16, 50), kind=SignInKind.IN,
                               place="", at_township=True, actor=None)
        # A diary of tonight written in the afternoon is a plan, not a record.
        visits.add_diary(cadre=deputy, day=THURSDAY, kind=DiaryKind.NIGHT_MEETING, text="计划",
                         at_township=True, today=THURSDAY)
    at("2026-12-03T22:30")
    with app.app_context():
        cadre = {c.name: c for c in db.session.query(Cadre).filter_by(township_id=town_id)}
        attendance.add_sign_in(cadre=cadre["书记甲"], at=local(THURSDAY, 20, 40),
                               kind=SignInKind.IN, place="", at_township=True, actor=None)
        visits.add_diary(cadre=cadre["镇长乙"], day=THURSDAY, kind=DiaryKind.NIGHT_TALK,
                         text="夜谈", at_township=True, today=THURSDAY)
        # In, then out again: gone home.
        attendance.add_sign_in(cadre=cadre["干事01"], at=local(THURSDAY, 19), kind=SignInKind.IN,
                               place="", at_township=True, actor=None)
        attendance.add_sign_in(cadre=cadre["干事01"], at=local(THURSDAY, 21), kind=SignInKind.OUT,
                               place="", at_township=True, actor=None)
        # Checked in somewhere else.
        attendance.add_sign_in(cadre=cadre["干事03"], at=local(THURSDAY, 20), kind=SignInKind.IN,
                               place="县城", at_township=False, actor=None)
        states = _states(board_service.load(code, now=utcnow()))
        secretary_row = next(r for r in board_service.load(code).rows if r.person.name == "书记甲")
    assert states["书记甲"] == "staying" and states["镇长乙"] == "staying"
    assert secretary_row.now.starts_at == local(THURSDAY, 20, 40)
    assert states["干事05"] == states["干事01"] == states["干事03"] == "no_record_tonight"
    assert states["副镇长丙"] == "trip"  # its diary is no stay; the trip holds anyway
    html = app.test_client().get(f"/t/{code}").get_data(as_text=True)
    assert "住镇 2" in html and "status-staying" in _table(html)
    # The stay lasts the night, until the office opens.
    with app.app_context():
        assert _states(board_service.load(code, now=local(THURSDAY + timedelta(days=1), 7)))[
            "书记甲"] == "staying"


def test_a_status_recorded_this_evening_holds(app):
    at("2026-12-03T08:00")
    with app.app_context():
        t, secretary, *_ = _day_statuses(THURSDAY)
        clerk = factories.user(Role.CLERK, townships=[t])
        db.session.commit()
        code, secretary_id, clerk_id = t.code, secretary.id, clerk.id
    at("2026-12-03T19:30")
    with app.app_context():
        change = whereabouts.StatusChange(Status.MEETING, utcnow(), local(THURSDAY, 21, 30))
        whereabouts.set_status(user=db.session.get(User, clerk_id),
                               cadre=db.session.get(Cadre, secretary_id), change=change)
        board = board_service.load(code, now=local(THURSDAY, 20))
        after = board_service.load(code, now=local(THURSDAY, 21, 45))
    assert _states(board)["书记甲"] == "meeting"
    assert _states(after)["书记甲"] == "no_record_tonight"


def test_the_night_duty_officers_are_shown_on_duty(app):
    at("2026-12-03T08:00")
    with app.app_context():
        t, secretary, head, deputy, staff = _day_statuses(THURSDAY)
        shift(t, THURSDAY, ShiftKind.NIGHT, leaders=[head], staff=[staff[0], staff[2]])
        db.session.commit()
        code = t.code
        states = _states(board_service.load(code, now=local(THURSDAY, 22, 30)))
        early = _states(board_service.load(code, now=local(THURSDAY + timedelta(days=1), 6)))
    assert states["镇长乙"] == "duty_leader" and states["干事00"] == "duty"
    assert states["干事02"] == "leave"  # rostered, but on approved leave: not shown on duty
    assert early["镇长乙"] == "duty_leader"  # the night shift runs until 08:30
    at("2026-12-03T22:30")
    table = _table(app.test_client().get(f"/t/{code}").get_data(as_text=True))
    assert "带班" in table and "status-duty_leader" in table


@pytest.mark.parametrize("day", [SATURDAY, NATIONAL_DAY], ids=["weekend", "holiday"])
def test_weekend_and_holiday_daytime(app, day):
    eve = day - timedelta(days=1)
    at(f"{eve.isoformat()}T08:00")
    with app.app_context():
        t, secretary, head, deputy, staff = _day_statuses(eve)
        shift(t, day, ShiftKind.DAY, leaders=[head], staff=[staff[4]])
        db.session.commit()
        code, town_id = t.code, t.id
    at(f"{day.isoformat()}T10:00")
    with app.app_context():
        cadre = {c.name: c for c in db.session.query(Cadre).filter_by(township_id=town_id)}
        attendance.add_sign_in(cadre=cadre["干事05"], at=local(day, 9, 5), kind=SignInKind.IN,
                               place="", at_township=True, actor=None)
        board = board_service.load(code, now=utcnow())
    states = _states(board)
    assert board.period.kind == "rest_day" and board.off_hours
    assert states["书记甲"] == states["干事00"] == "no_record_rest_day"  # Friday's 在岗 lapsed
    assert states["镇长乙"] == "duty_leader" and states["干事04"] == "duty"
    assert states["副镇长丙"] == "trip"  # until 17:30 today, as planned
    assert states["干事05"] == "at_office"  # checked in at the township this morning
    html = app.test_client().get(f"/t/{code}").get_data(as_text=True)
    assert "今天是休息日" in html and "今天无记录" in _table(html)


def _admin_states(html: str) -> dict[str, str]:
    return dict(re.findall(r'<tr id="c-([^"]+)"[^>]*>.*?data-state="([^"]+)"', html, re.S))


@pytest.mark.parametrize("moment", ["2026-12-03T10:00", "2026-12-03T22:30",
                                    "2026-12-04T07:00"])
def test_the_clerks_board_and_the_public_board_agree(app, moment):
    at("2026-12-03T08:00")
    with app.app_context():
        t, secretary, head, deputy, staff = _day_statuses(THURSDAY)
        shift(t, THURSDAY, ShiftKind.NIGHT, leaders=[head], staff=[staff[0]])
        clerk = factories.user(Role.CLERK, townships=[t])
        db.session.commit()
        code, secretary_id, clerk_id = t.code, secretary.id, clerk.id
    at(moment)
    with app.app_context():
        attendance.add_sign_in(cadre=db.session.get(Cadre, secretary_id), at=utcnow(),
                               kind=SignInKind.IN, place="", at_township=True, actor=None)
        clerk = db.session.get(User, clerk_id)
    staff_client = app.test_client()
    login_as(staff_client, clerk)
    admin = _admin_states(staff_client.get(f"/admin/t/{code}/board").get_data(as_text=True))
    api = app.test_client().get(f"/api/v1/townships/{code}/board").get_json()
    public = {r["id"]: r["now"]["state"] for r in api["cadres"]}
    assert admin == public and len(admin) == 9
    page = _table(app.test_client().get(f"/t/{code}").get_data(as_text=True))
    assert re.findall(r'class="status status-([a-z_]+)"', page) == list(public.values())


def test_a_board_kept_at_1759_is_not_replayed_after_the_office_closes(app):
    at("2026-12-03T08:00")
    with app.app_context():
        t, *_ = _day_statuses(THURSDAY)
        db.session.commit()
        code = t.code
    client = app.test_client()
    at("2026-12-03T17:59")
    first = client.get(f"/t/{code}")
    assert "status-at_office" in _table(first.get_data(as_text=True))
    api = client.get(f"/api/v1/townships/{code}/board").get_json()
    assert api["valid_until"] == "2026-12-03T18:00:00+08:00"
    with statements_of(app) as statements:
        assert client.get(f"/t/{code}").data == first.data  # replayed until then
    assert len(statements) == 1
    at("2026-12-03T18:00:30")
    with statements_of(app) as statements:
        later = client.get(f"/t/{code}")
    assert len(statements) > 1  # rendered again
    table = _table(later.get_data(as_text=True))
    assert "status-at_office" not in table and "今晚无记录" in table
    assert later.headers["ETag"] != first.headers["ETag"]


def test_office_hours_are_configurable(make_app):
    app = make_app(OFFICE_HOURS="08:00-17:00")
    at("2026-12-03T08:00")
    with app.app_context():
        t, *_ = _day_statuses(THURSDAY)
        db.session.commit()
        early_close = _states(board_service.load(t.code, now=local(THURSDAY, 17, 30)))
        morning = _states(board_service.load(t.code, now=local(THURSDAY, 8, 40)))
    assert early_close["书记甲"] == "no_record_tonight"
    assert morning["书记甲"] == "at_office"


def test_the_night_board_is_plain_markup_for_a_small_phone(app):
    at("2026-12-03T08:00")
    with app.app_context():
        t, *_ = _day_statuses(THURSDAY)
        db.session.commit()
        code = t.code
    at("2026-12-03T22:30")
    response = app.test_client().get(f"/t/{code}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'name="viewport" content="width=device-width' in html
    assert "<script" not in html and "style=" not in html and " on" + "click" not in html
    assert "<caption>" in html and html.count('scope="row"') == 9
    assert 'href="tel:' in html and 'class="counts"' in html
    english = app.test_client().get(f"/t/{code}?lang=en").get_data(as_text=True)
    assert "No record tonight" in english and "今晚无记录" not in english


def test_the_demo_board_at_night_is_what_a_villager_would_meet(app):
    from portal import demo as demo_data

    at("2026-12-03T22:30")
    with app.app_context():
        demo_data.seed()
        board = board_service.load("990101001")
    keys = [r.status_key for r in board.rows]
    assert not {"at_office", "village", "meeting", "unknown"} & set(keys)
    assert keys.count("staying") >= 3 and keys.count("duty_leader") == 1
    assert {"trip", "leave", "no_record_tonight"} <= set(keys)
    # 宋波勇 is rostered for tonight while on leave and nobody stands in: flagged, not hidden.
    assert [(p.name, k.value) for p, k in board.absent("night")] == [("宋波勇", "leave")]
    shown = {r.person.name: r.status_key for r in board.rows}
    for officer in board.night_shift.leaders + board.night_shift.staff:
        name = officer.person.name
        assert shown[name] == "leave" if name == "宋波勇" else shown[name].startswith("duty")
    html = app.test_client().get("/t/990101001").get_data(as_text=True)
    assert "宋波勇请假，无人替班" in html


def test_an_evening_check_in_shows_at_once_on_a_kept_board(app):
    at("2026-12-03T08:00")
    with app.app_context():
        t, secretary, *_ = _day_statuses(THURSDAY)
        db.session.commit()
        code, secretary_id = t.code, secretary.id
    at("2026-12-03T21:00")
    client = app.test_client()
    before = client.get(f"/t/{code}")
    assert "status-staying" not in _table(before.get_data(as_text=True))
    client.get(f"/t/{code}")  # kept
    with app.app_context():
        attendance.add_sign_in(cadre=db.session.get(Cadre, secretary_id), at=utcnow(),
                               kind=SignInKind.IN, place="", at_township=True, actor=None)
    after = client.get(f"/t/{code}", headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200 and "status-staying" in _table(after.get_data(as_text=True))
