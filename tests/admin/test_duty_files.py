"""The duty roster in and out of Excel: the offices' layout (日期 / 星期 / 带班领导 / 值班人员 / 电话),
a preview with per-row messages, an export that opens well and imports back unchanged."""

from __future__ import annotations

import io
import re
from datetime import date, datetime

import openpyxl
from sqlalchemy import select

from portal.extensions import db
from portal.models import Cadre, DutyRole, DutyShift, ShiftKind, Township, User
from portal.services.office import duty
from tests.admin.conftest import csrf_token
from tests.conftest import at
from tests.sheets import xls_bytes, xlsx_bytes

HEADER = ["日期", "星期", "带班领导", "值班人员", "电话"]
TITLE = "大庄测试镇2026年3月值班表"


def _upload(client, office, data: bytes, filename: str, month: str = ""):
    page = f"/admin/t/{office.code}/roster/import"
    token = csrf_token(client.get(page).get_data(as_text=True))
    return client.post(page, data={"csrf_token": token, "month": month,
                                   "file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


def _confirm(client, office, html: str):
    payload = re.search(r'name="payload"[^>]*value="([^"]+)"', html).group(1)
    return client.post(f"/admin/t/{office.code}/roster/import/confirm",
                       data={"csrf_token": csrf_token(html), "payload": payload})


def _staffing(app, office, day: date) -> dict[ShiftKind, tuple[str, list[str]]]:
    with app.app_context():
        shifts = db.session.scalars(select(DutyShift).where(
            DutyShift.township_id == office.township_id, DutyShift.day == day)).all()
        return {s.kind: (next((a.cadre.name for a in s.assignments if a.role == DutyRole.LEADER), ""),
                         sorted(a.cadre.name for a in s.assignments if a.role == DutyRole.STAFF))
                for s in shifts if s.assignments}


def test_an_office_roster_with_title_and_footer_is_imported(app, office, clerk_client):
    at("2026-02-20T10:00")
    data = xlsx_bytes([[TITLE], HEADER,
                       ["3月1日", "星期日", "王书记", "干事0、干事1", "0999-8800001"],
                       ["3月2日", "星期一", "李镇长", "干事2", ""],
                       [None] * 5,
                       ["3月3日", "星期二", "张副（副镇长）", "干事3 干事4", ""],
                       ["3月4日", "星期三", None, None, None],
                       ["制表人：办公室", None, None, None, None]], merges=("A1:E1",))
    response = _upload(clerk_client, office, data, "值班表.xlsx")
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html
    # Sunday: the day and the night shift; a working day: the night shift.
    assert "将新排 4 个班次，更改 0 个，0 个无变化；跳过 3 处，有误 0 处" in html
    assert "<td>7</td><td>这一天没有填人</td>" in html
    assert re.search(r"<td>8</td><td>表尾或备注", html)
    assert "忽略的列：电话" in html
    done = clerk_client.get(_confirm(clerk_client, office, html).headers["Location"])
    assert "导入完成：4 个班次有改动" in done.get_data(as_text=True)
    assert _staffing(app, office, date(2026, 3, 1)) == {
        ShiftKind.DAY: ("王书记", ["干事0", "干事1"]), ShiftKind.NIGHT: ("王书记", ["干事0", "干事1"])}
    assert _staffing(app, office, date(2026, 3, 2)) == {ShiftKind.NIGHT: ("李镇长", ["干事2"])}
    assert _staffing(app, office, date(2026, 3, 3)) == {ShiftKind.NIGHT: ("张副", ["干事3", "干事4"])}


def test_every_bad_row_says_what_is_wrong(app, office, clerk_client):
    data = xlsx_bytes([["日期", "星期", "班次", "带班领导", "值班人员"],
                       ["2026-03-01", "星期一", "", "王书记", "干事0"],
                       ["2026-03-02", "", "", "干事1", "干事0"],
                       ["2026-03-03", "", "", "王书记、李镇长", ""],
                       ["2026-03-04", "", "", "王书记", "王书记"],
                       ["2026-03-05", "", "下午", "王书记", ""],
                       ["2026-03-06", "", "夜班", "赵六", "干事0"],
                       ["2026-03-06", "", "夜班", "李镇长", "干事1"],
                       ["三月七号", "", "", "王书记", ""]])
    response = _upload(clerk_client, office, data, "bad.xlsx")
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and 'name="payload"' not in html
    for fragment in [
        "<td>2</td><td>星期</td><td>2026-03-01 是星期日，不是“星期一”。</td>",
        "<td>3</td><td>带班领导</td><td>干事1 不是班子成员，不能带班。</td>",
        "<td>4</td><td>带班领导</td><td>每个班次只能有一名带班领导，这里写了 2 人。</td>",
        "<td>5</td><td>值班人员</td><td>王书记 不能既带班又值班。</td>",
        "<td>6</td><td>班次</td><td>班次应为白班、夜班或全天，而不是“下午”。</td>",
        "<td>7</td><td>带班领导</td><td>本乡镇在册干部里没有“赵六”。</td>",
        "<td>9</td><td>日期</td><td>无法识别日期“三月七号”。</td>",
    ]:
        assert fragment in html, fragment
    with app.app_context():
        assert db.session.scalar(select(DutyShift.id)) is None


def test_a_second_row_for_the_same_shift_is_refused(app, office, clerk_client):
    data = xlsx_bytes([["日期", "班次", "带班领导", "值班人员"],
                       ["2026-03-06", "夜班", "王书记", "干事0"], ["2026-03-06", "夜班", "李镇长", "干事1"]])
    html = _upload(clerk_client, office, data, "dup.xlsx").get_data(as_text=True)
    assert "<td>3</td><td>日期</td><td>2026-03-06 的夜班与第 2 行重复。</td>" in html


def test_dates_without_a_year_need_the_month(app, office, clerk_client):
    data = xlsx_bytes([HEADER, ["3月2日", "", "王书记", "干事0", ""]])
    html = _upload(clerk_client, office, data, "r.xlsx").get_data(as_text=True)
    assert "日期没有年份" in html
    html = _upload(clerk_client, office, data, "r.xlsx", month="2026-03").get_data(as_text=True)
    assert "将新排 1 个班次" in html


def _shift(app, office, day, kind, leader_id, staff_ids):
    with app.app_context():
        township = db.session.get(Township, office.township_id)
        duty.set_slots(user=db.session.get(User, office.clerk_id), township=township,
                       slots={(day, kind): duty.Staffing(leader_id, tuple(staff_ids))})
        db.session.commit()


def test_a_changed_shift_shows_who_was_on_it(app, office, clerk_client):
    _shift(app, office, date(2026, 3, 2), ShiftKind.NIGHT, office.secretary_id, office.staff_ids[:1])
    data = xlsx_bytes([HEADER, ["2026-03-02", "星期一", "李镇长", "干事0", ""],
                       ["2026-03-03", "星期二", "王书记", "干事1", ""]])
    html = _upload(clerk_client, office, data, "r.xlsx").get_data(as_text=True)
    assert "将新排 1 个班次，更改 1 个" in html
    assert "原为：带班 王书记；值班 干事0" in html


def test_a_shift_changed_after_the_preview_is_not_overwritten(app, office, clerk_client):
    data = xlsx_bytes([HEADER, ["2026-03-02", "", "李镇长", "干事0", ""]])
    html = _upload(clerk_client, office, data, "r.xlsx").get_data(as_text=True)
    _shift(app, office, date(2026, 3, 2), ShiftKind.NIGHT, office.secretary_id, office.staff_ids[1:2])
    follow = clerk_client.get(_confirm(clerk_client, office, html).headers["Location"])
    assert "2026-03-02 的值班已有改动" in follow.get_data(as_text=True)
    assert _staffing(app, office, date(2026, 3, 2)) == {ShiftKind.NIGHT: ("王书记", ["干事1"])}


def test_an_xls_roster_and_a_gbk_csv_are_read(app, office, clerk_client):
    rows = [[TITLE], HEADER, [datetime(2026, 3, 7), "星期六", "赵副", "干事5", "0999-1"]]
    html = _upload(clerk_client, office, xls_bytes(rows, merges=((0, 0, 0, 4),)),
                   "值班表.xls").get_data(as_text=True)
    assert "将新排 2 个班次" in html
    text = "日期,星期,带班领导,值班人员\n2026/3/9,周一,赵副,干事5\n"
    html = _upload(clerk_client, office, text.encode("gbk"), "值班表.csv").get_data(as_text=True)
    assert "将新排 1 个班次" in html


def test_the_export_opens_well_and_imports_back_unchanged(app, office, clerk_client):
    # A Saturday whose day and night differ, a Sunday staffed the same, a working-day night.
    _shift(app, office, date(2026, 3, 7), ShiftKind.DAY, office.leader_ids[2], office.staff_ids[:1])
    _shift(app, office, date(2026, 3, 7), ShiftKind.NIGHT, office.leader_ids[3], office.staff_ids[1:2])
    for kind in ShiftKind:
        _shift(app, office, date(2026, 3, 8), kind, office.secretary_id, office.staff_ids[2:4])
    _shift(app, office, date(2026, 3, 9), ShiftKind.NIGHT, office.head_id, office.staff_ids[4:5])
    response = clerk_client.get(f"/admin/t/{office.code}/roster/export?month=2026-03")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in response.headers["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    assert sheet["A1"].value == TITLE
    assert [c.value for c in sheet[2]] == ["日期", "星期", "班次", "带班领导", "值班人员", "电话"]
    assert sheet.freeze_panes == "A3" and sheet.auto_filter.ref.startswith("A2:F")
    assert all(sheet.column_dimensions[c].width >= 6 for c in "ABCDEF")
    rows = {(r[0].value.date(), r[2].value): [c.value for c in r[3:5]]
            for r in sheet.iter_rows(min_row=3) if r[0].value}
    assert isinstance(sheet["A3"].value, datetime) and sheet["A3"].number_format == "yyyy-mm-dd"
    assert rows[(date(2026, 3, 7), "白班")] == ["张副", "干事0"]
    assert rows[(date(2026, 3, 7), "夜班")] == ["赵副", "干事1"]
    assert rows[(date(2026, 3, 8), "全天")] == ["王书记", "干事2、干事3"]
    assert rows[(date(2026, 3, 9), "夜班")] == ["李镇长", "干事4"]
    assert rows[(date(2026, 3, 10), "夜班")] == [None, None]  # every day, empty ones to fill
    # One row a day; two for the Saturday whose day and night differ.
    assert sum(1 for r in sheet.iter_rows(min_row=3) if r[0].value) == 32
    html = _upload(clerk_client, office, response.data, "export.xlsx").get_data(as_text=True)
    assert "将新排 0 个班次，更改 0 个，5 个无变化" in html
    # The days left empty are one skipped range each between the filled ones.
    assert "<td>3–8</td><td>这一天没有填人</td>" in html


def test_two_cadres_with_one_name_are_told_apart_by_post(app, office, clerk_client):
    from tests import factories

    with app.app_context():
        town = db.session.get(Township, office.township_id)
        factories.cadre(town, name="干事0", post="统计员")
        db.session.commit()
    data = xlsx_bytes([HEADER, ["2026-03-02", "", "王书记", "干事0", ""]])
    assert "在册干部里有 2 个“干事0”：请写成“干事0（职务）”" in _upload(
        clerk_client, office, data, "r.xlsx").get_data(as_text=True)
    data = xlsx_bytes([HEADER, ["2026-03-02", "", "王书记", "干事0（统计员）", ""]])
    html = _upload(clerk_client, office, data, "r.xlsx").get_data(as_text=True)
    _confirm(clerk_client, office, html)
    with app.app_context():
        shift = db.session.scalar(select(DutyShift).where(DutyShift.day == date(2026, 3, 2)))
        staff = [db.session.get(Cadre, a.cadre_id).post for a in shift.assignments
                 if a.role == DutyRole.STAFF]
    assert staff == ["统计员"]


def test_only_editors_import_and_any_staff_exports(app, office, staff_client):
    from portal.models import Role

    inspector = staff_client(Role.INSPECTOR)
    assert inspector.get(f"/admin/t/{office.code}/roster/import").status_code == 403
    assert inspector.get(f"/admin/t/{office.code}/roster/export?month=2026-03").status_code == 200
    outsider = staff_client(Role.CLERK, in_scope=False)
    assert outsider.get(f"/admin/t/{office.code}/roster/export").status_code == 404


def test_an_export_in_english_imports_back(app, office, clerk_client):
    _shift(app, office, date(2026, 3, 7), ShiftKind.DAY, office.leader_ids[2], office.staff_ids[:1])
    _shift(app, office, date(2026, 3, 8), ShiftKind.NIGHT, office.head_id, office.staff_ids[1:2])
    response = clerk_client.get(f"/admin/t/{office.code}/roster/export?month=2026-03&lang=en")
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    assert [c.value for c in sheet[2]][:4] == ["Date", "Weekday", "Shift", "Duty leader"]
    assert sheet["B3"].value == "Sunday" and sheet["C3"].value == "all day"
    html = _upload(clerk_client, office, response.data, "export.xlsx").get_data(as_text=True)
    assert "0 to change, 2 unchanged; " in html and ", 0 errors." in html
