"""Calendar overrides: administrators add, override and remove days; audited; clerks cannot."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEntry, CalendarOverride, Role, Township
from portal.services.shared.calendar import official_calendar
from tests.admin.conftest import post_form

PAGE = "/admin/calendar"


def test_admin_adds_next_years_holiday_and_it_applies(app, office, staff_client):
    client = staff_client(Role.COUNTY_ADMIN, county_scope=True)
    response = post_form(client, PAGE, data={"day": "2027-10-04", "is_working": "rest", "name": "国庆节"},
                         follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "已设置 2027-10-04 为休息日" in html
    assert "国庆节" in html
    with app.app_context():
        assert official_calendar().is_rest_day(date(2027, 10, 4))
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "calendar.set"))
        assert entry.object_id == "2027-10-04"


def test_override_a_weekend_as_a_working_day_changes_the_roster(app, office, staff_client, clerk_client):
    # Sunday 1 March 2026: normally a rest day that needs a day shift.
    assert 'name="l-2026-03-01-day"' in clerk_client.get(
        f"/admin/t/{office.code}/roster?month=2026-03").get_data(as_text=True)
    client = staff_client(Role.SYSADMIN)
    with app.app_context():
        version = db.session.get(Township, office.township_id).data_version
    post_form(client, PAGE, data={"day": "2026-03-01", "is_working": "work", "name": "调休上班"})
    with app.app_context():  # the public roster's caches must drop: its gaps changed
        assert db.session.get(Township, office.township_id).data_version > version
    html = clerk_client.get(f"/admin/t/{office.code}/roster?month=2026-03").get_data(as_text=True)
    assert 'name="l-2026-03-01-day"' not in html


def test_remove_restores_the_builtin_schedule(app, office, staff_client):
    client = staff_client(Role.SYSADMIN)
    post_form(client, PAGE, data={"day": "2026-10-01", "is_working": "work", "name": "测试"})
    html = client.get(PAGE).get_data(as_text=True)
    assert "国庆节" in html  # the built-in column says what it was
    response = post_form(client, PAGE, PAGE + "/remove", {"day": "2026-10-01"}, follow_redirects=True)
    assert "已删除 2026-10-01 的设置" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(CalendarOverride, date(2026, 10, 1)) is None
        assert official_calendar().is_rest_day(date(2026, 10, 1))
        assert db.session.scalar(select(AuditEntry.action).where(AuditEntry.action == "calendar.remove"))


def test_removing_an_unknown_day_answers_404(app, office, staff_client):
    client = staff_client(Role.SYSADMIN)
    assert post_form(client, PAGE, PAGE + "/remove", {"day": "2026-10-02"}).status_code == 404


def test_invalid_date_is_refused(app, office, staff_client):
    client = staff_client(Role.SYSADMIN)
    response = post_form(client, PAGE, data={"day": "2026-13-40", "is_working": "rest"})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalars(select(CalendarOverride)).all() == []


def test_clerks_and_inspectors_cannot_use_it(app, office, clerk_client, staff_client):
    assert clerk_client.get(PAGE).status_code == 403
    assert staff_client(Role.INSPECTOR, county_scope=True).get(PAGE).status_code == 403
