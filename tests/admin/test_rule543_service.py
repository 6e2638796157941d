"""The 5-4-3 service on database records: what it gathers, and what it costs."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import event

from portal.extensions import db
from portal.models import (
    Cadre,
    DiaryKind,
    FieldDiary,
    Leave,
    LeaveKind,
    SignIn,
    SignInKind,
    VillageVisit,
)
from portal.rules.calendar import TZ
from portal.rules.rule_543 import REASON_NO_MORNING, REASON_NO_SIGN_OUT, REASON_UNCONFIRMED
from portal.services.office import rule543
from tests import factories

MONDAY = date(2026, 3, 9)  # an ordinary week: 9–15 March 2026


def at(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime.combine(day, time(hh, mm), tzinfo=TZ)


def sign(cadre: Cadre, moment: datetime, kind: str = "in", at_township: bool = True) -> SignIn:
    record = SignIn(cadre_id=cadre.id, township_id=cadre.township_id, at=moment,
                    kind=SignInKind(kind), at_township=at_township)
    db.session.add(record)
    return record


def workday(cadre: Cadre, day: date) -> None:
    sign(cadre, at(day, 8, 20), "in")
    sign(cadre, at(day, 17, 40), "out")


def night(cadre: Cadre, night_of: date) -> None:
    sign(cadre, at(night_of, 21, 30), "in")
    sign(cadre, at(night_of + timedelta(days=1), 7, 0), "in")


def visit(cadre: Cadre, day: date, confirmed: bool = True) -> VillageVisit:
    row = VillageVisit(cadre_id=cadre.id, township_id=cadre.township_id, village="前进村", day=day,
                       confirmed_at=at(day, 15) if confirmed else None)
    db.session.add(row)
    return row


@pytest.fixture
def leader(app):
    with app.app_context():
        town = factories.township()
        cadre = factories.cadre(town, name="周书记", post="党委书记", is_leader=True)
        db.session.commit()
        return cadre.id


def full_week(cadre: Cadre, monday: date = MONDAY) -> None:
    for i in range(5):
        workday(cadre, monday + timedelta(days=i))
    for i in range(4):  # Sunday night before, Monday, Tuesday, Wednesday nights
        night(cadre, monday - timedelta(days=1) + timedelta(days=i))
    for i in range(3):
        visit(cadre, monday + timedelta(days=i))


def test_a_full_week_on_database_records_is_compliant(app, leader):
    with app.app_context():
        cadre = db.session.get(Cadre, leader)
        full_week(cadre)
        db.session.commit()
        result = rule543.leader_week(cadre, MONDAY)
    assert (result.work_days, result.nights, result.village_days) == (5, 4, 3)
    assert (result.required_work, result.required_nights, result.required_village) == (5, 4, 3)
    assert result.compliant
    assert result.invalid == []


def test_the_stay_check_in_does_not_count_as_an_unpaired_sign_in(app, leader):
    """A 21:30 check-in proves the evening; it is not a work day's check-in without check-out."""
    with app.app_context():
        cadre = db.session.get(Cadre, leader)
        workday(cadre, MONDAY)
        evening = sign(cadre, at(MONDAY, 21, 30), "in")
        morning = sign(cadre, at(MONDAY + timedelta(days=1), 7, 0), "in")
        db.session.commit()
        result = rule543.leader_week(cadre, MONDAY)
        flagged = {r.record_id for r in result.invalid}
        assert evening.id not in flagged
        # The morning check-in starts Tuesday's work day: without a check-out it is unpaired.
        assert morning.id in flagged
    assert result.work_days == 1
    assert result.night_dates == frozenset({MONDAY})


def test_invalid_records_are_named_with_their_reason(app, leader):
    with app.app_context():
        cadre = db.session.get(Cadre, leader)
        lone = sign(cadre, at(MONDAY, 8, 30), "in")
        unconfirmed = visit(cadre, MONDAY + timedelta(days=1), confirmed=False)
        sign(cadre, at(MONDAY + timedelta(days=2), 22, 0), "in")  # evening, no morning after
        db.session.commit()
        result = rule543.leader_week(cadre, MONDAY)
        reasons = {(r.kind.value, r.record_id): r.reason for r in result.invalid}
        assert reasons[("sign_in", lone.id)] == REASON_NO_SIGN_OUT
        assert reasons[("visit", unconfirmed.id)] == REASON_UNCONFIRMED
        assert reasons[("night_stay", (MONDAY + timedelta(days=2)).isoformat())] == REASON_NO_MORNING
    assert result.work_days == 0 and result.village_days == 0 and result.nights == 0


