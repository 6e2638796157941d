"""Leave against the duty roster, staff side: the clerk's roster flags an absent cadre, recording
leave that falls on a duty shift warns at once, and one click puts the leave's substitute on it."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEntry, DutyAssignment, DutyShift, Leave, ShiftKind, Township
from portal.models.base import utcnow
from portal.rules.calendar import local_date
from portal.services.office import duty
from portal.services.shared.calendar import official_calendar
from tests.admin.conftest import csrf_token, post_form
from tests.admin.test_leave import _pid, record
from tests.public.helpers import leave, shift

REASON = "家中急事（仅工作人员可见）"


def _day(app):
    """The next working day: still ahead under any clock, so the leave page lists the leave,
    and a working day's night duty (leave over weekend or holiday duty waits for a substitute
    before it is approved: tests/admin/test_leave_approval.py)."""
    day = local_date(utcnow()) + timedelta(days=1)
    with app.app_context():
        calendar = official_calendar()
        while calendar.is_rest_day(day):
            day += timedelta(days=1)
    return day


def _roster_url(office, day) -> str:
    return f"/admin/t/{office.code}/roster?month={day:%Y-%m}"


@pytest.fixture
def night(app, office):
    """Tomorrow night: a deputy leads, 干事0 is the staff member."""
    day = _day(app)
    with app.app_context():
        t = db.session.get(Township, office.township_id)
        created = shift(t, day, ShiftKind.NIGHT, leaders=[db.session.get(duty.Cadre, office.leader_ids[2])],
                        staff=[db.session.get(duty.Cadre, office.staff_ids[0])])
        db.session.commit()
        return created.id


def _staff_on(app, shift_id) -> list[tuple[int, int | None]]:
    with app.app_context():
        return [(a.cadre_id, a.replaces_id) for a in db.session.scalars(
            select(DutyAssignment).where(DutyAssignment.shift_id == shift_id,
                                         DutyAssignment.role == duty.DutyRole.STAFF))]


def _gap_count(app, office, day) -> int:
    with app.app_context():
        return duty.month_gap_count(office.township_id, day.year, day.month)


def test_clerk_roster_flags_a_cadre_on_leave(app, office, clerk_client, night):
    day = _day(app)
    before = _gap_count(app, office, day)
    with app.app_context():
        leave(db.session.get(duty.Cadre, office.staff_ids[0]), day, day, reason=REASON)
        db.session.commit()
    assert _gap_count(app, office, day) == before + 1
    html = clerk_client.get(_roster_url(office, day)).get_data(as_text=True)
    assert "干事0请假，无人替班" in html
    assert "有 1 个班次的值班人员请假或出差" in html
    assert REASON not in html


def test_recording_leave_on_a_duty_shift_warns_and_one_click_puts_the_substitute_on(
        app, office, clerk_client, night):
    day = _day(app)
    before = _gap_count(app, office, day)
    html = record(app, clerk_client, office, office.staff_ids[0], day.isoformat(), day.isoformat(),
                  substitute=_pid(app, office.staff_ids[1]), reason=REASON).get_data(as_text=True)
    assert "注意：干事0 请假期间排有 1 个值班班次" in html
    assert "请假与值班冲突" in html and "由替班人 干事1 顶班" in html
    assert _gap_count(app, office, day) == before + 1
    with app.app_context():
        leave_id = db.session.scalar(select(Leave.id))
    (assignment_id,) = re.findall(r'name="assignment" value="(\d+)"', html)
    response = post_form(clerk_client, f"/admin/t/{office.code}/leave",
                         f"/admin/t/{office.code}/leave/cover",
                         {"leave": leave_id, "assignment": assignment_id}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert f"已安排 干事1 替 干事0 值班（{day.isoformat()}）" in html
    assert "请假与值班冲突" not in html
    # Recorded as who replaces whom; the gap is gone from the clerk's roster and the public one.
    assert _staff_on(app, night) == [(office.staff_ids[1], office.staff_ids[0])]
    assert _gap_count(app, office, day) == before
    roster = clerk_client.get(_roster_url(office, day)).get_data(as_text=True)
    assert "干事0请假" not in roster and "干事1 替 干事0" in roster
    public = app.test_client().get(f"/t/{office.code}/roster?month={day:%Y-%m}").get_data(as_text=True)
    assert "干事0请假" not in public and REASON not in public
    with app.app_context():
        assert db.session.scalar(select(AuditEntry.id).where(AuditEntry.action == "roster.substitute"))


def test_leave_without_a_substitute_points_to_the_roster(app, office, clerk_client, night):
    day = _day(app)
    html = record(app, clerk_client, office, office.staff_ids[0], day.isoformat(),
                  day.isoformat()).get_data(as_text=True)
    assert "注意：干事0 请假期间排有 1 个值班班次" in html
    assert "顶班" not in html and "到值班表登记替班" in html


def test_cover_is_a_post_with_csrf_and_checks_the_leave(app, office, clerk_client, night):
    day = _day(app)
    record(app, clerk_client, office, office.staff_ids[0], day.isoformat(), day.isoformat(),
           substitute=_pid(app, office.staff_ids[1]))
    with app.app_context():
        leave_id = db.session.scalar(select(Leave.id))
        other = db.session.scalar(select(DutyAssignment.id).join(DutyShift).where(
            DutyShift.id == night, DutyAssignment.role == duty.DutyRole.LEADER))
    url = f"/admin/t/{office.code}/leave/cover"
    assert clerk_client.get(url).status_code == 405
    assert clerk_client.post(url, data={"leave": leave_id, "assignment": other}).status_code == 400
    token = csrf_token(clerk_client.get(f"/admin/t/{office.code}/leave").get_data(as_text=True))
    # The deputy leading that night is not the cadre on leave: refused, nothing changes.
    html = clerk_client.post(url, data={"leave": leave_id, "assignment": other, "csrf_token": token},
                             follow_redirects=True).get_data(as_text=True)
    assert "这个班次与该请假无关" in html
    assert _staff_on(app, night) == [(office.staff_ids[0], None)]
    assert clerk_client.post(url, data={"leave": 999999, "assignment": other,
                                        "csrf_token": token}).status_code == 404
