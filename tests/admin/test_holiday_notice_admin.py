"""An administrator pastes the State Council's notice of a year's holidays, checks the preview,
confirms it; boards, rosters and the dashboard follow. Audited; clerks cannot."""

from __future__ import annotations

import html as html_lib
import re
from datetime import date

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import AuditEntry, HolidaySchedule, HolidayScheduleDay, Role, Township
from portal.services.shared.calendar import official_calendar
from tests.admin.conftest import csrf_token, post_form
from tests.conftest import at

PAGE = "/admin/calendar"
PREVIEW = "/admin/calendar/notice"
CONFIRM = "/admin/calendar/notice/confirm"

# A notice of 2027 in the official format, invented for the test (its dates and weekdays agree).
NOTICE_2027 = """国务院办公厅关于2027年部分节假日安排的通知
各省、自治区、直辖市人民政府，国务院各部委、各直属机构：
经国务院批准，现将2027年元旦、春节、清明节、劳动节、端午节、中秋节和国庆节放假调休日期的具体安排通知如下。
一、元旦：1月1日（周五）至3日（周日）放假，共3天。
二、春节：2月5日（农历除夕、周五）至12日（农历正月初七、周五）放假调休，共8天。2月14日（周日）、2月20日（周六）上班。
三、清明节：4月3日（周六）至5日（周一）放假，共3天。
四、劳动节：5月1日（周六）至5日（周三）放假调休，共5天。4月25日（周日）、5月8日（周六）上班。
五、端午节：6月9日（周三）放假1天，不调休。
六、中秋节：9月15日（周三）放假1天，不调休。
七、国庆节：10月1日（周五）至7日（周四）放假调休，共7天。9月26日（周日）、10月9日（周六）上班。
国务院办公厅
"""


def _year_row(page: str, year: int) -> str:
    """What the calendar page's table of years says about a year."""
    found = re.search(rf"<td>{year}</td>\s*<td>(.*?)</td>", page, re.S)
    assert found, f"no row for {year}"
    return found.group(1)


def _admin(staff_client):
    return staff_client(Role.COUNTY_ADMIN, county_scope=True)


def _preview(client, text: str = NOTICE_2027):
    return post_form(client, PAGE, PREVIEW, {"notice": text})


def _confirm(client, text: str = NOTICE_2027):
    preview = _preview(client, text)
    assert preview.status_code == 200
    token = csrf_token(preview.get_data(as_text=True))
    return client.post(CONFIRM, data={"csrf_token": token, "notice": text}, follow_redirects=True)


def test_preview_lists_each_day_read_and_stores_nothing(app, office, staff_client):
    response = _preview(_admin(staff_client))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "核对 2027 年节假日安排" in page
    assert "从通知中读出放假 28 天、调休上班 6 天" in page
    rows = re.findall(r"<td>(2027-\d\d-\d\d)</td>\s*<td>(周.)</td>\s*<td>([^<]+)</td>", page)
    assert ("2027-01-01", "周五", "放假：元旦") in rows
    assert ("2027-02-14", "周日", "调休上班（春节）") in rows
    assert ("2027-10-09", "周六", "调休上班（国庆节）") in rows
    assert len(rows) == 34
    assert "请注意核对" not in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(HolidaySchedule)) == 0
        assert official_calendar().is_rest_day(date(2027, 2, 14))


def test_preview_warns_about_what_looks_wrong(app, office, staff_client):
    text = NOTICE_2027.replace("2月20日（周六）", "2月20日（周日）").replace("共7天", "共8天")
    page = _preview(_admin(staff_client), text).get_data(as_text=True)
    assert "请注意核对" in page
    assert "2月20日(周日)：星期与日期不符" in page
    assert "10-01–10-07：放假天数与通知所写“共×天”不符" in html_lib.unescape(page)


def test_confirm_stores_the_year_audits_and_refreshes_every_township(app, office, staff_client):
    client = _admin(staff_client)
    with app.app_context():
        version = db.session.get(Township, office.township_id).data_version
    page = _confirm(client).get_data(as_text=True)
    assert "已确认 2027 年的节假日安排：放假 28 天，调休上班 6 天。" in page
    assert "确认）" in _year_row(page, 2027) and "调休安排尚未公布" not in _year_row(page, 2027)
    with app.app_context():
        schedule = db.session.get(HolidaySchedule, 2027)
        assert schedule.confirmed_by_id is not None and "国务院办公厅" in schedule.notice
        assert db.session.scalar(select(func.count()).select_from(HolidayScheduleDay)) == 34
        calendar = official_calendar()
        assert calendar.is_working_day(date(2027, 2, 14))  # 调休上班, a Sunday
        assert calendar.is_rest_day(date(2027, 2, 10))  # bridged into 春节, a Wednesday
        assert calendar.adjustments_published(2027)
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "calendar.schedule"))
        assert entry.object_id == "2027"
        assert db.session.get(Township, office.township_id).data_version > version


