"""请销假: leave waits for approval under 干部管理权限, needs a 替班 for rest-day duty, closes by 销假."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import select

from portal.extensions import db
from portal.models import Cadre, DutyAssignment, DutyRole, DutyShift, Leave, LeaveState, Role, ShiftKind
from portal.rules.calendar import TZ
from portal.services.office import leave as leave_service
from portal.services.office import whereabouts
from tests.admin.conftest import post_form
from tests.conftest import at

WEDNESDAY = "2026-03-11T10:00"


def _pid(app, cadre_id):
    with app.app_context():
        return db.session.get(Cadre, cadre_id).public_id


def _request(app, client, office, cadre_id, start, end, **extra):
    data = {"cadre": _pid(app, cadre_id), "kind": "personal", "start_date": start, "end_date": end,
            **extra}
    return post_form(client, f"/admin/t/{office.code}/leave", data=data, follow_redirects=True)


def _decide(client, office, action, leave_id, **extra):
    return post_form(client, f"/admin/t/{office.code}/leave", f"/admin/t/{office.code}/leave/{action}",
                     {"leave": leave_id, **extra}, follow_redirects=True).get_data(as_text=True)


def _leave(app, cadre_id) -> Leave:
    with app.app_context():
        leave = db.session.scalar(select(Leave).where(Leave.cadre_id == cadre_id))
        db.session.expunge(leave)
        return leave


def _on_board(app, cadre_id, day: date) -> bool:
    with app.app_context():
        noon = datetime.combine(day, time(12), tzinfo=TZ)
        entry = whereabouts.current_entries([cadre_id], noon).get(cadre_id)
        return entry is not None and entry.status.value == "leave"


def test_a_leaders_leave_waits_for_the_county_even_with_a_signed_slip(app, office, clerk_client,
                                                                         staff_client):
    at(WEDNESDAY)
    deputy = office.leader_ids[2]
    html = _request(app, clerk_client, office, deputy, "2026-03-11", "2026-03-12",
                    approver="王书记").get_data(as_text=True)
    assert "领导班子成员的请假由县级审批" in html and "等待县级审批" in html
    leave = _leave(app, deputy)
    assert leave.state == LeaveState.REQUESTED and not _on_board(app, deputy, date(2026, 3, 11))
    # The township clerk may not approve it, however the form is posted.
    html = _decide(clerk_client, office, "approve", leave.id, approver="王书记")
    assert "领导班子成员的请假由县级审批" in html
    assert _leave(app, deputy).state == LeaveState.REQUESTED
    with app.app_context():
        assert leave_service.leave_days(deputy, date(2026, 3, 11), date(2026, 3, 12)) == set()
    county = staff_client(Role.COUNTY_ADMIN, county_scope=True)
    html = _decide(county, office, "approve", leave.id, approver="县委组织部 赵部长")
    assert "已批准" in html
    leave = _leave(app, deputy)
    assert (leave.state, leave.approver) == (LeaveState.APPROVED, "县委组织部 赵部长")
    assert _on_board(app, deputy, date(2026, 3, 11))
    with app.app_context():
        assert leave_service.leave_days(deputy, date(2026, 3, 1), date(2026, 3, 31)) == {
            date(2026, 3, 11), date(2026, 3, 12)}


def test_the_office_approves_or_refuses_its_staffs_requests(app, office, clerk_client):
    at(WEDNESDAY)
    first, second = office.staff_ids[0], office.staff_ids[1]
    html = _request(app, clerk_client, office, first, "2026-03-11", "2026-03-11").get_data(as_text=True)
    assert "批准后才在去向公示上显示" in html
    assert not _on_board(app, first, date(2026, 3, 11))
    html = _decide(clerk_client, office, "approve", _leave(app, first).id, approver="党委书记 王书记")
    assert _on_board(app, first, date(2026, 3, 11))
    _request(app, clerk_client, office, second, "2026-03-12", "2026-03-12")
    html = _decide(clerk_client, office, "reject", _leave(app, second).id, note="汛期不批事假")
    assert "已不予批准 干事1 的请假" in html and "汛期不批事假" in html
    assert _leave(app, second).state == LeaveState.REJECTED
    assert not _on_board(app, second, date(2026, 3, 12))
    # A refused request no longer blocks a new one for the same days.
    _request(app, clerk_client, office, second, "2026-03-12", "2026-03-12", approver="王书记")
    with app.app_context():
        assert len(db.session.scalars(select(Leave).where(Leave.cadre_id == second)).all()) == 2
        assert leave_service.leave_days(second, date(2026, 3, 12), date(2026, 3, 12)) == {date(2026, 3, 12)}


def _saturday_night(app, office, cadre_id) -> int:
    with app.app_context():
        day = date(2026, 3, 14)
        shift = DutyShift(township_id=office.township_id, day=day, kind=ShiftKind.NIGHT,
                          starts_at=datetime.combine(day, time(18), tzinfo=TZ),
                          ends_at=datetime.combine(date(2026, 3, 15), time(8), tzinfo=TZ))
        db.session.add(shift)
        db.session.flush()
        assignment = DutyAssignment(shift_id=shift.id, cadre_id=cadre_id, role=DutyRole.LEADER)
        db.session.add(assignment)
        db.session.commit()
        return assignment.id


def test_weekend_duty_needs_a_substitute_before_approval(app, office, clerk_client, staff_client):
    at(WEDNESDAY)
    deputy, other = office.leader_ids[3], office.leader_ids[2]
    _saturday_night(app, office, deputy)
    _request(app, clerk_client, office, deputy, "2026-03-13", "2026-03-16")
    leave = _leave(app, deputy)
    with app.app_context():  # a request does not yet take the cadre off the roster
        assert leave_service.clashes([db.session.get(Leave, leave.id)]).get(leave.id, []) == []
    county = staff_client(Role.COUNTY_ADMIN, county_scope=True)
    page = county.get(f"/admin/t/{office.code}/leave").get_data(as_text=True)
    assert "请假期间的周末或节假日值班：2026-03-14" in page
    html = _decide(county, office, "approve", leave.id)
    assert "批准前须先指定替班人" in html and "2026-03-14" in html
    assert _leave(app, deputy).state == LeaveState.REQUESTED
    # Withdrawn and asked again with a substitute: approved, and the roster's clash check sees it.
    _decide(clerk_client, office, "cancel", leave.id)
    _request(app, clerk_client, office, deputy, "2026-03-13", "2026-03-16", substitute=_pid(app, other))
    with app.app_context():
        leave_id = db.session.scalar(select(Leave.id).where(Leave.cadre_id == deputy,
                                                            Leave.cancelled.is_(False)))
    _decide(county, office, "approve", leave_id)
    with app.app_context():
        approved = db.session.get(Leave, leave_id)
        assert approved.state == LeaveState.APPROVED
        assert [a.shift.day for a in leave_service.clashes([approved])[leave_id]] == [date(2026, 3, 14)]
    page = clerk_client.get(f"/admin/t/{office.code}/leave").get_data(as_text=True)
    assert "请假与值班冲突" in page and "由替班人" in page


def test_early_return_shortens_the_leave_and_ends_the_board_entry(app, office, clerk_client):
    at("2026-03-11T08:30")
    person = office.staff_ids[2]
    _request(app, clerk_client, office, person, "2026-03-09", "2026-03-13", approver="王书记")
    leave_id = _leave(app, person).id
    html = _decide(clerk_client, office, "return", leave_id, back_on="2026-03-11")
    assert "已为 干事2 销假" in html and "2026-03-11 返岗" in html and "原定至 2026-03-13" in html
    leave = _leave(app, person)
    assert (leave.end_date, leave.planned_end_date, leave.returned_on) == (
        date(2026, 3, 10), date(2026, 3, 13), date(2026, 3, 11))
    assert not _on_board(app, person, date(2026, 3, 11))
    with app.app_context():
        assert leave_service.leave_days(person, date(2026, 3, 1), date(2026, 3, 31)) == {
            date(2026, 3, 9), date(2026, 3, 10)}
    html = _decide(clerk_client, office, "return", leave_id, back_on="2026-03-11")
    assert "这条请假已经销假" in html


def test_late_return_shows_the_working_days_overstayed(app, office, clerk_client):
    at("2026-03-10T09:00")
    person = office.staff_ids[3]
    _request(app, clerk_client, office, person, "2026-03-02", "2026-03-04", approver="王书记")
    leave_id = _leave(app, person).id
    html = _decide(clerk_client, office, "return", leave_id, back_on="2026-03-11")
    assert "销假日期不能晚于今天" in html
    html = _decide(clerk_client, office, "return", leave_id, back_on="2026-03-10")
    # Back on Tuesday 10 March after leave to Wednesday 4 March: 5, 6 and 9 March are missed.
    assert "超假 3 个工作日" in html
    assert _leave(app, person).end_date == date(2026, 3, 4)


def test_pending_leave_is_never_on_the_public_board(app, office, clerk_client):
    at(WEDNESDAY)
    person = office.staff_ids[4]
    _request(app, clerk_client, office, person, "2026-03-11", "2026-03-11")
    with app.app_context():
        assert person not in whereabouts.on_leave_ids(office.township_id, date(2026, 3, 11))
    _decide(clerk_client, office, "approve", _leave(app, person).id, approver="王书记")
    with app.app_context():
        assert person in whereabouts.on_leave_ids(office.township_id, date(2026, 3, 11))


def test_the_county_sees_leaders_requests_waiting_for_it_on_the_staff_home(app, office, clerk_client,
                                                                           staff_client):
    at(WEDNESDAY)
    _request(app, clerk_client, office, office.leader_ids[2], "2026-03-12", "2026-03-12")
    _request(app, clerk_client, office, office.staff_ids[0], "2026-03-12", "2026-03-12")
    county = staff_client(Role.COUNTY_ADMIN, county_scope=True)
    assert "待你审批的请假 2 条" in county.get("/admin/").get_data(as_text=True)
    # The clerk may decide only the staff member's request.
    home = clerk_client.get("/admin/").get_data(as_text=True)
    assert "待你审批的请假 1 条" in home and f"/admin/t/{office.code}/leave#pending" in home
