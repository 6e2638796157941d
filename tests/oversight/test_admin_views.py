"""Spot checks, the supervisor's side and the statistics export, through the web."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook

from portal.extensions import db
from portal.models import (
    AuditEntry,
    Category,
    Message,
    Report,
    Role,
    Source,
    SpotCheckFinding,
    Township,
    User,
)
from tests import factories
from tests.conftest import login_as

TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|'
                   r'type="hidden" name="csrf_token" value="([^"]+)"')


def token(html: str) -> str:
    match = TOKEN.search(html)
    assert match, "no CSRF token in the page"
    return match.group(1) or match.group(2)


def as_user(app, user_id):
    client = app.test_client()
    with app.app_context():
        login_as(client, db.session.get(User, user_id))
    return client


def code_of(app, township_id):
    with app.app_context():
        return db.session.get(Township, township_id).code


def record_check(app, client, town, found: dict[str, str], at="2026-11-18T10:00"):
    code = code_of(app, town.township_id)
    page = client.get(f"/admin/spotchecks/new/{code}")
    assert page.status_code == 200
    data = {"csrf_token": token(page.get_data(as_text=True)), "at": at, "note": "上午暗访"}
    for name, presence in found.items():
        data[f"presence-{town.public_ids[name]}"] = presence
        data[f"note-{town.public_ids[name]}"] = f"{name}现场"
    return client.post(f"/admin/spotchecks/new/{code}", data=data)


def test_inspector_records_a_check_and_turns_a_mismatch_into_a_report(app, town):
    client = as_user(app, town.inspector_id)
    response = record_check(app, client, town, {"secretary": "absent", "clerk": "present"})
    assert response.status_code == 302
    detail = client.get(response.headers["Location"])
    html = detail.get_data(as_text=True)
    assert "去向公示不实" in html and "与公示一致" in html
    button = re.search(r'action="(/admin/spotchecks/[^"]+/report/[^"]+)"', html).group(1)
    assert town.public_ids["secretary"] in button
    made = client.post(button, data={"csrf_token": token(html)})
    assert made.status_code == 302
    with app.app_context():
        report = db.session.query(Report).one()
        assert (report.source, report.category) == (Source.SPOT_CHECK, Category.FALSE_BOARD)
        assert report.filed_by_id == town.inspector_id
        assert report.cadre_id == town.ids["secretary"]
        assert "当时公示去向：在岗" in report.description
        finding = db.session.query(SpotCheckFinding).filter_by(report_id=report.id).one()
        assert finding.cadre_id == town.ids["secretary"]  # linked both ways
        assert db.session.query(AuditEntry).filter_by(action="spot_check.report").count() == 1
    again = client.post(button, data={"csrf_token": token(html)}, follow_redirects=True)
    assert "已转为举报" in again.get_data(as_text=True)
    with app.app_context():
        assert db.session.query(Report).count() == 1
    # The page now links to the report instead of offering the button again.
    assert "/report/" not in client.get(response.headers["Location"]).get_data(as_text=True)


def test_a_matching_finding_cannot_become_a_report(app, town):
    client = as_user(app, town.inspector_id)
    location = record_check(app, client, town, {"clerk": "present"}).headers["Location"]
    html = client.get(location).get_data(as_text=True)
    url = f"{location}/report/{town.public_ids['clerk']}"
    client.post(url, data={"csrf_token": token(html)})
    with app.app_context():
        assert db.session.query(Report).count() == 0


def test_the_form_rejects_a_future_time_and_a_note_without_presence(app, town):
    client = as_user(app, town.inspector_id)
    response = record_check(app, client, town, {"clerk": "present"}, at="2099-01-01T10:00")
    assert response.status_code == 200
    assert "检查时间不能晚于现在" in response.get_data(as_text=True)
    code = code_of(app, town.township_id)
    page = client.get(f"/admin/spotchecks/new/{code}").get_data(as_text=True)
    response = client.post(f"/admin/spotchecks/new/{code}", data={
        "csrf_token": token(page), "at": "2026-11-18T10:00",
        f"note-{town.public_ids['clerk']}": "只写了备注"})
    assert "请同时选择在岗情况" in response.get_data(as_text=True)


def test_spot_checks_are_scoped_and_guarded(app, town):
    code = code_of(app, town.township_id)
    outsider = as_user(app, town.outsider_id)
    assert outsider.get(f"/admin/spotchecks/new/{code}").status_code == 404
    inspector = as_user(app, town.inspector_id)
    location = record_check(app, inspector, town, {"clerk": "present"}).headers["Location"]
    assert outsider.get(location).status_code == 404
    # Another supervisor of the same township does not see this inspector's check.
    assert as_user(app, town.supervisor_id).get(location).status_code == 404
    with app.app_context():
        clerk = factories.user(Role.CLERK, townships=[db.session.get(Township, town.township_id)],
                               totp=False)
        db.session.commit()
        clerk_id = clerk.id
    assert as_user(app, clerk_id).get("/admin/spotchecks/").status_code == 403


def file_named_report(app, client, town, **overrides):
    page = client.get("/admin/supervision/report").get_data(as_text=True)
    data = {"csrf_token": token(page), "township": code_of(app, town.township_id),
            "cadre": town.public_ids["clerk"], "category": "absent_workday",
            "observed_at": "2026-11-18T10:00", "place": "镇政府", "contact": "13900000000",
            "description": "上午十点到镇政府，办公室没有人。"}
    data.update(overrides)
    return client.post("/admin/supervision/report", data=data)


def test_a_supervisor_files_named_reports_and_sees_only_their_own(app, town):
    mine = as_user(app, town.supervisor_id)
    theirs = as_user(app, town.other_supervisor_id)
    first = file_named_report(app, mine, town)
    assert first.status_code == 302
    second = file_named_report(app, theirs, town, description="晚上值班室没有人接电话。")
    assert second.status_code == 302
    with app.app_context():
        report = db.session.query(Report).filter_by(filed_by_id=town.supervisor_id).one()
        assert report.source == Source.SUPERVISOR and report.named
        assert report.reporter_contact == "13900000000"
        assert report.reporter_name == db.session.get(User, town.supervisor_id).display_name
        other = db.session.query(Report).filter_by(filed_by_id=town.other_supervisor_id).one()
        mine_id, other_id = report.public_id, other.public_id
    index = mine.get("/admin/supervision/").get_data(as_text=True)
    assert mine_id in index and other_id not in index
    status = mine.get(f"/admin/supervision/reports/{mine_id}")
    assert status.status_code == 200
    assert "已收到，等待受理" in status.get_data(as_text=True)
    assert mine.get(f"/admin/supervision/reports/{other_id}").status_code == 404
    # The review queue is not theirs either.
    assert mine.get("/review").status_code in (403, 404)


def test_a_supervisor_cannot_file_about_a_township_outside_their_scope(app, town):
    client = as_user(app, town.supervisor_id)
    response = file_named_report(app, client, town,
                                 township=code_of(app, town.other_township_id), cadre="")
    assert response.status_code == 200
    with app.app_context():
        assert db.session.query(Report).count() == 0


def test_a_supervisor_reply_reaches_the_thread(app, town):
    client = as_user(app, town.supervisor_id)
    location = file_named_report(app, client, town).headers["Location"]
    html = client.get(location).get_data(as_text=True)
    client.post(f"{location}/reply", data={"csrf_token": token(html), "body": "补充：有照片"})
    assert "补充：有照片" in client.get(location).get_data(as_text=True)


def test_a_supervisor_cannot_reply_to_another_supervisors_report_nor_send_an_empty_reply(app, town):
    theirs = file_named_report(app, as_user(app, town.other_supervisor_id), town)
    client = as_user(app, town.supervisor_id)
    mine = file_named_report(app, client, town).headers["Location"]
    html = client.get(mine).get_data(as_text=True)
    other_reply = theirs.headers["Location"].rsplit("/", 1)[-1]
    response = client.post(f"/admin/supervision/reports/{other_reply}/reply",
                           data={"csrf_token": token(html), "body": "不是我的举报"})
    assert response.status_code == 404
    empty = client.post(f"{mine}/reply", data={"csrf_token": token(html), "body": "   "},
                        follow_redirects=True)
    assert "请填写回复内容" in empty.get_data(as_text=True)
    with app.app_context():
        assert db.session.query(Message).count() == 0


def test_the_supervisor_township_page_shows_staff_only_details_in_scope(app, town):
    from datetime import timedelta

    from portal.models import Cadre, Leave, LeaveKind, Status
    from portal.models.base import utcnow
    from portal.rules.calendar import local_date
    from tests.oversight.conftest import board

    now = utcnow()
    with app.app_context():
        clerk = db.session.get(Cadre, town.ids["clerk"])
        board(clerk, Status.MEETING, now - timedelta(hours=2)).note = "县里开会（内部）"
        # Typed in now for a status claimed from five hours ago: flagged as backfilled.
        board(db.session.get(Cadre, town.ids["late"]), Status.VILLAGE, now - timedelta(hours=5),
              recorded=now)
        db.session.add(Leave(cadre_id=town.ids["onleave"], township_id=town.township_id,
                             kind=LeaveKind.SICK, start_date=local_date(now),
                             end_date=local_date(now), reason="私人原因"))
        db.session.commit()
    client = as_user(app, town.supervisor_id)
    code = code_of(app, town.township_id)
    page = client.get(f"/admin/supervision/t/{code}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "县里开会（内部）" in html  # staff-only note
    assert "病假" in html and "补录" in html
    assert "私人原因" not in html  # the reason of a leave stays with the office
    assert client.get(f"/admin/supervision/t/{code_of(app, town.other_township_id)}").status_code == 404
    assert as_user(app, town.inspector_id).get("/admin/supervision/").status_code == 403


@pytest.fixture
def admin_id(app, town):
    with app.app_context():
        from portal.models import Region

        county = db.session.get(Region, town.county_id)
        admin = factories.user(Role.COUNTY_ADMIN, scope_region=county)
        db.session.commit()
        return admin.id


def test_county_admin_exports_csv_and_xlsx_audited(app, town, admin_id):
    client = as_user(app, admin_id)
    page = client.get("/admin/stats/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    with app.app_context():
        from portal.models import Region

        county_code = db.session.get(Region, town.county_id).code
    form = {"csrf_token": token(html), "county": county_code, "period": "2026-11"}
    csv_response = client.post("/admin/stats/export", data={**form, "format": "csv"})
    assert csv_response.status_code == 200
    assert csv_response.mimetype == "text/csv"
    assert csv_response.headers["Content-Type"] == "text/csv; charset=utf-8"  # one charset
    assert csv_response.get_data().startswith(b"\xef\xbb\xbf")
    text = csv_response.get_data().decode("utf-8-sig")
    assert "检查镇" in text and "别处镇" in text and "合计" in text
    xlsx = client.post("/admin/stats/export", data={**form, "format": "xlsx"})
    book = load_workbook(io.BytesIO(xlsx.get_data()))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert rows[0][2] == "乡镇" and {r[2] for r in rows[1:3]} == {"检查镇", "别处镇"}
    assert len(list(book.worksheets[1].iter_rows())) == 13  # header and 12 months
    first = book.worksheets[0]
    assert first.freeze_panes == "A2" and first.auto_filter.ref.startswith("A1:W")  # 23 columns
    assert isinstance(rows[1][4], int)  # counts are numbers, exact for staff
    with app.app_context():
        assert db.session.query(AuditEntry).filter_by(action="stats.export").count() == 2
    assert client.post("/admin/stats/export",
                       data={**form, "county": "999999", "format": "csv"}).status_code == 404
    assert client.post("/admin/stats/export", data={**form, "csrf_token": "x",
                                                    "format": "csv"}).status_code == 400
    assert as_user(app, town.supervisor_id).get("/admin/stats/").status_code == 403
