"""Service periods: a cadre counts in notices, 5-4-3 and statistics only for the days served.

The story of the issue: on Friday 4 December 2026 the clerk of 大庄测试镇 adds a new 武装部长.
November (ISO weeks of 2, 9, 16 and 23 November) was already over; he must not appear in it,
also not when `notices publish --month 2026-11` runs again, and the township's rate stays.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import Cadre, MonthlyNotice, Region, SignIn, SignInKind, Township, VillageVisit
from portal.services.office import notices, rule543
from portal.services.oversight import stats
from tests.admin.conftest import post_form
from tests.conftest import at

NOVEMBER = "2026-11"
NOVEMBER_WEEKS = [date(2026, 11, 2), date(2026, 11, 9), date(2026, 11, 16), date(2026, 11, 23)]


def moment(day: date, hh: int, mm: int = 0) -> datetime:
    from portal.rules.calendar import TZ

    return datetime.combine(day, time(hh, mm), tzinfo=TZ)


def sign_pair(cadre_id: int, township_id: int, day: date) -> None:
    db.session.add_all([
        SignIn(cadre_id=cadre_id, township_id=township_id, at=moment(day, 7), kind=SignInKind.IN),
        SignIn(cadre_id=cadre_id, township_id=township_id, at=moment(day, 17, 30),
               kind=SignInKind.OUT)])


def full_week(cadre_id: int, township_id: int, monday: date) -> None:
    """5-4-3 kept: sign-in pairs Mon-Fri, stays Sun-Wed nights, confirmed visits Mon-Wed."""
    for i in range(5):
        sign_pair(cadre_id, township_id, monday + timedelta(days=i))
    for i in range(-1, 3):
        night = monday + timedelta(days=i)
        db.session.add(SignIn(cadre_id=cadre_id, township_id=township_id, at=moment(night, 21),
                              kind=SignInKind.IN))
    for i in range(3):
        day = monday + timedelta(days=i)
        db.session.add(VillageVisit(cadre_id=cadre_id, township_id=township_id, village="东村",
                                    day=day, confirmed_at=moment(day, 16)))


def november(app, office) -> None:
    """The secretary and the head keep 5-4-3 every week of November; the deputies never."""
    with app.app_context():
        for leader in (office.secretary_id, office.head_id):
            for monday in NOVEMBER_WEEKS:
                full_week(leader, office.township_id, monday)
        db.session.commit()


def add_joiner(clerk_client, office, joined_on: str = "2026-12-04") -> None:
    page = clerk_client.get(f"/admin/t/{office.code}/cadres/new").get_data(as_text=True)
    assert f'value="{joined_on}"' in page  # the joining date defaults to today
    data = {"name": "周武装", "post": "武装部长", "is_leader": "y", "sort_order": "5",
            "joined_on": joined_on}
    response = post_form(clerk_client, f"/admin/t/{office.code}/cadres/new", data=data,
                         follow_redirects=True)
    assert "已添加 周武装" in response.get_data(as_text=True)


def names(content: dict) -> list[str]:
    return [row["name"] for row in content["cadres"]]


def november_compliance(app, office) -> float | None:
    with app.app_context():
        county = db.session.get(Region, office.county_id)
        result = stats.county_stats(county, stats.Period("month", 2026, 11), date(2026, 12, 4))
        (row,) = [r for r in result.townships if r.township.id == office.township_id]
        return row.figures.compliance


def test_a_december_joiner_is_not_in_novembers_notice_even_when_published_again(
        app, office, clerk_client, runner):
    at("2026-12-04T10:00")
    november(app, office)
    first = runner.invoke(args=["notices", "publish", "--month", NOVEMBER, "--township", office.code])
    assert "published version 1" in first.output, first.output
    add_joiner(clerk_client, office)
    again = runner.invoke(args=["notices", "publish", "--month", NOVEMBER, "--township", office.code])
    assert "unchanged, version 1 stands" in again.output, again.output
    with app.app_context():
        township = db.session.get(Township, office.township_id)
        assert "周武装" not in names(notices.content_of(notices.latest(township.id, NOVEMBER)))
        assert "周武装" not in names(notices.compute(township, NOVEMBER))
        december = notices.compute(township, "2026-12")
        row = next(r for r in december["cadres"] if r["name"] == "周武装")
        assert row["from"] == "2026-12-04" and "until" not in row
        # A full month's row carries no note, so old notices hash as before.
        assert all("from" not in r for r in december["cadres"] if r["name"] != "周武装")
    # In January, December's notice shows him from the day he joined.
    at("2027-01-04T09:00")
    assert runner.invoke(args=["notices", "publish", "--month", "2026-12"]).exit_code == 0
    page = clerk_client.get(f"/t/{office.code}/notices/2026-12").get_data(as_text=True)
    assert "周武装" in page and "自12月4日起" in page


def test_the_townships_rate_is_unchanged_by_a_joiner(app, office, clerk_client):
    at("2026-12-04T10:00")
    november(app, office)
    before = november_compliance(app, office)
    assert before == pytest.approx(0.5)  # 8 of 16 leader-weeks
    add_joiner(clerk_client, office)
    assert november_compliance(app, office) == pytest.approx(0.5)
    with app.app_context():
        joiner = db.session.scalar(select(Cadre).where(Cadre.name == "周武装"))
        assert (joiner.joined_on, joiner.left_on) == (date(2026, 12, 4), None)
    assert "周武装" in clerk_client.get(f"/t/{office.code}").get_data(as_text=True)


def test_a_leaver_counts_up_to_the_day_of_leaving_and_not_after(app, office, clerk_client):
    at("2026-12-04T10:00")
    november(app, office)
    with app.app_context():
        deputy, staff = office.leader_ids[2], office.staff_ids[0]
        for monday in NOVEMBER_WEEKS:  # the deputy keeps 5-4-3 all month, the staff signs daily
            full_week(deputy, office.township_id, monday)
            for i in range(5):
                sign_pair(staff, office.township_id, monday + timedelta(days=i))
        deputy_id, staff_id = (db.session.get(Cadre, c).public_id for c in (deputy, staff))
        db.session.commit()
    for public_id in (deputy_id, staff_id):
        post_form(clerk_client, f"/admin/t/{office.code}/cadres",
                  f"/admin/t/{office.code}/cadres/{public_id}/active",
                  data={"active": "0", "left_on": "2026-11-13"})
    listing = clerk_client.get(f"/admin/t/{office.code}/cadres").get_data(as_text=True)
    assert "2026-11-13 离任" in listing
    assert "张副" not in clerk_client.get(f"/t/{office.code}").get_data(as_text=True)
    with app.app_context():
        content = notices.compute(db.session.get(Township, office.township_id), NOVEMBER)
        rows = {r["name"]: r for r in content["cadres"]}
        # Still in November's notice, counted only to Friday 13 November.
        assert rows["张副"]["until"] == "2026-11-13"
        assert (rows["张副"]["weeks_compliant"], rows["张副"]["weeks_total"]) == (2, 2)
        assert rows["干事0"]["days_present"] == 10 and rows["干事0"]["until"] == "2026-11-13"
        december = notices.compute(db.session.get(Township, office.township_id), "2026-12")
        assert "张副" not in names(december) and "干事0" not in names(december)
    # Leader-weeks: 4 each of the secretary, the head and 赵副, 2 of 张副; compliant 4 + 4 + 2.
    assert november_compliance(app, office) == pytest.approx(10 / 14)


def test_leaving_and_joining_dates_are_checked(app, office, clerk_client):
    at("2026-12-04T10:00")
    future = post_form(clerk_client, f"/admin/t/{office.code}/cadres/new",
                       data={"name": "未来人", "post": "干事", "sort_order": "100",
                             "joined_on": "2026-12-07"}, follow_redirects=True)
    assert "到任日期不能晚于今天" in future.get_data(as_text=True)
    add_joiner(clerk_client, office)
    with app.app_context():
        public_id = db.session.scalar(select(Cadre.public_id).where(Cadre.name == "周武装"))
    before = post_form(clerk_client, f"/admin/t/{office.code}/cadres",
                       f"/admin/t/{office.code}/cadres/{public_id}/active",
                       data={"active": "0", "left_on": "2026-12-01"}, follow_redirects=True)
    assert "离任日期不能早于到任日期" in before.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Cadre.active).where(Cadre.public_id == public_id))


def test_a_partial_week_asks_less_and_never_fails_for_days_before_joining(app, office, clerk_client):
    # He joins on Wednesday 9 December: the week of 7 December is partly his.
    at("2026-12-09T09:00")
    add_joiner(clerk_client, office, joined_on="2026-12-09")
    with app.app_context():
        joiner = db.session.scalar(select(Cadre).where(Cadre.name == "周武装"))
        # Monday's pair, before he joined, counts for nothing.
        sign_pair(joiner.id, joiner.township_id, date(2026, 12, 7))
        for day in (9, 10, 11):
            sign_pair(joiner.id, joiner.township_id, date(2026, 12, day))
            db.session.add(VillageVisit(cadre_id=joiner.id, township_id=joiner.township_id,
                                        village="东村", day=date(2026, 12, day),
                                        confirmed_at=moment(date(2026, 12, day), 16)))
        for night in (9, 10):  # Wednesday and Thursday nights
            db.session.add(SignIn(cadre_id=joiner.id, township_id=joiner.township_id,
                                  at=moment(date(2026, 12, night), 21), kind=SignInKind.IN))
        db.session.commit()
        week = rule543.leader_week(joiner, date(2026, 12, 7))
        assert week.partial and week.compliant
        assert (week.work_days, week.required_work) == (3, 3)
        # Tuesday night, before his first day, is not asked of him.
        assert (week.nights, week.required_nights) == (2, 2)
        assert (week.village_days, week.required_village) == (3, 3)
        before = rule543.leader_week(joiner, date(2026, 11, 30))
        assert not before.served and before.required_work == 0
    at("2026-12-14T09:00")
    html = clerk_client.get(f"/admin/archive/{joiner_id(app)}").get_data(as_text=True)
    # The archive lists his weeks from the one he joined in, marked as partly served.
    assert "2026-12-07" in html and "部分在岗周" in html and "2026-11-30" not in html


def joiner_id(app) -> str:
    with app.app_context():
        return db.session.scalar(select(Cadre.public_id).where(Cadre.name == "周武装"))


def test_an_imported_new_cadre_joins_today(app, office, clerk_client):
    at("2026-12-04T10:00")
    from portal.services.office import roster_import
    from portal.services.office.roster_import import ImportRow

    with app.app_context():
        from portal.models import User

        township = db.session.get(Township, office.township_id)
        clerk = db.session.get(User, office.clerk_id)
        roster_import.import_roster(user=clerk, township=township,
                             rows=[ImportRow(2, "新来的", "干事", False, "")])
        assert db.session.scalar(select(Cadre.joined_on).where(Cadre.name == "新来的")) == date(
            2026, 12, 4)
        assert "新来的" not in names(notices.compute(township, NOVEMBER))
        assert not db.session.scalars(select(MonthlyNotice)).all()
        json.dumps(notices.compute(township, "2026-12"))  # the content stays plain JSON


def test_the_engine_excuses_days_outside_the_service_period():
    from portal.rules import rule_543
    from portal.rules.calendar import OfficialCalendar, iter_dates

    monday = date(2026, 11, 9)
    calendar = OfficialCalendar()
    # Left on Tuesday: the rest of the week is not his; Tuesday's pair counts, Wednesday's not.
    records = [rule_543.SignInRecord(i * 2 + k, moment(day, 8 + 9 * k), kind, True)
               for i, day in enumerate((date(2026, 11, 10), date(2026, 11, 11)))
               for k, kind in enumerate((rule_543.SignInKind.IN, rule_543.SignInKind.OUT))]
    unserved = frozenset(iter_dates(date(2026, 11, 11), date(2026, 11, 15)))
    week = rule_543.compute_week(monday, calendar, records, [], [], set(), unserved)
    assert (week.work_days, week.required_work, week.served_days) == (1, 2, 2) and week.partial
    nobody = rule_543.compute_week(monday, calendar, records, [], [],
                                   set(), frozenset(iter_dates(monday - timedelta(days=1),
                                                               monday + timedelta(days=6))))
    assert not nobody.served and nobody.work_days == 0 and nobody.required_work == 0
