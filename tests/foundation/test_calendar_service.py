"""The calendar service: chinesecalendar plus the administrators' overrides."""

from __future__ import annotations

from datetime import date

from portal.services.shared import calendar


def test_real_2026_spring_festival_and_adjusted_saturday(app):
    with app.app_context():
        assert not calendar.is_working_day(date(2026, 2, 17))  # 春节
        assert calendar.is_working_day(date(2026, 2, 14))  # 调休 Saturday
        assert not calendar.is_working_day(date(2026, 3, 7))  # ordinary Saturday
        assert calendar.is_working_day(date(2026, 3, 9))  # ordinary Monday


def test_national_day_week_2026_has_no_working_day_from_1_to_7_october(app):
    with app.app_context():
        assert calendar.working_days(date(2026, 10, 1), date(2026, 10, 7)) == []


def test_an_override_wins_and_can_be_removed(app):
    with app.app_context():
        day = date(2027, 3, 8)  # a Monday in a year the package may not know yet
        assert calendar.is_working_day(day)
        calendar.set_override(day, False, "县庆")
    with app.app_context():
        assert not calendar.is_working_day(day)
        assert day not in calendar.working_days(date(2027, 3, 8), date(2027, 3, 12))
        assert calendar.remove_override(day)
    with app.app_context():
        assert calendar.is_working_day(day)


def test_an_override_can_make_a_weekend_day_a_working_day(app):
    with app.app_context():
        saturday = date(2027, 1, 30)
        calendar.set_override(saturday, True, "调休")
    with app.app_context():
        assert calendar.is_working_day(saturday)
