"""create_report, receipts, find_by_receipt, the reporter's reply and the public timeline."""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, select

from portal.extensions import db
from portal.models import (
    Action,
    AuditEntry,
    Cadre,
    Category,
    Finding,
    Message,
    Report,
    ReportEvent,
    ReportStatus,
    Sender,
    Source,
    Township,
)
from portal.models.base import utcnow
from portal.rules.calendar import TZ, local_date
from portal.rules.receipts import normalize_receipt
from portal.services.casework import messages, reports, tracking
from portal.services.shared.errors import ValidationError
from tests import factories
from tests.conftest import at
from tests.report.photos import jpeg_with_gps, png_bytes


def _new(where, **kw):
    township = db.session.get(Township, where.township_id)
    kw.setdefault("category", Category.ABSENT_WORKDAY)
    kw.setdefault("description", "周二上午十点去镇政府办事，党政办没有一个人。")
    return reports.create_report(township=township, **kw)


def test_a_report_is_routed_with_its_first_deadline_event_and_hashed_receipt(app, place):
    at("2026-11-25T10:00")  # the day after what was seen
    with app.test_request_context():
        cadre = db.session.get(Cadre, place.cadre_ids[0])
        seen = datetime(2026, 11, 24, 10, 0, tzinfo=TZ)
        report, receipt = _new(place, cadre=cadre, observed_at=seen, place="镇政府二楼",
                               photos=[jpeg_with_gps()])
        assert re.fullmatch(r"\d{5}( \d{5}){4}", receipt)
        assert report.county_id == place.county_id and report.township_id == place.township_id
        assert report.status == ReportStatus.SUBMITTED and report.source == Source.PUBLIC
        assert report.receipt_hash == reports.hash_receipt(receipt)
        assert normalize_receipt(receipt) not in report.receipt_hash
        assert report.accept_due > report.submitted_at
        assert local_date(report.accept_due) > local_date(report.submitted_at)
        assert [(e.kind, e.to_status) for e in report.events] == [("submitted", ReportStatus.SUBMITTED)]
        assert len(report.evidence) == 1
        assert report.observed_at == seen.astimezone(UTC)
        entry = db.session.scalars(select(AuditEntry)).all()[-1]
        assert entry.action == "report.submitted" and entry.object_id == report.public_id
        assert receipt not in entry.detail and normalize_receipt(receipt) not in entry.detail


def test_the_accept_deadline_counts_working_days_of_the_official_calendar(app, place):
    # Filed on Friday 25 Sep 2026 before National Day (1–7 Oct off, Sat 10 Oct worked):
    # working days after it are 28, 29, 30 Sep -> due end of 30 Sep.
    from unittest import mock

    friday = datetime(2026, 9, 25, 9, 0, tzinfo=TZ)
    with (
        app.test_request_context(),
        mock.patch("portal.services.casework.reports.utcnow", return_value=friday),
    ):
        report, _r = _new(place)
        assert local_date(report.accept_due).isoformat() == "2026-09-30"


def test_text_is_cleaned_of_markup(app, place):
    with app.test_request_context():
        report, _r = _new(place, description="<script>alert(1)</script>镇长<b>不在</b>岗位上",
                          place="<img src=x onerror=alert(1)>大院", cadre_text="<i>老张</i>")
        assert "<" not in report.description and "镇长不在岗位上" in report.description
        assert report.place == "大院" and report.cadre_text == "老张"


def test_an_anonymous_report_keeps_no_name_even_if_one_was_typed(app, place):
    with app.test_request_context():
        report, _r = _new(place, named=False, reporter_name="张三", reporter_contact="13800001111")
        assert report.reporter_name is None and report.reporter_contact is None and not report.named


def test_a_named_report_keeps_name_and_contact(app, place):
    with app.test_request_context():
        report, _r = _new(place, named=True, reporter_name="张三", reporter_contact="13800001111")
        assert (report.named, report.reporter_name, report.reporter_contact) == (True, "张三", "13800001111")


