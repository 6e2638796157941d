"""作风建设监督员: the county's register, its public page, accounts that open only during the
term, and what each supervisor filed and found, summarised for the county."""

from __future__ import annotations

import re
from dataclasses import fields
from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import (
    Category,
    Finding,
    Presence,
    Report,
    ReportStatus,
    Role,
    SpotCheck,
    SpotCheckFinding,
    SupervisorAppointment,
    SupervisorKind,
    Township,
    User,
)
from portal.models.base import utcnow
from portal.rules.calendar import TZ, local_date
from portal.services.accounts import supervisors
from tests import factories
from tests.admin.conftest import post_form
from tests.auth.test_auth_login import _login
from tests.conftest import at, login_as

PASSWORD = re.compile(r'<code class="secret">([^<]+)</code>')


def today():
    return local_date(utcnow())


@pytest.fixture
def county_admin(app, office, staff_client):
    return staff_client(Role.COUNTY_ADMIN, county_scope=True)


def county_code(app, office) -> str:
    with app.app_context():
        return db.session.get(Township, office.township_id).county.code


def appoint(client, app, office, **data):
    code = county_code(app, office)
    form = {"name": "刘代表", "kind": "npc_deputy", "term_from": today().isoformat(),
            "term_until": (today() + timedelta(days=700)).isoformat(),
            "townships": office.code, "contact": "0999-8123456", "contact_public": "y",
            "username": ""} | data
    return post_form(client, f"/admin/supervisors/new?county={code}", data=form)


def test_the_county_appoints_a_supervisor_and_the_public_sees_the_register(
        app, office, county_admin):
    response = appoint(county_admin, app, office, username="liu-daibiao")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "liu-daibiao" in html
    password = PASSWORD.search(html).group(1)
    appoint(county_admin, app, office, name="陈委员", kind="cppcc_member",
            contact="13900001111", contact_public="")
    code = county_code(app, office)
    public = app.test_client().get(f"/c/{code}/supervisors")
    page = public.get_data(as_text=True)
    assert public.status_code == 200 and "ETag" in public.headers
    assert "刘代表" in page and "人大代表" in page and "陈委员" in page and "政协委员" in page
    assert "大庄测试镇" in page and f"/t/{office.code}" in page
    assert 'href="tel:09998123456"' in page  # consented
    assert "13900001111" not in page  # not consented
    assert "liu-daibiao" not in page and "<script" not in page and "style=" not in page
    assert f"任期：{today().isoformat()} 至 {(today() + timedelta(days=700)).isoformat()}" in page
    # The account is the supervisor's, scoped to the appointment's townships.
    assert _login(app.test_client(), "liu-daibiao", password=password).status_code == 302
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "liu-daibiao"))
        assert user.role == Role.SUPERVISOR and [t.code for t in user.scope_townships] == [office.code]


def test_the_public_register_shows_only_whom_and_what_it_should():
    assert {f.name for f in fields(supervisors.PublicSupervisor)} == {
        "name", "kind", "term_from", "term_until", "townships", "contact"}
    assert {f.name for f in fields(supervisors.PublicRegister)} == {
        "county_code", "county_name", "today", "supervisors"}


def test_a_supervisor_out_of_term_or_of_another_county_is_not_listed(app, office):
    with app.app_context():
        town = db.session.get(Township, office.township_id)
        other = factories.township()
        for name, start, end, where in [
            ("期满的", today() - timedelta(days=800), today() - timedelta(days=1), town),
            ("未上任的", today() + timedelta(days=1), today() + timedelta(days=300), town),
            ("外县的", today() - timedelta(days=1), today() + timedelta(days=300), other),
        ]:
            a = SupervisorAppointment(county_id=where.county_id, name=name,
                                      kind=SupervisorKind.PUBLIC_REP, term_from=start,
                                      term_until=end)
            a.townships = [where]
            db.session.add(a)
        db.session.commit()
        code = town.county.code
    page = app.test_client().get(f"/c/{code}/supervisors").get_data(as_text=True)
    assert "目前没有在任的监督员" in page
    assert not any(name in page for name in ("期满的", "未上任的", "外县的"))
    for bad in ("999999", "abc", "9901011", office.code):
        assert app.test_client().get(f"/c/{bad}/supervisors").status_code == 404


@pytest.mark.parametrize("data, message", [
    ({"term_until": "2000-01-01"}, "不能早于开始日期"),
    ({"contact": "", "contact_public": "y"}, "请填写联系方式"),
    ({"townships": "980101001"}, "监督的乡镇"),
    ({"name": ""}, "姓名"),
])
def test_bad_appointments_are_refused_and_keep_what_was_typed(
        app, office, county_admin, data, message):
    response = appoint(county_admin, app, office, **({"name": "留着的名字"} | data))
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and message in html
    if data.get("name", "x"):
        assert "留着的名字" in html
    with app.app_context():
        assert db.session.scalar(select(SupervisorAppointment.id)) is None


def _supervisor(app, office, *, start, end) -> str:
    with app.app_context():
        town = db.session.get(Township, office.township_id)
        user = factories.user(Role.SUPERVISOR, townships=[town], username="jiandu")
        a = SupervisorAppointment(county_id=town.county_id, name="监督员甲",
                                  kind=SupervisorKind.RETIRED_CADRE, term_from=start,
                                  term_until=end, user_id=user.id)
        a.townships = [town]
        db.session.add(a)
        db.session.commit()
        return a.public_id


