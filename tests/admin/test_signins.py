"""Sign-ins, sign-outs and night stays entered through the office pages."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEntry, Cadre, Role, SignIn, SignInKind
from portal.models.base import utcnow
from portal.rules.calendar import TZ, local_date
from portal.services.office import rule543
from tests import factories
from tests.admin.conftest import post_form
from tests.conftest import at


def last_monday():
    return rule543.week_start_of(local_date(utcnow())) - timedelta(days=7)


def page(office, monday=None):
    monday = monday or last_monday()
    return f"/admin/attendance/?township={office.code}&week={monday.isoformat()}"


def cadre_public_id(app, cadre_id):
    with app.app_context():
        return db.session.get(Cadre, cadre_id).public_id


def add_sign_in(client, office, cadre, moment: datetime, kind="in", **extra):
    data = {"cadre": cadre, "at": moment.strftime("%Y-%m-%dT%H:%M"), "kind": kind,
            "place": "镇政府", "at_township": "y", **extra}
    return post_form(client, page(office), f"/admin/attendance/sign-ins?township={office.code}",
                     data=data)


def test_a_sign_in_without_its_sign_out_is_shown_as_invalid(app, office, clerk_client):
    leader = cadre_public_id(app, office.leader_ids[0])
    monday = last_monday()
    response = add_sign_in(clerk_client, office, leader, datetime.combine(monday, time(8, 15)))
    assert response.status_code == 302
    html = clerk_client.get(page(office)).get_data(as_text=True)
    assert "08:15" in html
    assert 'class="signin invalid"' in html and "签到无签退" in html
    add_sign_in(clerk_client, office, leader, datetime.combine(monday, time(17, 45)), kind="out")
    html = clerk_client.get(page(office)).get_data(as_text=True)
    assert "17:45" in html and "签到无签退" not in html and 'signin invalid' not in html
    with app.app_context():
        records = db.session.scalars(select(SignIn).order_by(SignIn.at)).all()
        assert [r.kind for r in records] == [SignInKind.IN, SignInKind.OUT]
        assert records[0].at == datetime.combine(monday, time(8, 15), tzinfo=TZ)
        assert records[0].source == "manual" and records[0].recorded_by_id == office.clerk_id


def test_a_sign_in_away_from_the_township_does_not_count(app, office, clerk_client):
    staff = cadre_public_id(app, office.staff_ids[0])
    monday = last_monday()
    add_sign_in(clerk_client, office, staff, datetime.combine(monday, time(8, 0)), at_township="")
    add_sign_in(clerk_client, office, staff, datetime.combine(monday, time(17, 0)), kind="out",
                at_township="")
    html = clerk_client.get(page(office)).get_data(as_text=True)
    assert "签到地点不在乡镇" in html


def test_a_night_stay_is_an_evening_and_a_next_morning_sign_in(app, office, clerk_client):
    leader = cadre_public_id(app, office.leader_ids[1])
    night_of = last_monday() + timedelta(days=1)
    response = post_form(clerk_client, page(office),
                         f"/admin/attendance/night-stays?township={office.code}",
                         data={"cadre": leader, "night_of": night_of.isoformat(),
                               "evening": "21:40", "morning": "06:55"})
    assert response.status_code == 302
    with app.app_context():
        records = db.session.scalars(select(SignIn).order_by(SignIn.at)).all()
        assert [r.at.astimezone(TZ) for r in records] == [
            datetime.combine(night_of, time(21, 40), tzinfo=TZ),
            datetime.combine(night_of + timedelta(days=1), time(6, 55), tzinfo=TZ)]
        cadre = db.session.get(Cadre, office.leader_ids[1])
        assert rule543.leader_week(cadre, last_monday()).night_dates == frozenset({night_of})
    html = clerk_client.get(page(office)).get_data(as_text=True)
    assert 'class="stay"' in html


def test_a_night_stay_with_a_late_morning_is_refused(app, office, clerk_client):
    leader = cadre_public_id(app, office.leader_ids[1])
    response = post_form(clerk_client, page(office),
                         f"/admin/attendance/night-stays?township={office.code}",
                         data={"cadre": leader, "night_of": last_monday().isoformat(),
                               "evening": "21:00", "morning": "09:10"}, follow_redirects=True)
    assert "次日早签到应在 07:30 以前" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(SignIn.id)) is None


def test_a_sign_in_in_the_future_is_refused(app, office, clerk_client):
    leader = cadre_public_id(app, office.leader_ids[0])
    future = utcnow().astimezone(TZ) + timedelta(days=2)
    response = add_sign_in(clerk_client, office, leader, future.replace(tzinfo=None))
    assert response.status_code == 302
    assert "不能晚于现在" in clerk_client.get(response.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(SignIn.id)) is None


def test_a_manual_record_can_be_deleted_and_the_deletion_is_audited(app, office, clerk_client):
    leader = cadre_public_id(app, office.leader_ids[0])
    add_sign_in(clerk_client, office, leader, datetime.combine(last_monday(), time(8, 0)))
    with app.app_context():
        record_id = db.session.scalar(select(SignIn.id))
    response = post_form(clerk_client, page(office), f"/admin/attendance/sign-ins/{record_id}/delete")
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(SignIn, record_id) is None
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "attendance.delete"))
        assert entry.object_id == str(record_id) and entry.actor_id == office.clerk_id


def test_a_machine_record_cannot_be_deleted(app, office, clerk_client):
    with app.app_context():
        record = SignIn(cadre_id=office.staff_ids[0], township_id=office.township_id,
                        at=datetime.combine(last_monday(), time(8, 0), tzinfo=TZ),
                        kind=SignInKind.IN, source="machine", machine_ref="m:test:1")
        db.session.add(record)
        db.session.commit()
        record_id = record.id
    post_form(clerk_client, page(office), f"/admin/attendance/sign-ins/{record_id}/delete")
    with app.app_context():
        assert db.session.get(SignIn, record_id) is not None


def test_records_of_another_township_are_out_of_reach(app, office, clerk_client):
    with app.app_context():
        other = factories.township()
        cadre = factories.cadre(other)
        record = SignIn(cadre_id=cadre.id, township_id=other.id, at=utcnow(), kind=SignInKind.IN)
        db.session.add(record)
        db.session.commit()
        record_id, code, outsider = record.id, other.code, cadre.public_id
    assert clerk_client.get(f"/admin/attendance/?township={code}").status_code == 404
    response = post_form(clerk_client, page(office), f"/admin/attendance/sign-ins/{record_id}/delete")
    assert response.status_code == 404
    # A cadre of another township cannot be slipped into this township's form either.
    add_sign_in(clerk_client, office, outsider, datetime.combine(last_monday(), time(8, 0)))
    with app.app_context():
        assert db.session.scalar(select(SignIn).where(SignIn.cadre_id != cadre.id)) is None


def test_supervisors_see_the_records_but_cannot_enter_them(app, office, staff_client):
    supervisor = staff_client(Role.SUPERVISOR)
    html = supervisor.get(page(office)).get_data(as_text=True)
    assert "王书记" in html and "录入签到或签退" not in html
    response = post_form(supervisor, page(office), f"/admin/attendance/sign-ins?township={office.code}",
                         data={"cadre": cadre_public_id(app, office.leader_ids[0]),
                               "at": "2026-03-09T08:00", "kind": "in"})
    assert response.status_code == 403


def test_the_week_shows_the_leaders_5_4_3_figures(app, office, clerk_client):
    at("2026-12-09T10:00")  # last week (30 Nov to 6 Dec) had five working days and no holiday
    html = clerk_client.get(page(office)).get_data(as_text=True)
    # Four leaders with nothing recorded: none compliant; staff show days only.
    assert html.count("0/5 · 0/4 · 0/3") == 4


def test_a_user_with_several_townships_picks_one(app, office, staff_client):
    admin = staff_client(Role.COUNTY_ADMIN, county_scope=True)
    with app.app_context():
        from portal.models import Region
        factories.township(db.session.get(Region, office.county_id), name="第二测试镇")
        db.session.commit()
    html = admin.get("/admin/attendance/").get_data(as_text=True)
    assert "选择乡镇" in html and "第二测试镇" in html and "大庄测试镇" in html
