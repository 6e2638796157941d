"""Leave: record with dates, kind, approver and substitute; shown on the board; cancel."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEntry, Cadre, Leave, LeaveKind, Role, Status
from portal.models.base import utcnow
from portal.rules.calendar import TZ, local_date
from portal.services.office import leave as leave_service
from portal.services.office import whereabouts
from tests.admin.conftest import post_form


def _pid(app, cadre_id):
    with app.app_context():
        return db.session.get(Cadre, cadre_id).public_id


def record(app, client, office, cadre_id, start, end, follow=True, **extra):
    data = {"cadre": _pid(app, cadre_id), "kind": "annual", "start_date": start, "end_date": end,
            "approver": "王书记", **extra}
    return post_form(client, f"/admin/t/{office.code}/leave", data=data, follow_redirects=follow)


def _today():
    return local_date(utcnow())


def test_record_leave_shows_on_the_board_without_the_reason(app, office, clerk_client):
    today = _today()
    html = record(app, clerk_client, office, office.staff_ids[0], today.isoformat(),
                  (today + timedelta(days=2)).isoformat(), substitute=_pid(app, office.staff_ids[1]),
                  reason="看病复查").get_data(as_text=True)
    assert "已登记 干事0 的请假" in html
    assert "看病复查" in html  # the staff list shows the reason
    with app.app_context():
        leave = db.session.scalar(select(Leave))
        assert (leave.kind, leave.approver, leave.substitute_id) == (
            LeaveKind.ANNUAL, "王书记", office.staff_ids[1])
        entry = whereabouts.current_entries([office.staff_ids[0]], utcnow())[office.staff_ids[0]]
        assert entry.status == Status.LEAVE and entry.substitute_id == office.staff_ids[1]
        assert db.session.scalar(select(AuditEntry.action).where(AuditEntry.action == "leave.approve"))
    public = app.test_client().get(f"/t/{office.code}").get_data(as_text=True)
    assert "请假" in public and "看病复查" not in public


def test_leave_excuses_its_days(app, office, clerk_client):
    record(app, clerk_client, office, office.staff_ids[0], "2026-03-02", "2026-03-04")
    with app.app_context():
        days = leave_service.leave_days(office.staff_ids[0], date(2026, 3, 1), date(2026, 3, 8))
    assert days == {date(2026, 3, 2), date(2026, 3, 3), date(2026, 3, 4)}


def test_overlapping_and_backwards_leave_is_refused(app, office, clerk_client):
    record(app, clerk_client, office, office.head_id, "2026-03-02", "2026-03-04")
    html = record(app, clerk_client, office, office.head_id, "2026-03-04", "2026-03-06").text
    assert "与已登记的请假（2026-03-02 至 2026-03-04）重叠" in html
    html = record(app, clerk_client, office, office.head_id, "2026-03-09", "2026-03-08").text
    assert "结束日期不能早于开始日期" in html
    with app.app_context():
        assert len(db.session.scalars(select(Leave)).all()) == 1


def test_substitute_cannot_be_the_cadre(app, office, clerk_client):
    html = record(app, clerk_client, office, office.head_id, "2026-03-02", "2026-03-02",
                  substitute=_pid(app, office.head_id)).get_data(as_text=True)
    assert "替班人不能是本人" in html


def test_cancel_ends_the_board_entry_and_keeps_the_record(app, office, clerk_client):
    today = _today()
    record(app, clerk_client, office, office.staff_ids[2], today.isoformat(), today.isoformat())
    with app.app_context():
        leave_id = db.session.scalar(select(Leave.id))
    html = post_form(clerk_client, f"/admin/t/{office.code}/leave", f"/admin/t/{office.code}/leave/cancel",
                     {"leave": leave_id}, follow_redirects=True).get_data(as_text=True)
    assert "已取消 干事2 的请假" in html and "已取消" in html
    with app.app_context():
        assert db.session.get(Leave, leave_id).cancelled is True
        assert office.staff_ids[2] not in whereabouts.current_entries([office.staff_ids[2]], utcnow())
        assert leave_service.leave_days(office.staff_ids[2], today, today) == set()


def test_cancel_a_future_leave_never_shows_it(app, office, clerk_client):
    start = _today() + timedelta(days=10)
    record(app, clerk_client, office, office.staff_ids[3], start.isoformat(), start.isoformat())
    with app.app_context():
        leave_id = db.session.scalar(select(Leave.id))
    post_form(clerk_client, f"/admin/t/{office.code}/leave", f"/admin/t/{office.code}/leave/cancel",
              {"leave": leave_id})
    with app.app_context():
        noon = datetime.combine(start, time(12), tzinfo=TZ)
        assert whereabouts.current_entries([office.staff_ids[3]], noon) == {}


def test_inspector_reads_leave_but_cannot_record(app, office, clerk_client, staff_client):
    day = (_today() + timedelta(days=3)).isoformat()
    record(app, clerk_client, office, office.head_id, day, day)
    inspector = staff_client(Role.INSPECTOR, county_scope=True)
    html = inspector.get(f"/admin/t/{office.code}/leave").get_data(as_text=True)
    assert "李镇长" in html and "请假申请" not in html
    response = post_form(inspector, f"/admin/t/{office.code}/leave", data={
        "cadre": _pid(app, office.head_id), "kind": "sick", "start_date": "2026-03-09",
        "end_date": "2026-03-09", "approver": "x"})
    assert response.status_code == 403
    assert staff_client(Role.SUPERVISOR).get(f"/admin/t/{office.code}/leave").status_code == 403


def test_leave_of_another_township_cannot_be_cancelled(app, office, clerk_client):
    from tests import factories

    with app.app_context():
        town = factories.township()
        person = factories.cadre(town)
        leave = Leave(cadre_id=person.id, township_id=town.id, kind=LeaveKind.SICK,
                      start_date=date(2026, 3, 2), end_date=date(2026, 3, 2))
        db.session.add(leave)
        db.session.commit()
        leave_id = leave.id
    response = post_form(clerk_client, f"/admin/t/{office.code}/leave",
                         f"/admin/t/{office.code}/leave/cancel", {"leave": leave_id})
    assert response.status_code == 404
    with app.app_context():
        assert db.session.get(Leave, leave_id).cancelled is False


def test_leave_form_comes_prefilled_from_the_board(app, office, clerk_client):
    pid = _pid(app, office.head_id)
    board = clerk_client.get(f"/admin/t/{office.code}/board/{pid}").get_data(as_text=True)
    assert f"/admin/t/{office.code}/leave?cadre={pid}" in board
    form = clerk_client.get(f"/admin/t/{office.code}/leave?cadre={pid}").get_data(as_text=True)
    assert f'<option selected value="{pid}">' in form or f'value="{pid}" selected' in form