@pytest.mark.parametrize("kw", [
    {"description": "短"},
    {"observed_at": utcnow() + timedelta(days=2)},
    {"observed_at": utcnow() - timedelta(days=400)},
    {"named": True, "reporter_name": "张三"},
    {"photos": [png_bytes()] * 6},
    {"photos": [b"not an image"]},
], ids=["short", "future", "old", "named-without-contact", "six-photos", "not-image"])
def test_invalid_reports_are_refused_and_nothing_is_written(app, place, kw):
    with app.test_request_context():
        with pytest.raises(ValidationError):
            _new(place, **kw)
        db.session.rollback()
        assert db.session.scalar(select(db.func.count(Report.id))) == 0


def test_a_cadre_of_another_township_or_who_left_is_refused(app, place):
    with app.test_request_context():
        other = factories.cadre(factories.township())
        gone = db.session.scalar(select(Cadre).where(Cadre.name == "钱离职"))
        for cadre in (other, gone):
            with pytest.raises(ValidationError):
                _new(place, cadre=cadre)


def test_receipts_have_more_than_80_bits_and_never_repeat(app, place):
    with app.test_request_context():
        codes = {_new(place)[1] for _ in range(20)}
    assert len(codes) == 20
    digits = normalize_receipt(next(iter(codes)))
    assert len(digits) * math.log2(10) >= 80


def test_the_receipt_hash_is_keyed(make_app, place):
    first = make_app(SECRET_KEY="a" * 40)
    second = make_app(SECRET_KEY="b" * 40)
    code = "12345 67890 12345 67890 12345"
    with first.app_context():
        one = reports.hash_receipt(code)
    with second.app_context():
        two = reports.hash_receipt(code)
    assert one != two and len(one) == 64
    third = make_app(SECRET_KEY="c" * 40, RECEIPT_SECRET="receipts-only")
    fourth = make_app(SECRET_KEY="d" * 40, RECEIPT_SECRET="receipts-only")
    with third.app_context():
        three = reports.hash_receipt(code)
    with fourth.app_context():
        assert reports.hash_receipt(code) == three


def test_find_by_receipt_accepts_how_people_type_it(app, place):
    with app.test_request_context():
        report, receipt = _new(place)
        digits = normalize_receipt(receipt)
        wide = digits.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
        for typed in (receipt, digits, "-".join(receipt.split()), f"  {wide} "):
            assert reports.find_by_receipt(typed).id == report.id
        assert reports.find_by_receipt(digits[:-1] + str((int(digits[-1]) + 1) % 10)) is None


def _report_queries(app):
    statements: list[str] = []

    def listen(conn, cursor, statement, *args):
        statements.append(statement)
    return statements, listen


@pytest.mark.parametrize("code", ["", "hello", "1" * 24, "1" * 200, "99999 99999 99999 99999 99999"])
def test_a_wrong_or_malformed_code_does_the_same_work_as_a_right_one(app, place, code):
    with app.test_request_context():
        _report, receipt = _new(place)
        statements, listen = _report_queries(app)
        event.listen(db.engine, "before_cursor_execute", listen)
        try:
            assert reports.find_by_receipt(code) is None
            wrong = list(statements)
            statements.clear()
            db.session.expire_all()
            assert reports.find_by_receipt(receipt) is not None
            right = list(statements)
        finally:
            event.remove(db.engine, "before_cursor_execute", listen)
    assert len(wrong) == len(right) == 1
    assert wrong == right


def test_a_reporter_reply_with_photos_lands_in_the_thread(app, place):
    with app.test_request_context():
        report, _r = _new(place)
        inspector = factories.user()
        messages.add_message(report=report, sender=Sender.INSPECTOR, body="请问具体是几点？",
                             author=inspector)
        reports.reporter_reply(report=report, body="大约上午十点。", photos=[png_bytes()])
        thread = db.session.scalars(select(Message).where(Message.report_id == report.id)
                                    .order_by(Message.id)).all()
        assert [(m.sender, m.body) for m in thread] == [
            (Sender.INSPECTOR, "请问具体是几点？"), (Sender.REPORTER, "大约上午十点。")]
        assert thread[1].author_id is None
        assert report.evidence[0].message_id == thread[1].id
        view = tracking.public_view(report)
        assert [(e.from_reporter, e.photos) for e in view.thread] == [(False, 0), (True, 1)]


