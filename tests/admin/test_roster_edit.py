"""The duty roster grid: assign, gaps while editing, copy last month, swap, substitute."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from portal.extensions import db
from portal.models import DutyAssignment, DutyRole, DutyShift, Role, ShiftKind
from portal.services.office import duty
from tests.admin.conftest import csrf_token, post_form


def _page(office, month="2026-02"):
    return f"/admin/t/{office.code}/roster?month={month}"


def _save(client, office, fields: dict, month="2026-02"):
    return post_form(client, _page(office, month), f"/admin/t/{office.code}/roster",
                     {"month": month, **fields}, follow_redirects=True)


def _night(leader, staff, day="2026-02-02") -> dict:
    return {f"l-{day}-night": leader, f"s1-{day}-night": staff}


def _people(app, office, day: date, kind: ShiftKind):
    with app.app_context():
        shift = db.session.scalar(select(DutyShift).where(
            DutyShift.township_id == office.township_id, DutyShift.day == day, DutyShift.kind == kind))
        if shift is None:
            return None
        return ({a.cadre_id for a in shift.assignments if a.role == DutyRole.LEADER},
                {a.cadre_id for a in shift.assignments if a.role == DutyRole.STAFF})


def _gaps(app, office, year=2026, month=2):
    with app.app_context():
        return duty.month_gap_count(office.township_id, year, month)


def test_grid_shows_required_slots_and_gaps(app, office, clerk_client):
    html = clerk_client.get(_page(office)).get_data(as_text=True)
    assert 'name="l-2026-02-01-day"' in html      # Sunday: a day shift is needed
    assert 'name="l-2026-02-02-day"' not in html  # Monday: office open, no day shift
    assert 'name="l-2026-02-14-day"' not in html  # 调休 Saturday: a working day
    assert 'name="l-2026-02-17-day"' in html      # Spring Festival
    assert "调休上班" in html and "春节" in html
    assert "未排班" in html
    assert f"缺岗 {_gaps(app, office)} 个" in html


def test_assign_a_night_and_its_gap_disappears(app, office, clerk_client):
    before = _gaps(app, office)
    html = _save(clerk_client, office, {
        "l-2026-02-02-night": office.secretary_id, "s1-2026-02-02-night": office.staff_ids[0],
        "s2-2026-02-02-night": office.staff_ids[1],
        "l-2026-02-03-night": office.head_id,  # no staff: still a gap
    }).get_data(as_text=True)
    assert "已保存，改动了 2 个班次" in html
    assert _people(app, office, date(2026, 2, 2), ShiftKind.NIGHT) == (
        {office.secretary_id}, {office.staff_ids[0], office.staff_ids[1]})
    assert _gaps(app, office) == before - 1
    assert "缺值班" in html


def test_a_non_leader_cannot_lead_a_shift(app, office, clerk_client):
    html = _save(clerk_client, office, {"l-2026-02-02-night": office.staff_ids[0]}).get_data(as_text=True)
    assert "带班领导必须是本乡镇的班子成员" in html
    assert _people(app, office, date(2026, 2, 2), ShiftKind.NIGHT) is None


def test_a_cadre_of_another_township_is_refused(app, office, clerk_client):
    from tests import factories

    with app.app_context():
        stranger = factories.cadre(factories.township(), is_leader=True)
        db.session.commit()
        stranger_id = stranger.id
    html = _save(clerk_client, office, {"l-2026-02-02-night": stranger_id}).get_data(as_text=True)
    assert "带班领导必须是本乡镇的班子成员" in html


def test_clearing_a_slot_removes_its_people(app, office, clerk_client):
    _save(clerk_client, office, _night(office.head_id, office.staff_ids[2]))
    _save(clerk_client, office, {"l-2026-02-02-night": "", "s1-2026-02-02-night": office.staff_ids[2]})
    assert _people(app, office, date(2026, 2, 2), ShiftKind.NIGHT) == (set(), {office.staff_ids[2]})


def test_copy_last_month_fills_empty_slots_on_the_same_weekday(app, office, clerk_client):
    # January 2026: Monday 5 Jan night and Saturday 3 Jan day.
    _save(clerk_client, office, {
        "l-2026-01-05-night": office.leader_ids[2], "s1-2026-01-05-night": office.staff_ids[3],
        "l-2026-01-03-day": office.leader_ids[3], "s1-2026-01-03-day": office.staff_ids[4],
    }, month="2026-01")
    # Already planned in February: left alone.
    _save(clerk_client, office, _night(office.head_id, office.staff_ids[0]))
    html = post_form(clerk_client, _page(office), f"/admin/t/{office.code}/roster/copy",
                     {"month": "2026-02"}, follow_redirects=True).get_data(as_text=True)
    assert "已按上月同一星期几的安排填入" in html
    assert _people(app, office, date(2026, 2, 2), ShiftKind.NIGHT) == (
        {office.head_id}, {office.staff_ids[0]})
    # Saturday 31 Jan is Jan 3 + 28 days; Saturday 28 Feb is a 调休 working day: no day shift.
    assert _people(app, office, date(2026, 2, 28), ShiftKind.DAY) is None
    assert _people(app, office, date(2026, 2, 7), ShiftKind.DAY) is None  # Jan 10 empty
    with app.app_context():
        duty_days = db.session.scalars(select(DutyShift.day).where(
            DutyShift.township_id == office.township_id, DutyShift.day >= date(2026, 2, 1))).all()
    assert date(2026, 2, 2) in duty_days
    # Monday 2 Feb maps to 5 Jan (28 days before) but was planned; no Monday in Feb maps to 5 Jan again.
    assert len(duty_days) == 1


def test_copy_without_last_month_says_so(app, office, clerk_client):
    html = post_form(clerk_client, _page(office), f"/admin/t/{office.code}/roster/copy",
                     {"month": "2026-02"}, follow_redirects=True).get_data(as_text=True)
    assert "上个月没有排班，无法复制" in html


def _assignment_id(app, office, day, cadre_id):
    with app.app_context():
        return db.session.scalar(select(DutyAssignment.id).join(DutyShift).where(
            DutyShift.township_id == office.township_id, DutyShift.day == day,
            DutyAssignment.cadre_id == cadre_id))


def test_swap_two_leaders_records_who_replaces_whom(app, office, clerk_client):
    a, b = office.leader_ids[2], office.leader_ids[3]
    _save(clerk_client, office, {"l-2026-02-02-night": a, "s1-2026-02-02-night": office.staff_ids[0],
                                 "l-2026-02-03-night": b, "s1-2026-02-03-night": office.staff_ids[1]})
    first = _assignment_id(app, office, date(2026, 2, 2), a)
    second = _assignment_id(app, office, date(2026, 2, 3), b)
    html = post_form(clerk_client, _page(office), f"/admin/t/{office.code}/roster/swap",
                     {"first": first, "second": second}, follow_redirects=True).get_data(as_text=True)
    assert "已对调" in html
    with app.app_context():
        one, two = db.session.get(DutyAssignment, first), db.session.get(DutyAssignment, second)
        assert (one.cadre_id, one.replaces_id) == (b, a)
        assert (two.cadre_id, two.replaces_id) == (a, b)
    assert "张副 替 赵副" in html or "赵副 替 张副" in html


def test_swap_leader_with_staff_is_refused(app, office, clerk_client):
    _save(clerk_client, office, _night(office.head_id, office.staff_ids[0]))
    first = _assignment_id(app, office, date(2026, 2, 2), office.head_id)
    second = _assignment_id(app, office, date(2026, 2, 2), office.staff_ids[0])
    html = post_form(clerk_client, _page(office), f"/admin/t/{office.code}/roster/swap",
                     {"first": first, "second": second}, follow_redirects=True).get_data(as_text=True)
    assert "只能对调同一角色" in html


def test_record_a_substitute(app, office, clerk_client):
    _save(clerk_client, office, _night(office.head_id, office.staff_ids[0]))
    assignment = _assignment_id(app, office, date(2026, 2, 2), office.staff_ids[0])
    html = post_form(clerk_client, _page(office), f"/admin/t/{office.code}/roster/substitute",
                     {"assignment": assignment, "cadre": office.staff_ids[5], "note": "家中有事"},
                     follow_redirects=True).get_data(as_text=True)
    assert "已记录替班" in html
    with app.app_context():
        row = db.session.get(DutyAssignment, assignment)
        assert (row.cadre_id, row.replaces_id, row.note) == (
            office.staff_ids[5], office.staff_ids[0], "家中有事")
    assert "干事5 替 干事0" in html


def test_substitute_for_a_leader_must_be_a_leader(app, office, clerk_client):
    _save(clerk_client, office, _night(office.head_id, office.staff_ids[0]))
    assignment = _assignment_id(app, office, date(2026, 2, 2), office.head_id)
    html = post_form(clerk_client, _page(office), f"/admin/t/{office.code}/roster/substitute",
                     {"assignment": assignment, "cadre": office.staff_ids[5]},
                     follow_redirects=True).get_data(as_text=True)
    assert "带班须为班子成员" in html


def test_assignment_of_another_township_answers_404(app, office, clerk_client):
    from tests import factories

    with app.app_context():
        town = factories.township()
        leader = factories.cadre(town, is_leader=True)
        db.session.commit()
        duty_shift = DutyShift(township_id=town.id, day=date(2026, 2, 2), kind=ShiftKind.NIGHT,
                               starts_at=duty.shift_times(date(2026, 2, 2), ShiftKind.NIGHT)[0],
                               ends_at=duty.shift_times(date(2026, 2, 2), ShiftKind.NIGHT)[1])
        duty_shift.assignments.append(DutyAssignment(cadre_id=leader.id, role=DutyRole.LEADER))
        db.session.add(duty_shift)
        db.session.commit()
        foreign = duty_shift.assignments[0].id
    response = post_form(clerk_client, _page(office), f"/admin/t/{office.code}/roster/substitute",
                         {"assignment": foreign, "cadre": office.head_id})
    assert response.status_code == 404


def _requested_leave(app, office) -> list[int]:
    from portal.models import Leave, LeaveState

    with app.app_context():
        return list(db.session.scalars(select(Leave.id).where(
            Leave.township_id == office.township_id, Leave.state == LeaveState.REQUESTED)))


def test_chiefs_both_on_leave_are_flagged(app, office, clerk_client, staff_client):
    from tests.admin.test_leave import record

    for cid in (office.secretary_id, office.head_id):
        record(app, clerk_client, office, cid, "2026-02-10", "2026-02-11")
    html = clerk_client.get(_page(office)).get_data(as_text=True)
    assert "同时不在岗" not in html  # requested only: the county has not approved them yet
    county = staff_client(Role.COUNTY_ADMIN, county_scope=True)
    for leave_id in _requested_leave(app, office):
        post_form(county, f"/admin/t/{office.code}/leave", f"/admin/t/{office.code}/leave/approve",
                  {"leave": leave_id}, follow_redirects=True)
    html = clerk_client.get(_page(office)).get_data(as_text=True)
    assert "党委书记和乡镇长同时不在岗的日子：2026-02-10、2026-02-11" in html


def test_supervisor_reads_the_grid_without_editing(app, office, clerk_client, staff_client):
    _save(clerk_client, office, _night(office.head_id, office.staff_ids[0]))
    client = staff_client(Role.SUPERVISOR)
    html = client.get(_page(office)).get_data(as_text=True)
    assert "李镇长" in html and "<select" not in html
    token = csrf_token(client.get("/admin/").get_data(as_text=True))
    response = client.post(f"/admin/t/{office.code}/roster",
                           data={"csrf_token": token, "month": "2026-02",
                                 "l-2026-02-03-night": office.head_id})
    assert response.status_code == 403
