"""The demo story: the demo inspector logs in with the printed TOTP secret and works a report
from 待受理 to 已整改, while the reporter follows it on /track with the receipt code."""

from __future__ import annotations

import re

import pyotp
from sqlalchemy import select

from portal.demo.base import DEMO_USERS
from portal.extensions import db
from portal.models import Report, ReportStatus
from portal.services.casework import reports

RECEIPT = "90000 00000 00000 00000 00001"  # demo report 1: submitted, printed by `demo seed`


def _token(page: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def _demo_login(username):
    _name, _role, _scope, password, secret, _display = next(u for u in DEMO_USERS if u[0] == username)
    return password, secret


def _reporter_sees(app, *texts):
    reporter = app.test_client()
    page = reporter.get("/track").get_data(as_text=True)
    response = reporter.post("/track", data={"csrf_token": _token(page), "receipt": RECEIPT})
    body = response.get_data(as_text=True)
    for text in texts:
        assert text in body, text
    return body


def test_demo_inspector_works_a_report_from_submitted_to_rectified(demo):
    app = demo
    with app.app_context():
        report = reports.find_by_receipt(RECEIPT)
        assert report.status == ReportStatus.SUBMITTED
        pid = report.public_id
    _reporter_sees(app, "已收到，等待受理")

    inspector = app.test_client()
    password, secret = _demo_login("inspector")
    assert secret == "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    page = inspector.get("/login").get_data(as_text=True)
    response = inspector.post("/login", data={"csrf_token": _token(page), "username": "inspector",
                                              "password": password, "totp": pyotp.TOTP(secret).now()})
    assert response.status_code == 302 and response.headers["Location"] == "/review"
    queue = inspector.get("/review").get_data(as_text=True)
    assert pid in queue and "待受理" in queue

    def step(name, **data):
        page = inspector.get(f"/review/{pid}").get_data(as_text=True)
        result = inspector.post(f"/review/{pid}/{name}", data={"csrf_token": _token(page), **data})
        assert result.status_code == 303, (name, result.get_data(as_text=True)[:500])
        flashes = inspector.get(f"/review/{pid}").get_data(as_text=True)
        assert "flash-error" not in flashes, name

    step("accept")
    _reporter_sees(app, "已受理")
    step("claim")
    step("message", body="请问您去办手续是几月几日？")
    _reporter_sees(app, "正在核查", "请问您去办手续是几月几日？")
    step("conclude", finding="substantiated", action="criticism",
         outcome_public="经核查，民政办干部当天上午无故离岗，已对其批评教育，并调整窗口值守。")
    _reporter_sees(app, "已办结", "属实", "批评教育", "已对其批评教育")
    step("rectify", note="乡镇已建立窗口值守登记制度。")
    _reporter_sees(app, "已整改", "乡镇已建立窗口值守登记制度")
    with app.app_context():
        r = db.session.scalar(select(Report).where(Report.public_id == pid))
        assert r.status == ReportStatus.RECTIFIED
        assert [e.kind for e in r.events][-4:] == ["accepted", "assigned", "concluded", "rectified"]