def test_a_reply_with_a_bad_photo_writes_nothing(app, place):
    with app.test_request_context():
        report, _r = _new(place)
        with pytest.raises(ValidationError):
            reports.reporter_reply(report=report, body="补充照片", photos=[b"nope"])
        db.session.rollback()
        assert db.session.scalar(select(db.func.count(Message.id))) == 0


def _move(report, to, at, note="", **fields):
    report.events.append(ReportEvent(at=at, kind=to.value, from_status=report.status, to_status=to,
                                     public_note=note, staff_note="内部：王某某电话核实"))
    report.status = to
    for key, value in fields.items():
        setattr(report, key, value)


def test_the_public_timeline_shows_steps_deadlines_and_outcome_but_no_staff_notes(app, place):
    with app.test_request_context():
        report, _r = _new(place)
        view = tracking.public_view(report)
        assert view.status == "已收到，等待受理"
        assert view.next_step.due == report.accept_due and not view.next_step.overdue
        start = report.submitted_at
        _move(report, ReportStatus.ACCEPTED, start + timedelta(days=1), accepted_at=start,
              conclude_due=start + timedelta(days=30))
        _move(report, ReportStatus.VERIFYING, start + timedelta(days=2))
        view = tracking.public_view(report, now=start + timedelta(days=40))
        assert view.next_step.due == report.conclude_due and view.next_step.overdue
        _move(report, ReportStatus.CONCLUDED, start + timedelta(days=20), "经核查，反映情况属实。",
              finding=Finding.SUBSTANTIATED, action=Action.CRITICISM, outcome_public="已对当事干部批评教育。")
        db.session.commit()
        view = tracking.public_view(report)
        assert [s.title for s in view.steps] == ["收到举报", "受理", "开始核查", "办结"]
        assert view.steps[-1].note == "经核查，反映情况属实。"
        assert (view.outcome.finding, view.outcome.action) == ("属实", "批评教育")
        assert view.next_step.title == "乡镇整改"
        text = repr(view)
        assert "王某某" not in text and "内部" not in text


def test_a_not_accepted_report_shows_its_reason(app, place):
    with app.test_request_context():
        report, _r = _new(place)
        _move(report, ReportStatus.NOT_ACCEPTED, utcnow(), not_accepted_reason="所反映问题不属于本机关管辖。")
        view = tracking.public_view(report)
    assert view.steps[-1].note == "所反映问题不属于本机关管辖。" and view.next_step is None


def test_a_merged_report_shows_the_status_of_the_case_it_joined(app, place):
    with app.test_request_context():
        target, _r = _new(place)
        target.status = ReportStatus.VERIFYING
        report, _r = _new(place)
        _move(report, ReportStatus.MERGED, utcnow(), merged_into_id=target.id)
        view = tracking.public_view(report)
    assert view.status == "已并案处理" and view.merged_status == "正在核查"


@pytest.mark.parametrize("description,name,contact,expected", [
    ("我叫张小明，镇长一直不在", "张小明", "",
     ["描述里有您自己的姓名", "描述里有介绍您自己的话（如“我叫……”“我家住……”）"]),
    ("小明看到镇长开车回县城", "张小明", "", ["描述里有您自己的姓名"]),
    ("有事请打138-0000-1111找我", "", "13800001111", ["描述里有您自己的联系方式"]),
    ("办公室电话13911112222没人接", "", "", ["描述里有手机号码"]),
    ("镇长周一到周五都不在办公室", "张小明", "13800001111", []),
])
def test_identifying_details_are_found(app, description, name, contact, expected):
    with app.test_request_context():
        assert reports.identifying_details(description, name, contact) == expected


def test_a_report_holds_at_most_twenty_photos_from_its_reporter(app, place):
    with app.test_request_context():
        report, _r = _new(place, photos=[png_bytes()] * 5)
        for _ in range(3):
            reports.reporter_reply(report=report, body="再补充几张", photos=[png_bytes()] * 5)
        with pytest.raises(ValidationError):
            reports.reporter_reply(report=report, body="还有一张", photos=[png_bytes()])
        db.session.rollback()
        reports.reporter_reply(report=report, body="没有照片的回复仍然可以")