def test_an_evening_diary_at_the_township_supports_the_night(app, leader):
    with app.app_context():
        cadre = db.session.get(Cadre, leader)
        db.session.add(FieldDiary(cadre_id=cadre.id, day=MONDAY, kind=DiaryKind.NIGHT_MEETING,
                                  at_township=True, text="村两委夜议"))
        db.session.add(FieldDiary(cadre_id=cadre.id, day=MONDAY + timedelta(days=1),
                                  kind=DiaryKind.NIGHT_VISIT, at_township=False, text="在县城"))
        sign(cadre, at(MONDAY + timedelta(days=1), 7, 10), "in")
        sign(cadre, at(MONDAY + timedelta(days=2), 7, 10), "in")
        db.session.commit()
        result = rule543.leader_week(cadre, MONDAY)
    assert result.night_dates == frozenset({MONDAY})


def test_approved_leave_lowers_the_requirement_and_cancelled_leave_does_not(app, leader):
    with app.app_context():
        cadre = db.session.get(Cadre, leader)
        db.session.add(Leave(cadre_id=cadre.id, township_id=cadre.township_id, kind=LeaveKind.SICK,
                             start_date=MONDAY, end_date=MONDAY + timedelta(days=2)))
        db.session.add(Leave(cadre_id=cadre.id, township_id=cadre.township_id,
                             kind=LeaveKind.PERSONAL, start_date=MONDAY + timedelta(days=3),
                             end_date=MONDAY + timedelta(days=3), cancelled=True))
        for i in (3, 4):
            workday(cadre, MONDAY + timedelta(days=i))
            visit(cadre, MONDAY + timedelta(days=i))
        night(cadre, MONDAY + timedelta(days=2))
        night(cadre, MONDAY + timedelta(days=3))
        db.session.commit()
        result = rule543.leader_week(cadre, MONDAY)
    assert (result.required_work, result.required_nights, result.required_village) == (2, 2, 2)
    assert result.compliant


def test_spring_festival_week_needs_almost_nothing(app, leader):
    """16–22 Feb 2026 is all holiday: nothing is required, and an empty week complies."""
    with app.app_context():
        cadre = db.session.get(Cadre, leader)
        result = rule543.leader_week(cadre, date(2026, 2, 16))
    assert (result.required_work, result.required_nights, result.required_village) == (0, 0, 0)
    assert result.compliant


def test_records_at_the_edges_of_the_week_fall_on_their_local_dates(app, leader):
    """Sunday's night before the week belongs to it; a punch at 00:05 is the next day's."""
    with app.app_context():
        cadre = db.session.get(Cadre, leader)
        night(cadre, MONDAY - timedelta(days=1))
        sign(cadre, at(MONDAY + timedelta(days=6), 20, 30), "in")  # Sunday night: next week's
        sign(cadre, at(MONDAY + timedelta(days=7), 0, 5), "in")
        db.session.commit()
        this_week = rule543.leader_week(cadre, MONDAY)
        next_week = rule543.leader_week(cadre, MONDAY + timedelta(days=7))
    assert this_week.night_dates == frozenset({MONDAY - timedelta(days=1)})
    assert next_week.night_dates == frozenset({MONDAY + timedelta(days=6)})


def _count_queries(app, fn):
    statements = []

    def listener(*args):
        statements.append(args[2])

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            fn()
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
    return len([s for s in statements if s.lstrip().upper().startswith("SELECT")])


def test_a_township_month_costs_the_same_queries_for_two_or_twenty_leaders(app):
    def build(n: int) -> int:
        with app.app_context():
            town = factories.township()
            for i in range(n):
                cadre = factories.cadre(town, is_leader=True)
                full_week(cadre)
            db.session.commit()
            return town.id

    small, large = build(2), build(20)

    def run(town_id):
        return lambda: rule543.township_weeks(town_id, MONDAY - timedelta(weeks=3), MONDAY)

    assert _count_queries(app, run(small)) == _count_queries(app, run(large))
    with app.app_context():
        results = rule543.township_weeks(large, MONDAY, MONDAY)
    assert len(results) == 20 and all(weeks[0].compliant for weeks in results.values())


def test_month_weeks_follow_the_iso_thursday_rule():
    assert rule543.month_weeks(2026, 3) == [date(2026, 3, 2), date(2026, 3, 9), date(2026, 3, 16),
                                            date(2026, 3, 23)]
    # 2026-10-01 is a Thursday: the week of 28 Sep belongs to October.
    assert rule543.month_weeks(2026, 10)[0] == date(2026, 9, 28)
