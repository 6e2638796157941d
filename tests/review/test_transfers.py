"""转办: a report sent to another county, up to the city, or out to an outside authority.

The receiver has it in its queue with its own deadline, the sender keeps a read-only trace and
can no longer change it, the reporter reads "已转交…办理" and nothing more, the case number
stays, and every transfer is in the audit log.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEntry, Category, Report, ReportStatus, ReportTransfer, Township, User
from portal.rules import deadlines
from portal.services.casework import reports
from portal.services.shared.calendar import official_calendar
from tests.conftest import at, login_as
from tests.review.conftest import as_staff

REASON = "被反映干部系邻县某镇副镇长，不属本县管辖。"


@pytest.fixture
def app(make_app):
    return make_app(WTF_CSRF_ENABLED=False)


def _file(app, world, township="township") -> tuple[str, str]:
    with app.test_request_context():
        t = db.session.get(Township, getattr(world, township).id)
        report, receipt = reports.create_report(
            township=t, category=Category.ABSENT_WORKDAY, description="上午十点镇政府大门紧锁，无人办公。")
        return report.public_id, receipt


def _transfer(client, pid, **fields):
    data = {f"transfer-{k}": v for k, v in {"reason": REASON, **fields}.items()}
    return client.post(f"/review/{pid}/transfer", data=data)


def _track(app, receipt) -> str:
    return app.test_client().post("/track", data={"receipt": receipt}).get_data(as_text=True)


def _report(app, pid) -> Report:
    with app.app_context():
        report = db.session.scalar(select(Report).where(Report.public_id == pid))
        db.session.expunge(report)
        return report


def test_a_report_sent_to_another_county_moves_to_its_queue_with_a_fresh_deadline(app, world):
    at("2026-12-07T10:00")
    _file(app, world, "foreign_township")  # the receiver's own number 1 of the year
    pid, receipt = _file(app, world)
    number = f"{world.county.name}〔2026〕第0001号"
    sender = as_staff(app, world, "inspector")
    response = _transfer(sender, pid, kind="county", county=world.other_county.code)
    assert response.status_code == 303 and response.location.endswith("/review/transfers")

    # The sender: the case is out of its queue and its pages, and kept in its trace.
    assert sender.get(f"/review/{pid}").status_code == 404
    assert number not in sender.get("/review").get_data(as_text=True)
    trace = sender.get("/review/transfers").get_data(as_text=True)
    assert number in trace and REASON in trace and f"{world.other_county.name}纪委监委" in trace

    # The receiver: in its queue under the same number, to accept within five working days.
    receiver = as_staff(app, world, "foreign_inspector")
    assert number in receiver.get("/review").get_data(as_text=True)
    page = receiver.get(f"/review/{pid}").get_data(as_text=True)
    assert number in page and REASON in page and "/accept" in page
    report = _report(app, pid)
    with app.app_context():
        sent_at = db.session.scalar(select(ReportTransfer.at))
        expected = deadlines.accept_deadline(sent_at, official_calendar(), 5)
    assert report.status == ReportStatus.SUBMITTED and report.accept_due == expected
    assert report.county_id == world.other_county.id and report.case_seq == 1

    # The reporter: where it went, not why.
    public = _track(app, receipt)
    assert f"已转交{world.other_county.name}纪委监委办理" in public and REASON not in public
    with app.app_context():
        entries = db.session.scalars(select(AuditEntry).where(
            AuditEntry.action == "report.transferred", AuditEntry.object_id == pid)).all()
        assert len(entries) == 1


def test_the_receiver_works_the_case_and_the_sender_cannot_touch_it(app, world):
    pid, _receipt = _file(app, world)
    sender = as_staff(app, world, "inspector")
    _transfer(sender, pid, kind="county", county=world.other_county.name)
    assert sender.post(f"/review/{pid}/accept").status_code == 404
    assert _transfer(sender, pid, kind="county", county=world.county.code).status_code == 404
    receiver = as_staff(app, world, "foreign_inspector")
    assert receiver.post(f"/review/{pid}/accept").status_code == 303
    assert _report(app, pid).status == ReportStatus.ACCEPTED


def test_a_report_sent_up_to_the_city_leaves_the_county_a_read_only_view(app, world):
    pid, receipt = _file(app, world)
    county = as_staff(app, world, "inspector")
    assert _transfer(county, pid, kind="up", level="city").status_code == 303
    page = county.get(f"/review/{pid}").get_data(as_text=True)
    assert f"此举报已转交{world.city.name}纪委监委办理" in page
    assert f"/review/{pid}/accept" not in page and f"/review/{pid}/transfer" not in page
    county.post(f"/review/{pid}/accept", follow_redirects=True)
    county.post(f"/review/{pid}/note", data={"text": "试图补充"})
    assert _report(app, pid).status == ReportStatus.SUBMITTED
    assert world.city.name in county.get("/review/transfers").get_data(as_text=True)

    city = as_staff(app, world, "city_inspector")
    assert pid in city.get("/review").get_data(as_text=True)  # its first view: what came up
    assert city.post(f"/review/{pid}/accept").status_code == 303
    report = _report(app, pid)
    assert report.status == ReportStatus.ACCEPTED and report.office_level == 1
    assert f"已转交{world.city.name}纪委监委办理" in _track(app, receipt)


def test_forwarding_to_an_outside_authority_closes_the_case_here(app, world):
    pid, receipt = _file(app, world)
    inspector = as_staff(app, world, "inspector")
    _transfer(inspector, pid, kind="outside", authority="某县公安局")
    report = _report(app, pid)
    assert report.status == ReportStatus.TRANSFERRED and report.closed_at is not None
    page = inspector.get(f"/review/{pid}").get_data(as_text=True)
    assert "某县公安局" in page and f"/review/{pid}/accept" not in page
    public = _track(app, receipt)
    assert "已转交某县公安局办理" in public and REASON not in public


@pytest.mark.parametrize(("fields", "message"), [
    ({"kind": "county", "county": "999999"}, "找不到这个县（区）"),
    ({"kind": "county", "county": "county"}, "请选择其他县（区）"),
    ({"kind": "outside", "authority": "  "}, "请填写接收的外部机关名称"),
    ({"kind": "up", "level": "city", "reason": ""}, "请检查填写的内容"),
    ({"kind": "elsewhere"}, "请检查填写的内容"),
])
def test_a_refused_transfer_says_why_and_keeps_what_was_typed(app, world, fields, message):
    pid, _receipt = _file(app, world)
    if fields.get("county") == "county":
        fields = {**fields, "county": world.county.code}
    response = _transfer(as_staff(app, world, "inspector"), pid, **fields)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and message in page
    if fields.get("reason", REASON):
        assert REASON in page
    with app.app_context():
        assert db.session.scalar(select(ReportTransfer.id)) is None
    assert _report(app, pid).county_id == world.county.id


def test_a_case_sent_back_home_gets_its_own_number_again(app, world):
    pid, _receipt = _file(app, world)
    _transfer(as_staff(app, world, "inspector"), pid, kind="county", county=world.other_county.code)
    assert _report(app, pid).case_county_id == world.county.id
    _transfer(as_staff(app, world, "foreign_inspector"), pid, kind="county", county=world.county.code)
    report = _report(app, pid)
    assert report.county_id == world.county.id and report.case_county_id is None
    trace = as_staff(app, world, "foreign_inspector").get("/review/transfers").get_data(as_text=True)
    assert re.search(rf"{world.county.name}〔\d{{4}}〕第0001号", trace)


def test_the_demo_holds_a_case_sent_up_a_forwarded_one_and_a_review_request(demo):
    from portal.demo import transfers as demo_transfers
    from portal.demo.reports import _code

    def track(receipt):
        return demo.test_client().post("/track", data={"receipt": receipt}).get_data(as_text=True)

    assert "已转交演示市纪委监委办理" in track(demo_transfers.RECEIPT)
    assert f"已转交{demo_transfers.AUTHORITY}办理" in track(demo_transfers.FORWARDED)
    reviewed = track(_code(8))
    assert "申请复查，由演示市纪委监委办理" in reviewed and "您的评价：不满意" in reviewed
    with demo.app_context():
        city = db.session.scalar(select(User).where(User.username == "cityinspector"))
        county = db.session.scalar(select(User).where(User.username == "inspector"))
        db.session.expunge_all()
    city_client, county_client = demo.test_client(), demo.test_client()
    login_as(city_client, city)
    login_as(county_client, county)
    assert demo_transfers.REASON in county_client.get("/review/transfers").get_data(as_text=True)
    with demo.app_context():
        report = db.session.scalar(select(Report).where(Report.office_level == 1))
        pid = report.public_id
    assert pid in city_client.get("/review").get_data(as_text=True)
    assert "/accept" in city_client.get(f"/review/{pid}").get_data(as_text=True)
    # The city decides the demo's review request.
    assert "case-number" in city_client.get("/review/reviews").get_data(as_text=True)
