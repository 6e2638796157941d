"""Attendance-machine files as they come: attlog.dat from the machine, .xls exports with the
签到/退 header, spreadsheets formatted far beyond their data; cadres found by machine number."""

from __future__ import annotations

import re
from datetime import datetime, time

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Cadre, SignIn, SignInKind
from portal.rules.calendar import TZ
from tests.admin.test_machine_import import day, selected, submit_mapping, upload
from tests.sheets import attlog, xls_bytes, xlsx_bytes


def numbered(app, office) -> None:
    """The secretary is 1 on the machine, the head 2, the first staff member 15."""
    with app.app_context():
        for cadre_id, number in ((office.secretary_id, "1"), (office.head_id, "2"),
                                 (office.staff_ids[0], "15")):
            db.session.get(Cadre, cadre_id).machine_number = number
        db.session.commit()


def options(html: str, field: str) -> list[str]:
    block = re.search(rf'<select[^>]*name="{field}"[^>]*>(.*?)</select>', html, re.S).group(1)
    return re.findall(r'<option[^>]*value="([^"]*)"', block)


def at(hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day(), time(hour, minute))


def kinds_of(app, cadre_id: int) -> list[SignInKind]:
    with app.app_context():
        return list(db.session.scalars(select(SignIn.kind).where(SignIn.cadre_id == cadre_id)
                                       .order_by(SignIn.at)))


def test_an_attlog_dat_is_matched_to_cadres_by_their_machine_number(app, office, clerk_client):
    numbered(app, office)
    data = attlog([("1", at(8, 2), 0), ("1", at(17, 48), 1), ("2", at(8, 10), 0),
                   ("15", at(7, 55), 0), ("15", at(12, 0), 255), ("99", at(9, 0), 0)])
    html = upload(clerk_client, office, data, "1_attlog.dat").get_data(as_text=True)
    assert "这是考勤机的原始记录（attlog.dat），没有表头，共 6 条" in html
    assert (selected(html, "number"), selected(html, "time"), selected(html, "direction")) == (
        "0", "1", "3")
    assert selected(html, "name") in (None, "")
    check = submit_mapping(clerk_client, office, html, "check").get_data(as_text=True)
    assert "可导入 5 条，重复将跳过 0 条，有误 1 行" in check
    assert re.search(r"<td>6</td><td>考勤机号</td><td>没有考勤机号为 99 的干部", check)
    result = submit_mapping(clerk_client, office, check, "import").get_data(as_text=True)
    assert "新增 5 条" in result
    assert kinds_of(app, office.secretary_id) == [SignInKind.IN, SignInKind.OUT]
    # State 255 (the machine did not know): the day's order makes the second punch a sign-out.
    assert kinds_of(app, office.staff_ids[0]) == [SignInKind.IN, SignInKind.OUT]
    with app.app_context():
        first = db.session.scalar(select(SignIn).where(SignIn.cadre_id == office.secretary_id)
                                  .order_by(SignIn.at))
        assert first.at == datetime.combine(day(), time(8, 2), tzinfo=TZ)
        assert first.source == "machine"


def test_the_same_punches_from_the_export_and_from_attlog_are_imported_once(app, office,
                                                                           clerk_client):
    numbered(app, office)
    d = day().isoformat()
    export = xlsx_bytes([["部门", "姓名", "考勤号码", "日期时间", "签到/退", "机器号"],
                         ["党政办", "王书记", "1", f"{d} 08:02:00", "签到", "1"],
                         ["党政办", "王书记", "1", f"{d} 17:48:00", "签退", "1"]])
    html = upload(clerk_client, office, export, "考勤记录.xlsx").get_data(as_text=True)
    assert selected(html, "direction") == "4"  # 签到/退
    assert "新增 2 条" in submit_mapping(clerk_client, office, html, "import").get_data(as_text=True)
    data = attlog([("1", at(8, 2), 0), ("1", at(17, 48), 1), ("2", at(8, 10), 0)])
    html = upload(clerk_client, office, data, "attlog.dat").get_data(as_text=True)
    result = submit_mapping(clerk_client, office, html, "import").get_data(as_text=True)
    assert "新增 1 条，重复跳过 2 条" in result
    with app.app_context():
        assert db.session.scalar(select(func.count(SignIn.id))) == 3


def test_an_xls_export_with_the_zkteco_headers(app, office, clerk_client):
    rows = [["考勤记录表"], ["部门", "姓名", "考勤号码", "日期时间", "签到/退", "机器号"],
            ["党政办", "李镇长", 2, at(8, 1), "签到", 1], ["党政办", "李镇长", 2, at(18, 3), "签退", 1]]
    html = upload(clerk_client, office, xls_bytes(rows, merges=((0, 0, 0, 5),)),
                  "考勤.xls").get_data(as_text=True)
    assert "表头在第 2 行，共 2 行记录" in html
    assert (selected(html, "name"), selected(html, "time"), selected(html, "direction")) == (
        "1", "3", "4")
    assert "新增 2 条" in submit_mapping(clerk_client, office, html, "import").get_data(as_text=True)
    assert kinds_of(app, office.head_id) == [SignInKind.IN, SignInKind.OUT]


def test_the_mapping_offers_only_the_columns_the_file_has(app, office, clerk_client):
    import io

    import openpyxl
    from openpyxl.styles import Font

    book = openpyxl.Workbook()
    sheet = book.active
    for row in [["姓名", "打卡时间", "状态", None, "备注"],
                ["王书记", f"{day().isoformat()} 08:00", "签到", None, None]]:
        sheet.append(row)
    for column in range(1, 61):  # formatted far to the right, as offices' templates are
        sheet.cell(row=1, column=column).font = Font(bold=True)
        sheet.cell(row=30, column=column).font = Font(bold=True)
    buffer = io.BytesIO()
    book.save(buffer)
    html = upload(clerk_client, office, buffer.getvalue(), "wide.xlsx").get_data(as_text=True)
    # A: 姓名, B: 打卡时间, C: 状态, E: 备注; D is empty throughout and not offered.
    assert options(html, "time") == ["0", "1", "2", "4"]
    assert options(html, "direction") == ["", "0", "1", "2", "4"]
    assert html.count("（无表头）") == 0


def test_a_footer_under_an_export_is_skipped_not_refused(app, office, clerk_client):
    d = day().isoformat()
    text = "\r\n".join(["姓名,打卡时间,签到/退", f"王书记,{d} 08:00,签到", f"王书记,{d} 17:30,签退",
                        "", "制表人：张三,,", "打印日期：2026-03-01,,"])
    html = upload(clerk_client, office, text.encode("gbk"), "gbk.csv").get_data(as_text=True)
    assert "共 2 行记录" in html
    result = submit_mapping(clerk_client, office, html, "check").get_data(as_text=True)
    assert "可导入 2 条，重复将跳过 0 条，有误 0 行" in result
    assert "跳过的行：5、6（表尾或备注）" in result


def test_without_a_name_or_number_column_the_mapping_says_so(app, office, clerk_client):
    html = upload(clerk_client, office, attlog([("1", at(8), 0)]), "attlog.dat").get_data(
        as_text=True)
    response = submit_mapping(clerk_client, office, html, "check", number="")
    assert response.status_code == 400
    assert "请选择姓名列或考勤机号列" in response.get_data(as_text=True)