def test_confirming_again_replaces_the_year(app, office, staff_client):
    client = _admin(staff_client)
    _confirm(client)
    _confirm(client, NOTICE_2027.replace("、2月20日（周六）上班", "上班"))
    with app.app_context():
        assert official_calendar().is_rest_day(date(2027, 2, 20))
        assert db.session.scalar(select(func.count()).select_from(HolidayScheduleDay)) == 33
        assert db.session.scalar(select(func.count()).select_from(AuditEntry)
                                 .where(AuditEntry.action == "calendar.schedule")) == 2


def test_text_that_is_not_a_notice_says_why_and_stays_in_the_box(app, office, staff_client):
    client = _admin(staff_client)
    text = "明年元旦放三天，春节放八天"
    response = _preview(client, text)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "没有找到通知的年份" in page
    assert re.search(rf'<textarea[^>]* id="notice"[^>]*>\s*{text}</textarea>', page)
    token = csrf_token(client.get(PAGE).get_data(as_text=True))
    not_a_notice = "关于2027年部分节假日安排。一、元旦：另行通知。"
    response = client.post(CONFIRM, data={"csrf_token": token, "notice": not_a_notice})
    assert response.status_code == 400
    assert "通知中没有读到放假或上班的日期" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(HolidaySchedule)) == 0


def test_confirm_needs_the_csrf_token(app, office, staff_client):
    client = _admin(staff_client)
    assert client.post(CONFIRM, data={"notice": NOTICE_2027}).status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(HolidaySchedule)) == 0


def test_clerks_and_inspectors_cannot_enter_a_notice(app, office, clerk_client, staff_client):
    for client in (clerk_client, staff_client(Role.INSPECTOR, county_scope=True)):
        data = {"csrf_token": csrf_token(client.get("/admin/").get_data(as_text=True)),
                "notice": NOTICE_2027}
        assert client.post(PREVIEW, data=data).status_code == 403
        assert client.post(CONFIRM, data=data).status_code == 403
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(HolidaySchedule)) == 0


def test_calendar_page_marks_a_year_without_published_adjustments(app, office, staff_client):
    at("2026-11-03T09:00")
    page = _admin(staff_client).get(PAGE).get_data(as_text=True)
    assert "按国务院通知（内置）" in _year_row(page, 2026)
    assert "调休安排尚未公布" in _year_row(page, 2027)


def test_dashboard_warns_from_november_while_next_years_schedule_is_missing(app, office, staff_client,
                                                                          clerk_client):
    warning = "2027 年的调休安排尚未录入"
    client = _admin(staff_client)
    at("2026-10-31T18:00")
    assert warning not in client.get("/admin/").get_data(as_text=True)
    at("2026-11-01T08:30")  # the next morning
    assert warning in client.get("/admin/").get_data(as_text=True)
    assert warning not in clerk_client.get("/admin/").get_data(as_text=True)  # not theirs to enter
    _confirm(client)
    assert warning not in client.get("/admin/").get_data(as_text=True)


def test_dashboard_still_warns_in_a_year_that_began_without_its_schedule(app, office, staff_client):
    at("2027-01-04T09:00")
    assert "2027 年的调休安排尚未录入" in _admin(staff_client).get("/admin/").get_data(as_text=True)


def test_public_roster_follows_the_confirmed_notice(app, office, staff_client, client):
    roster = f"/t/{office.code}/roster?month=2027-02"
    before = client.get(roster).get_data(as_text=True)
    assert "2027 年的调休安排尚未公布" in before
    _confirm(_admin(staff_client))
    after = client.get(roster).get_data(as_text=True)
    assert "2027 年的调休安排尚未公布" not in after
    assert re.search(r"2月14日 周日(</span>)?<br><span class=\"small\">调休上班 春节", after)
    assert re.search(r"2月10日 周三(</span>)?<br><span class=\"small\">节假日 春节", after)


def test_office_roster_of_a_year_without_published_adjustments_says_so(app, office, clerk_client):
    page = clerk_client.get(f"/admin/t/{office.code}/roster?month=2027-01").get_data(as_text=True)
    assert "2027 年的调休安排尚未公布" in page
    page = clerk_client.get(f"/admin/t/{office.code}/roster?month=2026-10").get_data(as_text=True)
    assert "调休安排尚未公布" not in page
