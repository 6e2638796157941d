"""周考核: each leader's 5-4-3 result is recorded when the week closes, once, and stays."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import SignIn, SignInKind, WeekRecord
from portal.rules.calendar import TZ
from tests.conftest import at

# Tuesday 1 December 2026: the last closed week is Monday 23 to Sunday 29 November.
TODAY = "2026-12-01T09:00"
WEEK = date(2026, 11, 23)


def _signed_days(office, cadre_id: int, days: list[date]) -> None:
    for day in days:
        for hour, kind in ((8, SignInKind.IN), (17, SignInKind.OUT)):
            db.session.add(SignIn(cadre_id=cadre_id, township_id=office.township_id, kind=kind,
                                  at=datetime(day.year, day.month, day.day, hour, tzinfo=TZ)))


def _records(app) -> dict[int, WeekRecord]:
    with app.app_context():
        rows = db.session.scalars(select(WeekRecord)).all()
        db.session.expunge_all()
        return {r.cadre_id: r for r in rows}


def test_closing_the_week_records_every_leader_once_and_keeps_the_result(app, office, runner):
    at(TODAY)
    head = office.head_id
    with app.app_context():
        _signed_days(office, head, [WEEK + timedelta(days=i) for i in range(5)])
        db.session.commit()
    result = runner.invoke(args=["weeks", "close"])
    assert result.exit_code == 0, result.output
    assert f"{office.code} 大庄测试镇 week of 2026-11-23: 4 recorded, 0 already recorded" in result.output
    records = _records(app)
    assert set(records) == set(office.leader_ids)  # staff are not assessed by 5-4-3
    assert (records[head].work_days, records[head].required_work) == (5, 5)
    assert not records[head].compliant  # no nights, no village days
    # A sign-in entered after the week closed does not rewrite the recorded week.
    with app.app_context():
        _signed_days(office, office.secretary_id, [WEEK])
        db.session.commit()
    again = runner.invoke(args=["weeks", "close"])
    assert "0 recorded, 4 already recorded" in again.output
    assert _records(app)[office.secretary_id].work_days == 0
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(WeekRecord)) == 4


def test_a_week_not_over_is_refused_and_a_bad_date_is_explained(app, office, runner):
    at(TODAY)
    open_week = runner.invoke(args=["weeks", "close", "--week", "2026-12-01"])
    assert open_week.exit_code != 0 and "is not over yet" in open_week.output
    bad = runner.invoke(args=["weeks", "close", "--week", "1.12."])
    assert bad.exit_code != 0 and "--week must be a date" in bad.output
    assert _records(app) == {}


def test_the_archive_shows_the_recorded_weeks(app, office, runner, clerk_client):
    at(TODAY)
    runner.invoke(args=["weeks", "close", "--week", "2026-11-25"])
    from portal.models import Cadre

    with app.app_context():
        public_id = db.session.get(Cadre, office.head_id).public_id
    page = clerk_client.get(f"/admin/archive/{public_id}").text
    assert "周考核（每周结束时记录" in page and "2026-11-23" in page
