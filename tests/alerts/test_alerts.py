"""E-mail alerts, sent through a real SMTP server on loopback: who gets one and when (a new
report, a reporter's message, an escalation, the working day before a deadline, the daily
digest), what it says (never the report's content), and each sent once."""

from __future__ import annotations

import io
import re
from datetime import timedelta

from flask import url_for
from sqlalchemy import func, select

from portal import clock
from portal.extensions import db
from portal.models import Alert, AlertMode, Report, ReportStatus, User
from portal.models.base import utcnow
from portal.rules.calendar import TZ
from portal.services.casework import alerts, case_numbers, reports, review
from portal.services.casework.escalation import escalate
from tests.alerts.conftest import ADDRESSES, make_county
from tests.conftest import at, login_as
from tests.report.photos import jpeg_with_gps

DESCRIPTION = "独特描述词：鹦鹉螺七号在大门口晒太阳，值班室空无一人。"
PLACE = "独特地点猫头鹰巷十九号"
NAME = "独特举报人欧阳翠花"
CONTACT = "13712345678"
REPLY = "独特回复：我又看见了一次，是星期三下午。"


def _csrf(client, path: str) -> str:
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def file_through_the_form(client, code: str, **overrides) -> None:
    """A named report with a photo, filed as a reporter files it: through the public form."""
    with client.application.test_request_context():
        path = url_for("report.form", township=code)
    seen = (utcnow() - timedelta(hours=2)).astimezone(TZ).strftime("%Y-%m-%dT%H:%M")
    data = {"township": code, "cadre": "", "cadre_text": "独特干部名字", "category": "left_post",
            "observed_at": seen, "place": PLACE, "description": DESCRIPTION, "named": "y",
            "name": NAME, "contact": CONTACT, "csrf_token": _csrf(client, path),
            "photos": [(io.BytesIO(jpeg_with_gps()), "IMG_0001.jpg")]}
    data.update(overrides)
    response = client.post(path, data=data, content_type="multipart/form-data")
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]


def send(app) -> str:
    result = app.test_cli_runner().invoke(args=["alerts", "send"])
    assert result.exit_code == 0, result.output
    return result.output


def recipients(sink) -> list[str]:
    return sorted(str(m["To"]) for m in sink.messages)


def _only_report(app) -> Report:
    with app.app_context():
        report = db.session.scalars(select(Report)).one()
        db.session.expunge(report)
        return report


def test_a_report_filed_through_the_form_alerts_its_inspectors_with_nothing_of_its_content(
        mail_app, county, sink):
    at("2026-12-07T10:00")  # a Monday: the digest's hour has come
    client = mail_app.test_client()
    file_through_the_form(client, county.township_code)
    report = _only_report(mail_app)
    with mail_app.app_context():
        number = case_numbers.number_of(db.session.get(Report, report.id))
    output = send(mail_app)
    assert "3 alert(s) sent in 3 e-mail(s)" in output
    # The county's inspectors (one at a time, one in a digest) and the one given the township;
    # not the city's (not escalated), another county's, one without an address or with alerts
    # off, nor a clerk.
    assert recipients(sink) == sorted([ADDRESSES["inspector"], ADDRESSES["digest"], ADDRESSES["township"]])
    single = next(m for m in sink.messages if m["To"] == ADDRESSES["inspector"])
    body = single.get_body(("plain",)).get_content()
    assert single["From"] == "zaigang@example.org"
    assert number in single["Subject"] and "新举报" in single["Subject"]
    assert "乡镇：提醒镇" in body and "类别：擅自脱岗" in body and f"案件编号：{number}" in body
    assert f"https://zaigang.example.org/review/{report.public_id}" in body
    assert not single.is_multipart()  # no attachment, no photo
    digest = next(m for m in sink.messages if m["To"] == ADDRESSES["digest"])
    assert "每日汇总" in digest["Subject"] and number in digest.get_body(("plain",)).get_content()

    # The reporter answers in the thread (with the receipt's page, i.e. this use case).
    with mail_app.app_context():
        reports.reporter_reply(report=db.session.get(Report, report.id), body=REPLY)
    output = send(mail_app)
    # The digest's reader had today's digest already: theirs waits for tomorrow's.
    assert "2 alert(s) sent in 2 e-mail(s)" in output
    assert len(sink.messages) == 5
    for text in sink.texts():
        for secret in (DESCRIPTION, "鹦鹉螺", PLACE, "猫头鹰", NAME, "欧阳", CONTACT, REPLY, "星期三",
                       "独特干部名字", "IMG_0001", "image/jpeg"):
            assert secret not in text
    assert send(mail_app).startswith("0 alert(s) sent")  # nothing is sent twice
    with mail_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Alert)
                                 .where(Alert.sent_at.is_(None))) == 1  # tomorrow's digest