def test_the_account_opens_only_during_the_term(app, office):
    start, end = today() + timedelta(days=2), today() + timedelta(days=9)
    _supervisor(app, office, start=start, end=end)
    assert _login(app.test_client(), "jiandu").status_code == 401  # not begun: refused
    at(datetime.combine(start, time(9, 0)).isoformat())
    assert _login(app.test_client(), "jiandu").status_code == 302
    at(datetime.combine(end, time(22, 0)).isoformat())
    assert _login(app.test_client(), "jiandu").status_code == 302  # the last day counts
    at(datetime.combine(end + timedelta(days=1), time(8, 0)).isoformat())
    assert _login(app.test_client(), "jiandu").status_code == 401
    # A session opened now (by any means) opens nothing either.
    client = app.test_client()
    with app.app_context():
        login_as(client, db.session.scalar(select(User).where(User.username == "jiandu")))
    response = client.get("/admin/supervision/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_session_open_when_the_term_ends_ends_with_it(app, office, county_admin):
    public_id = _supervisor(app, office, start=today() - timedelta(days=30),
                            end=today() + timedelta(days=30))
    browser = app.test_client()
    assert _login(browser, "jiandu").status_code == 302
    assert browser.get("/admin/supervision/").status_code == 200
    ended = post_form(county_admin, f"/admin/supervisors/?county={county_code(app, office)}",
                      f"/admin/supervisors/{public_id}/end", follow_redirects=True)
    assert "任期已结束" in ended.get_data(as_text=True)
    response = browser.get("/admin/supervision/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert _login(app.test_client(), "jiandu").status_code == 401
    with app.app_context():
        appointment = db.session.scalar(select(SupervisorAppointment))
        assert appointment.term_until == today() - timedelta(days=1)
    page = app.test_client().get(f"/c/{county_code(app, office)}/supervisors")
    assert "监督员甲" not in page.get_data(as_text=True)


def test_another_county_cannot_see_or_end_an_appointment(app, office, staff_client):
    public_id = _supervisor(app, office, start=today() - timedelta(days=3),
                            end=today() + timedelta(days=30))
    other = staff_client(Role.COUNTY_ADMIN, in_scope=False, county_scope=True)
    assert post_form(other, "/admin/supervisors/", f"/admin/supervisors/{public_id}/end"
                     ).status_code == 404
    assert other.get(f"/admin/supervisors/?county={county_code(app, office)}").status_code == 404
    assert staff_client(Role.CLERK).get("/admin/supervisors/").status_code == 403
    with app.app_context():
        assert db.session.scalar(select(SupervisorAppointment)).term_until > today()


def test_the_county_reads_what_each_supervisor_filed_and_found(app, office, county_admin):
    _supervisor(app, office, start=today() - timedelta(days=60), end=today() + timedelta(days=60))
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "jiandu"))
        town = db.session.get(Township, office.township_id)
        now = utcnow()
        for status, finding in [(ReportStatus.CONCLUDED, Finding.SUBSTANTIATED),
                                (ReportStatus.VERIFYING, None), (ReportStatus.SUBMITTED, None)]:
            db.session.add(Report(
                receipt_hash=f"h{status.value}", township=town, county_id=town.county_id,
                category=Category.ABSENT_WORKDAY, observed_at=now - timedelta(days=2),
                description="监督员实名反映", named=True, status=status, finding=finding,
                filed_by_id=user.id, accept_due=now + timedelta(days=3)))
        check = SpotCheck(township_id=town.id, at=now - timedelta(days=1), checker_id=user.id)
        check.findings = [SpotCheckFinding(cadre_id=cid, presence=p) for cid, p in zip(
            office.leader_ids, [Presence.ABSENT, Presence.ABSENT, Presence.PRESENT], strict=False)]
        db.session.add(check)
        db.session.commit()
    page = county_admin.get(f"/admin/supervisors/?county={county_code(app, office)}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "监督员甲" in html
    row = re.search(r"<th scope=\"row\">监督员甲</th>(.*?)</tr>", html, re.S).group(1)
    cells = re.findall(r"<td>([^<]*)</td>", row)
    # filed, accepted, substantiated, spot checks, absences found
    assert cells[-5:] == ["3", "2", "1", "1", "2"]


def test_the_demo_county_has_a_register(demo):
    client = demo.test_client()
    page = client.get("/c/990101/supervisors").get_data(as_text=True)
    assert page.count('class="card"') == 4 and "吴秀兰" not in page
    with demo.app_context():
        linked = db.session.scalar(select(SupervisorAppointment).where(
            SupervisorAppointment.user_id.is_not(None)))
        assert linked.user.username == "supervisor" and linked.in_term(today())
    assert _login(client, "supervisor", password="demo-supervisor-2026").status_code == 302


def test_the_local_day_decides_the_term(app, office):
    """A term that ends today still holds at 23:59 local time and not at 00:01 the next day."""
    end = today() + timedelta(days=1)
    _supervisor(app, office, start=today() - timedelta(days=3), end=end)
    at(datetime.combine(end, time(23, 59), tzinfo=TZ).isoformat())
    assert _login(app.test_client(), "jiandu").status_code == 302
    at(datetime.combine(end + timedelta(days=1), time(0, 1), tzinfo=TZ).isoformat())
    assert _login(app.test_client(), "jiandu").status_code == 401
