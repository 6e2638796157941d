"""Tracking by receipt: right, wrong and malformed codes; the thread and replies with photos."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import event, select

from portal.extensions import db
from portal.models import Evidence, Message, ReportEvent, ReportStatus, Sender
from portal.models.base import utcnow
from portal.services.casework import messages, reports
from tests import factories
from tests.report.photos import jpeg_with_gps
from tests.report.test_form import RECEIPT, io_file, post_report


def token_of(html):
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def look_up(client, receipt):
    token = token_of(client.get("/track").get_data(as_text=True))
    return client.post("/track", data={"csrf_token": token, "receipt": receipt})


def filed(client, place):
    return RECEIPT.search(post_report(client, place).get_data(as_text=True)).group(1)


def test_the_right_code_shows_status_deadline_and_steps(client, place):
    receipt = filed(client, place)
    response = look_up(client, receipt.replace(" ", ""))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "已收到，等待受理" in html and "决定是否受理" in html and "收到举报" in html
    assert response.headers["Cache-Control"].startswith("no-store")
    assert 'name="body"' in html and f'name="receipt" value="{receipt}"' in html


@pytest.mark.parametrize("code", ["12345 67890 12345 67890 12345", "123", "abc", "9" * 30, "0" * 25])
def test_a_wrong_or_malformed_code_gets_the_same_answer(client, place, code):
    filed(client, place)
    wrong = look_up(client, code)
    reference = look_up(client, "11111 22222 33333 44444 55555")
    assert wrong.status_code == reference.status_code == 200
    strip = lambda html: re.sub(r'value="[^"]*"', "", html)  # noqa: E731
    assert strip(wrong.get_data(as_text=True)) == strip(reference.get_data(as_text=True))
    assert "没有找到与这个回执码对应的举报" in wrong.get_data(as_text=True)


def test_right_and_wrong_codes_cost_the_same_report_queries(app, client, place):
    receipt = filed(client, place)
    seen: list[str] = []

    def count(conn, cursor, statement, *args):
        if "FROM report " in statement and "receipt_hash" in statement:
            seen.append(statement)
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        look_up(client, "not a code")
        look_up(client, "12345 67890 12345 67890 12345")
        look_up(client, receipt)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(seen) == 3 and len(set(seen)) == 1


def test_the_inspectors_question_and_the_reporters_answer_with_a_photo(app, client, place):
    receipt = filed(client, place)
    with app.app_context():
        report = reports.find_by_receipt(receipt)
        messages.add_message(report=report, sender=Sender.INSPECTOR, author=factories.user(),
                             body="请问您看到的是哪一位干部？")
    html = look_up(client, receipt).get_data(as_text=True)
    assert "请问您看到的是哪一位干部？" in html and "纪检监察干部" in html
    data = {"csrf_token": token_of(html), "receipt": receipt,
            "token": re.search(r'name="token" value="([^"]+)"', html).group(1),
            "body": "是李镇长，<b>上午</b>十点", "photos": [(io_file(jpeg_with_gps()), "x.jpg")]}
    response = client.post("/track/reply", data=data, content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "您的回复已送达纪检监察干部" in page
    assert "是李镇长，上午十点" in page and "附照片 1 张" in page
    # Sending the same page again (a reload) does not add a second message.
    data["photos"] = []
    again = client.post("/track/reply", data=data, content_type="multipart/form-data")
    assert "这条回复已经发送过了" in again.get_data(as_text=True)
    with app.app_context():
        thread = db.session.scalars(select(Message).order_by(Message.id)).all()
        assert [m.sender for m in thread] == [Sender.INSPECTOR, Sender.REPORTER]
        assert db.session.scalar(select(Evidence.message_id)) == thread[1].id


def test_a_reply_with_a_wrong_code_gets_the_not_found_page(client, place):
    filed(client, place)
    token = token_of(client.get("/track").get_data(as_text=True))
    response = client.post("/track/reply", data={"csrf_token": token, "token": "x",
                                                  "receipt": "12345 67890 12345 67890 12345",
                                                  "body": "hello"})
    assert "没有找到与这个回执码对应的举报" in response.get_data(as_text=True)


def test_an_empty_reply_is_refused_with_a_message(client, place):
    receipt = filed(client, place)
    html = look_up(client, receipt).get_data(as_text=True)
    response = client.post("/track/reply", data={
        "csrf_token": token_of(html), "receipt": receipt, "body": "<b></b>",
        "token": re.search(r'name="token" value="([^"]+)"', html).group(1)})
    assert response.status_code == 400 and "请写下要回复的内容" in response.get_data(as_text=True)


def test_the_outcome_and_its_public_note_are_shown(app, client, place):
    receipt = filed(client, place)
    with app.app_context():
        report = reports.find_by_receipt(receipt)
        report.events.append(ReportEvent(at=utcnow(), kind="not_accepted",
                                         from_status=report.status, to_status=ReportStatus.NOT_ACCEPTED,
                                         public_note="属于信访事项，已转交县信访局。",
                                         staff_note="内部备注：勿外传"))
        report.status = ReportStatus.NOT_ACCEPTED
        db.session.commit()
    html = look_up(client, receipt).get_data(as_text=True)
    assert "不予受理" in html and "属于信访事项，已转交县信访局。" in html
    assert "内部备注" not in html