def test_a_reporter_message_goes_to_the_inspector_in_charge_only(mail_app, county, sink):
    client = mail_app.test_client()
    file_through_the_form(client, county.township_code)
    report = _only_report(mail_app)
    with mail_app.app_context():
        db.session.query(Alert).delete()
        inspector = db.session.get(User, county.inspector_id)
        case = db.session.get(Report, report.id)
        review.accept(user=inspector, report=case)
        review.claim(user=inspector, report=db.session.get(Report, report.id))
        reports.reporter_reply(report=db.session.get(Report, report.id), body=REPLY)
    assert "1 alert(s) sent" in send(mail_app)
    assert recipients(sink) == [ADDRESSES["inspector"]]
    assert "举报人回复" in sink.messages[0]["Subject"]


def test_an_escalated_report_alerts_the_inspectors_it_goes_to(mail_app, county, sink):
    client = mail_app.test_client()
    file_through_the_form(client, county.township_code)
    send(mail_app)
    sink.handler.messages.clear()
    sink.handler.raw.clear()
    report = _only_report(mail_app)
    with mail_app.app_context():
        clock.set_to(report.accept_due + timedelta(hours=1))
        done = escalate()
    assert [d.level for d in done] == [1]
    send(mail_app)
    assert ADDRESSES["city"] in recipients(sink)
    city = next(m for m in sink.messages if m["To"] == ADDRESSES["city"])
    assert "升级督办" in city["Subject"]


def test_the_deadline_is_announced_on_the_working_day_before_and_once(mail_app, county, sink):
    # Filed on Friday 4 December 2026: accept within 3 working days, by Wednesday the 9th.
    at("2026-12-04T16:00")
    with mail_app.app_context():
        report, _receipt = reports.create_report(
            township=_township(county), category="absent_workday", description="办公室上午无人。")
        report_id, due = report.id, report.accept_due
    assert due.astimezone(TZ).date().isoformat() == "2026-12-09"
    send(mail_app)  # the new report's alerts
    sent = len(sink.messages)
    at("2026-12-08T07:30")  # the working day before, before the reminders' hour
    assert send(mail_app).startswith("0 alert(s)")
    at("2026-12-08T08:05")
    output = send(mail_app)
    assert "alert(s) sent" in output
    reminders = [m for m in sink.messages[sent:] if "即将到期" in m["Subject"]]
    assert sorted(str(m["To"]) for m in reminders) == sorted([ADDRESSES["inspector"], ADDRESSES["township"]])
    assert "下一个工作日" in reminders[0].get_body(("plain",)).get_content()
    # The digest's reader finds it in the morning's digest.
    digest = [m for m in sink.messages[sent:] if m["To"] == ADDRESSES["digest"]]
    assert len(digest) == 1 and "[即将到期]" in digest[0].get_body(("plain",)).get_content()
    at("2026-12-08T15:00")
    assert send(mail_app).startswith("0 alert(s)")
    with mail_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Alert).where(
            Alert.report_id == report_id, Alert.kind == "deadline")) == 3


def test_a_deadline_over_a_weekend_is_announced_on_friday_and_not_after_acceptance(
        mail_app, county, sink):
    # Filed on Wednesday 2 December: due Monday the 7th; the working day before is Friday the 4th.
    at("2026-12-02T11:00")
    with mail_app.app_context():
        report, _receipt = reports.create_report(township=_township(county), category="commuting",
                                                 description="书记每天晚上回县城住。")
        report_id = report.id
    send(mail_app)
    at("2026-12-04T09:00")
    with mail_app.app_context():
        inspector = db.session.get(User, county.inspector_id)
        alerts.queue_deadlines()
        db.session.commit()
        # Accepted before the reminder went: the reminder is no longer sent.
        review.accept(user=inspector, report=db.session.get(Report, report_id))
    before = len(sink.messages)
    send(mail_app)
    assert [m for m in sink.messages[before:] if "即将到期" in m["Subject"]] == []
    with mail_app.app_context():
        outcomes = set(db.session.scalars(select(Alert.outcome).where(Alert.kind == "deadline")))
        assert outcomes == {"obsolete"}
        assert db.session.get(Report, report_id).status == ReportStatus.ACCEPTED


def _township(county):
    from portal.models import Township

    return db.session.get(Township, county.township_id)


