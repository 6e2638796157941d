"""Reports received by phone, letter and visit (来电、来信、来访), entered by an inspector."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEntry, Report, ReportStatus, Source, Township, User
from portal.models.base import utcnow
from portal.rules.calendar import TZ
from portal.services.casework import intake, reports
from tests.conftest import at
from tests.review.conftest import as_staff


@pytest.fixture
def app(make_app):
    return make_app(WTF_CSRF_ENABLED=False)


def _form(client) -> dict:
    page = client.get("/review/intake").get_data(as_text=True)
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', page) or re.search(
        r'id="token" name="token" type="hidden" value="([^"]+)"', page)
    token = token or re.search(r'name="token"[^>]*value="([^"]+)"', page)
    return {"token": token.group(1)}


def _entry(app, world, **fields) -> dict:
    with app.app_context():
        code = db.session.get(Township, world.township.id).code
    observed = (utcnow() - timedelta(hours=3)).astimezone(TZ).strftime("%Y-%m-%dT%H:%M")
    return {"source": "phone", "township": code, "category": "absent_workday",
            "observed_at": observed, "place": "镇政府", "cadre": "", "cadre_text": "",
            "description": "来电反映：镇政府上午十点大门紧锁，无人办公。", **fields}


def _receipt(page: str) -> str:
    groups = re.search(r'class="receipt-code slip-code">(.*?)</p>', page, re.S).group(1)
    return "".join(re.findall(r"<span>(\d{5})</span>", groups))


def test_a_phone_report_gets_a_receipt_read_out_in_groups_and_joins_the_queue(app, world):
    client = as_staff(app, world, "inspector")
    response = client.post("/review/intake", data={**_form(client), **_entry(app, world)})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "举报回执" in page
    receipt = _receipt(page)
    assert len(receipt) == 25
    # Read-aloud grouping: five groups of five digit words, 1 said as 幺.
    readout = re.findall(r"<li>([^<]+)</li>", page.split('class="readout')[1].split("</ol>")[0])
    assert len(readout) == 5 and all(len(words.split()) == 5 for words in readout)
    assert response.headers["Cache-Control"] == "no-store"
    with app.app_context():
        report = reports.find_by_receipt(receipt)
        assert report is not None and report.source == Source.PHONE
        assert report.status == ReportStatus.SUBMITTED and report.accept_due > report.submitted_at
        assert report.filed_by_id == world.inspector.id and not report.named
        assert report.reporter_name is None and report.reporter_contact is None
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.object_id == report.public_id)).one()
        assert entry.action == "report.submitted" and '"phone"' in entry.detail
    # The caller follows it on the public tracking page like any reporter.
    tracked = app.test_client().post("/track", data={"receipt": receipt}).get_data(as_text=True)
    assert "待受理" in tracked or "受理" in tracked
    queue = client.get("/review").get_data(as_text=True)
    with app.app_context():
        assert reports.find_by_receipt(receipt).public_id in queue


def test_reloading_the_slip_files_nothing_twice(app, world):
    client = as_staff(app, world, "inspector")
    data = {**_form(client), **_entry(app, world, source="visit")}
    assert client.post("/review/intake", data=data).status_code == 200
    again = client.post("/review/intake", data=data)
    assert again.status_code == 409 and "已经提交过" in again.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Report)) == 1


def test_a_named_letter_keeps_the_name_and_contact_sealed_as_online(app, world):
    client = as_staff(app, world, "inspector")
    data = {**_form(client), **_entry(app, world, source="letter", named="y", name="王五",
                                      contact="县城北街 3 号")}
    page = client.post("/review/intake", data=data).get_data(as_text=True)
    with app.app_context():
        report = reports.find_by_receipt(_receipt(page))
        assert report.named and report.source == Source.LETTER
        assert report.reporter_name == "王五" and report.reporter_contact == "县城北街 3 号"


@pytest.mark.parametrize(("fields", "message", "status"), [
    ({"source": "online"}, "请选择", 400),
    ({"source": ""}, "请选择收到方式", 400),
    ({"description": "短"}, "情况说明应为", 400),
    ({"observed_at": "yesterday"}, "", 400),
    ({"named": "y", "name": "", "contact": ""}, "实名举报请填写姓名", 400),
    ({"description": "来电人说：我叫李四，电话 13912345678，镇政府没人上班。"}, "提交前请再检查一下", 200),
])
def test_bad_input_gets_a_clear_message_and_keeps_what_was_typed(app, world, fields, message, status):
    client = as_staff(app, world, "inspector")
    data = {**_form(client), **_entry(app, world, **fields)}
    response = client.post("/review/intake", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == status and message in page
    assert "镇政府" in page  # what was typed is kept
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Report)) == 0


def test_a_township_outside_the_inspectors_county_is_not_found(app, world):
    client = as_staff(app, world, "inspector")
    with app.app_context():
        foreign = db.session.get(Township, world.foreign_township.id).code
    data = {**_form(client), **_entry(app, world, township=foreign)}
    assert client.post("/review/intake", data=data).status_code == 400  # not among the choices
    with app.app_context(), pytest.raises(Exception, match=foreign):
        intake.file_intake(user=db.session.get(User, world.inspector.id), township_code=foreign,
                           source="phone", category="absent_workday", description="无人办公，大门紧锁。")


@pytest.mark.parametrize("role", ["clerk", "supervisor", "admin"])
def test_only_inspectors_enter_reports(app, world, role):
    client = as_staff(app, world, role)
    assert client.get("/review/intake").status_code == 403
    assert client.get("/review/intake/counts").status_code == 403


def test_the_statistics_count_reports_by_source(app, world):
    at("2026-12-07T10:00")  # the reports all fall in one year, whatever the clock
    client = as_staff(app, world, "inspector")
    for source in ("phone", "phone", "letter"):
        client.post("/review/intake", data={**_form(client), **_entry(app, world, source=source)})
    with app.app_context():
        user = db.session.get(User, world.inspector.id)
        counts = intake.source_counts(user=user, year=utcnow().astimezone(TZ).year)
        assert counts.totals[Source.PHONE] == 2 and counts.totals[Source.LETTER] == 1
        assert counts.totals[Source.VISIT] == 0 and counts.total == 3
        foreign = intake.source_counts(user=db.session.get(User, world.foreign_inspector.id),
                                       year=counts.year)
        assert foreign.total == 0
    page = client.get("/review/intake/counts").get_data(as_text=True)
    assert "来电" in page and "来信" in page and "来访" in page
