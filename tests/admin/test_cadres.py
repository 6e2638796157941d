"""The roster of cadres: list, add, edit, deactivate and reactivate (never delete)."""

from __future__ import annotations

from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEntry, Cadre, ChiefRole, Role, Status, Township, labels
from portal.models.base import utcnow
from portal.services.office import whereabouts
from tests.admin.conftest import post_form


def _url(office, suffix=""):
    return f"/admin/t/{office.code}/cadres{suffix}"


def _cadre(app, cadre_id):
    with app.app_context():
        cadre = db.session.get(Cadre, cadre_id)
        db.session.expunge(cadre)
        return cadre


def test_list_shows_staff_only_fields_to_the_clerk(app, office, clerk_client):
    html = clerk_client.get(_url(office)).get_data(as_text=True)
    head = _cadre(app, office.head_id)
    assert "李镇长" in html and head.personal_phone in html
    assert "在册 10 人，其中班子成员 4 人" in html


def test_add_a_cadre(app, office, clerk_client):
    version = _township_version(app, office)
    response = post_form(clerk_client, _url(office, "/new"), data={
        "name": "周新", "post": "副镇长", "is_leader": "y", "chief_role": "",
        "office_phone": "0999-8800123", "personal_phone": "13912345678", "sort_order": "5",
        "township_service_since": "2020-09-01"})
    assert response.status_code == 302
    with app.app_context():
        cadre = db.session.scalar(select(Cadre).where(Cadre.name == "周新"))
        assert cadre.township_id == office.township_id and cadre.is_leader
        assert cadre.office_phone == "0999-8800123" and cadre.sort_order == 5
        assert db.session.scalar(select(AuditEntry.action).where(AuditEntry.object_id == cadre.public_id)) \
            == "cadre.create"
    assert _township_version(app, office) > version
    assert "周新" in app.test_client().get(f"/t/{office.code}").get_data(as_text=True)


def _township_version(app, office):
    with app.app_context():
        return db.session.get(Township, office.township_id).data_version