def test_a_daily_digest_gathers_a_days_alerts_into_one_mail_after_its_hour(mail_app, county, sink):
    at("2026-12-07T06:00")
    with mail_app.app_context():
        for text in ("上午十点办公室无人。", "下午三点值班室无人。"):
            reports.create_report(township=_township(county), category="absent_workday",
                                  description=text)
    send(mail_app)
    assert ADDRESSES["digest"] not in recipients(sink)  # before the digest's hour
    at("2026-12-07T08:10")
    send(mail_app)
    digests = [m for m in sink.messages if m["To"] == ADDRESSES["digest"]]
    assert len(digests) == 1
    assert "2 条提醒" in digests[0]["Subject"]
    at("2026-12-07T09:00")
    send(mail_app)
    assert len([m for m in sink.messages if m["To"] == ADDRESSES["digest"]]) == 1


def test_a_mail_server_that_refuses_leaves_the_alerts_for_a_later_run(mail_app, county, sink):
    at("2026-12-07T10:00")
    with mail_app.app_context():
        reports.create_report(township=_township(county), category="absent_workday",
                              description="办公室大门紧锁。")
    sink.refuse()
    result = mail_app.test_cli_runner().invoke(args=["alerts", "send"])
    assert result.exit_code != 0 and "0 alert(s) sent" in result.output and "3 left" in result.output
    with mail_app.app_context():
        rows = db.session.scalars(select(Alert)).all()
        assert {(r.attempts, r.sent_at) for r in rows} == {(1, None)}
        assert all("451" in r.last_error for r in rows)
    sink.refuse(False)
    # The next run within the retry wait leaves them; one after it sends them.
    assert send(mail_app).startswith("0 alert(s) sent")
    at("2026-12-07T10:05")
    assert "3 alert(s) sent" in send(mail_app)
    with mail_app.app_context():
        assert {(r.attempts, r.outcome) for r in db.session.scalars(select(Alert))} == {(2, "sent")}


def test_an_unreachable_mail_server_fails_the_run_and_keeps_the_alerts(make_app, sink):
    app = make_app(MAIL_URL="smtp://127.0.0.1:1", MAIL_FROM="zaigang@example.org")
    county = make_county(app)
    with app.app_context():
        reports.create_report(township=_township(county), category="absent_workday",
                              description="办公室大门紧锁。")
    result = app.test_cli_runner().invoke(args=["alerts", "send"])
    assert result.exit_code != 0 and "cannot reach 127.0.0.1:1" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Alert)
                                 .where(Alert.sent_at.is_(None), Alert.attempts == 1)) >= 2


def test_without_mail_url_alerts_are_off_nothing_is_queued_and_the_queue_says_so(app, client):
    county = make_county(app)
    with app.app_context():
        reports.create_report(township=_township(county), category="absent_workday",
                              description="办公室大门紧锁。")
        assert db.session.scalar(select(func.count()).select_from(Alert)) == 0
        inspector = db.session.get(User, county.inspector_id)
        login_as(client, inspector)
    result = app.test_cli_runner().invoke(args=["alerts", "send"])
    assert result.exit_code == 0 and "alerts are off: MAIL_URL is not set" in result.output
    html = client.get("/review").get_data(as_text=True)
    assert "邮件提醒未开启" in html
    account = client.get("/account").get_data(as_text=True)
    assert "邮件提醒未开启" in account and ADDRESSES["inspector"] in account


def test_with_mail_url_the_queue_says_nothing_of_it_unless_the_address_is_missing(mail_app, county):
    client = mail_app.test_client()
    with mail_app.app_context():
        login_as(client, db.session.get(User, county.inspector_id))
    assert "邮件提醒未开启" not in client.get("/review").get_data(as_text=True)
    with mail_app.app_context():
        login_as(client, db.session.get(User, county.no_address_id))
    assert "没有电子邮箱地址" in client.get("/review").get_data(as_text=True)


def test_an_inspector_chooses_a_digest_or_no_alerts_on_the_account_page(mail_app, county):
    client = mail_app.test_client()
    with mail_app.app_context():
        login_as(client, db.session.get(User, county.inspector_id))
    page = client.get("/account").get_data(as_text=True)
    assert ADDRESSES["inspector"] in page
    assert 'value="immediate" checked' in page
    token = re.search(r'action="/account/alerts">\s*<input[^>]+value="([^"]+)"', page).group(1)
    response = client.post("/account/alerts", data={"alert_mode": "digest", "csrf_token": token})
    assert response.status_code == 303
    page = client.get("/account").get_data(as_text=True)
    assert 'value="digest" checked' in page and "已保存：每日汇总" in page
    refused = client.post("/account/alerts", data={"alert_mode": "hourly", "csrf_token": token},
                          follow_redirects=True).get_data(as_text=True)
    assert "请选择一种提醒方式" in refused
    with mail_app.app_context():
        assert db.session.get(User, county.inspector_id).alert_mode == AlertMode.DIGEST.value