def test_bad_phone_and_missing_name_are_refused(app, office, clerk_client):
    response = post_form(clerk_client, _url(office, "/new"), data={
        "name": "", "post": "干事", "office_phone": "call me", "sort_order": "100"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "电话号码格式不对" in html
    with app.app_context():
        assert db.session.scalar(select(Cadre).where(Cadre.office_phone == "call me")) is None


def test_a_second_party_secretary_is_refused(app, office, clerk_client):
    response = post_form(clerk_client, _url(office, "/new"), data={
        "name": "钱书记", "post": "党委书记", "is_leader": "y", "chief_role": "secretary",
        "sort_order": "0"}, follow_redirects=True)
    assert "王书记 已经是本乡镇的党委书记" in response.get_data(as_text=True)


def test_edit_records_what_changed_without_the_personal_phone(app, office, clerk_client):
    cadre = _cadre(app, office.staff_ids[0])
    page = _url(office, f"/{cadre.public_id}")
    form = clerk_client.get(page).get_data(as_text=True)
    assert f'value="{cadre.name}"' in form
    response = post_form(clerk_client, page, data={
        "name": cadre.name, "post": "党政办主任", "chief_role": "", "office_phone": cadre.office_phone,
        "personal_phone": "13700000000", "sort_order": "100"})
    assert response.status_code == 302
    after = _cadre(app, cadre.id)
    assert after.post == "党政办主任" and after.personal_phone == "13700000000"
    with app.app_context():
        detail = db.session.scalar(select(AuditEntry.detail).where(AuditEntry.action == "cadre.update"))
    assert "党政办主任" in detail and "13700000000" not in detail


def test_deactivate_keeps_history_and_hides_from_board(app, office, clerk_client):
    cadre = _cadre(app, office.staff_ids[1])
    post_form(clerk_client, f"/admin/t/{office.code}/board", f"/admin/t/{office.code}/board/set",
              {"cadre": cadre.public_id, "status": "at_office", "span": "open"})
    response = post_form(clerk_client, _url(office), _url(office, f"/{cadre.public_id}/active"),
                         {"active": "0"}, follow_redirects=True)
    assert "已停用" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Cadre, cadre.id).active is False
        assert whereabouts.current_entries([cadre.id], utcnow()) == {}
        assert len(whereabouts.history(cadre.id)) == 1  # the entry is ended, not deleted
    assert cadre.name not in clerk_client.get(f"/admin/t/{office.code}/board").get_data(as_text=True)
    assert cadre.name not in app.test_client().get(f"/t/{office.code}").get_data(as_text=True)
    # And back.
    post_form(clerk_client, _url(office), _url(office, f"/{cadre.public_id}/active"), {"active": "1"})
    assert _cadre(app, cadre.id).active is True


def test_there_is_no_delete(app, office, clerk_client):
    cadre = _cadre(app, office.staff_ids[2])
    assert clerk_client.delete(_url(office, f"/{cadre.public_id}")).status_code == 405


def test_inspector_reads_supervisor_does_not(app, office, staff_client):
    inspector = staff_client(Role.INSPECTOR, county_scope=True)
    html = inspector.get(_url(office)).get_data(as_text=True)
    assert "李镇长" in html and "添加干部" not in html
    assert inspector.get(_url(office, "/new")).status_code == 403
    assert staff_client(Role.SUPERVISOR).get(_url(office)).status_code == 403


def test_cadre_of_another_township_answers_404(app, office, clerk_client):
    from tests import factories

    with app.app_context():
        stranger = factories.cadre(factories.township(), chief_role=ChiefRole.HEAD)
        db.session.commit()
        pid, code = stranger.public_id, stranger.township.code
    assert clerk_client.get(_url(office, f"/{pid}")).status_code == 404
    assert clerk_client.get(f"/admin/t/{code}/cadres").status_code == 404
    assert clerk_client.get(f"/admin/t/{code}/cadres/{pid}").status_code == 404


def test_status_labels_cover_every_status():
    assert set(labels.BOARD_STATUS) == set(Status)


def test_deactivating_takes_the_cadre_off_future_shifts_only(app, office, clerk_client):
    from datetime import timedelta

    from portal.models import DutyAssignment, DutyRole, DutyShift, ShiftKind
    from portal.rules.calendar import TZ
    from portal.services.office import duty

    today = utcnow().astimezone(TZ).date()
    with app.app_context():
        for day in (today - timedelta(days=1), today + timedelta(days=2)):
            starts, ends = duty.shift_times(day, ShiftKind.NIGHT)
            shift = DutyShift(township_id=office.township_id, day=day, kind=ShiftKind.NIGHT,
                              starts_at=starts, ends_at=ends)
            shift.assignments.append(DutyAssignment(cadre_id=office.staff_ids[4], role=DutyRole.STAFF))
            db.session.add(shift)
        db.session.commit()
    cadre = _cadre(app, office.staff_ids[4])
    response = post_form(clerk_client, _url(office), _url(office, f"/{cadre.public_id}/active"),
                         {"active": "0"}, follow_redirects=True)
    assert "已从今后的 1 个值班中撤下" in response.get_data(as_text=True)
    with app.app_context():
        days = db.session.scalars(select(DutyShift.day).join(DutyAssignment).where(
            DutyAssignment.cadre_id == office.staff_ids[4])).all()
    assert days == [today - timedelta(days=1)]  # the past stays as it was


def test_a_cadre_carries_an_attendance_machine_number(app, office, clerk_client):
    response = post_form(clerk_client, _url(office, "/new"), data={
        "name": "周新", "post": "干事", "chief_role": "", "sort_order": "100",
        "machine_number": "0015"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Cadre.machine_number).where(Cadre.name == "周新")) == "15"
    # The same number for someone else of the township is refused, and the form keeps it.
    response = post_form(clerk_client, _url(office, "/new"), data={
        "name": "吴二", "post": "干事", "chief_role": "", "sort_order": "100",
        "machine_number": "15"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "考勤机号 15 已是 周新 的，同一乡镇不能重复" in html
    assert 'value="15"' in html
    response = post_form(clerk_client, _url(office, "/new"), data={
        "name": "吴二", "post": "干事", "chief_role": "", "sort_order": "100",
        "machine_number": "12-3"})
    assert "考勤机号只能是数字或字母" in response.get_data(as_text=True)
    # Another township may use the same number: each has its own machine.
    from tests import factories

    with app.app_context():
        other = factories.cadre(factories.township(), machine_number="15")
        db.session.commit()
        assert other.machine_number == "15"


def test_the_edit_page_gives_the_cadre_their_duty_calendar(app, office, clerk_client):
    cadre = _cadre(app, office.staff_ids[0])
    html = clerk_client.get(_url(office, f"/{cadre.public_id}")).get_data(as_text=True)
    link = f"webcal://localhost/t/{office.code}/cadres/{cadre.public_id}/duty.ics"
    assert f'href="{link}"' in html
    assert app.test_client().get(link.replace("webcal://localhost", "")).status_code == 200
