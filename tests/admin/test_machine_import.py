"""Importing an attendance machine's export: mapping step, check, import, duplicates, bad rows."""

from __future__ import annotations

import io
import re
from datetime import datetime, time, timedelta

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import AuditEntry, SignIn, SignInKind
from portal.models.base import utcnow
from portal.rules.calendar import TZ, local_date
from tests.admin.conftest import csrf_token, xlsx_bytes

HIDDEN = re.compile(r'<input[^>]*name="(payload|filename)"[^>]*value="([^"]*)"')


def day(offset: int = 3):
    return local_date(utcnow()) - timedelta(days=offset)


def upload(client, office, data: bytes, filename: str):
    page = client.get(f"/admin/attendance/import?township={office.code}")
    return client.post(f"/admin/attendance/import?township={office.code}", data={
        "csrf_token": csrf_token(page.get_data(as_text=True)),
        "file": (io.BytesIO(data), filename)}, content_type="multipart/form-data")


def selected(html: str, field: str) -> str | None:
    block = re.search(rf'<select[^>]*name="{field}"[^>]*>(.*?)</select>', html, re.S).group(1)
    match = re.search(r'<option selected value="([^"]*)"|<option value="([^"]*)" selected', block)
    return (match.group(1) or match.group(2)) if match else None


def submit_mapping(client, office, mapping_html: str, action: str, **mapping):
    hidden = dict(HIDDEN.findall(mapping_html))
    data = {"csrf_token": csrf_token(mapping_html), "action": action, **hidden}
    for field in ("name", "number", "time", "date", "direction"):
        data[field] = mapping.get(field, selected(mapping_html, field) or "")
    return client.post(f"/admin/attendance/import/map?township={office.code}", data=data)


def machine_csv(rows: list[tuple], encoding="utf-8-sig") -> bytes:
    lines = ["考勤记录导出", "工号,姓名,打卡时间,状态,设备"]
    lines += [",".join(str(c) for c in row) for row in rows]
    return "\r\n".join(lines).encode(encoding)


def good_rows():
    d = day().isoformat()
    return [
        ("0001", "王书记", f"{d} 08:02:11", "签到", "1号机"),
        ("0001", "王书记", f"{d} 17:48:30", "签退", "1号机"),
        ("0002", "李镇长", f"{d} 08:10:00", "C/In", "1号机"),
        ("0002", "李镇长", f"{d} 17:31:00", "C/Out", "1号机"),
    ]


def bad_rows():
    d = day().isoformat()
    return [
        ("0009", "不存在", f"{d} 08:00:00", "签到", "1号机"),
        ("0001", "王书记", "昨天早上", "签到", "1号机"),
        ("0002", "李镇长", f"{d} 12:00:00", "午休", "1号机"),
        ("0001", "王书记", f"{(day(-5)).isoformat()} 08:00:00", "签到", "1号机"),
    ]


def test_upload_shows_the_columns_with_a_guessed_mapping(app, office, clerk_client):
    response = upload(clerk_client, office, machine_csv(good_rows()), "export.csv")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "表头在第 2 行" in html and "王书记" in html
    assert selected(html, "name") == "1"
    assert selected(html, "number") == "0"
    assert selected(html, "time") == "2"
    assert selected(html, "direction") == "3"
    with app.app_context():
        assert db.session.scalar(select(func.count(SignIn.id))) == 0


def test_check_reports_rows_and_writes_nothing_then_import_writes_good_rows(app, office,
                                                                          clerk_client):
    mapping = upload(clerk_client, office, machine_csv(good_rows() + bad_rows()), "export.csv")
    mapping_html = mapping.get_data(as_text=True)
    check = submit_mapping(clerk_client, office, mapping_html, "check")
    html = check.get_data(as_text=True)
    assert "检查结果（尚未导入）" in html
    assert "可导入 4 条，重复将跳过 0 条，有误 4 行" in html
    assert "花名册里没有“不存在”" in html
    assert "无法识别时间“昨天早上”" in html
    assert "无法识别签到或签退“午休”" in html
    assert "时间晚于今天" in html
    # Errors are reported by the line the spreadsheet shows: title, header, 4 good rows, then these.
    assert re.search(r"<td>7</td><td>[^<]*</td><td>花名册里没有", html)
    with app.app_context():
        assert db.session.scalar(select(func.count(SignIn.id))) == 0

    imported = submit_mapping(clerk_client, office, html, "import")
    html = imported.get_data(as_text=True)
    assert "导入完成" in html and "新增 4 条" in html
    with app.app_context():
        records = db.session.scalars(select(SignIn).order_by(SignIn.at, SignIn.id)).all()
        assert len(records) == 4
        assert {r.source for r in records} == {"machine"}
        assert all(r.machine_ref and r.at_township for r in records)
        first = records[0]
        assert first.cadre_id == office.secretary_id and first.kind == SignInKind.IN
        assert first.at == datetime.combine(day(), time(8, 2, 11), tzinfo=TZ)
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "attendance.import"))
        assert '"added": 4' in entry.detail


def test_importing_the_same_export_again_adds_nothing(app, office, clerk_client):
    data = machine_csv(good_rows())
    for expected in ("新增 4 条，重复跳过 0 条", "新增 0 条，重复跳过 4 条"):
        html = upload(clerk_client, office, data, "export.csv").get_data(as_text=True)
        result = submit_mapping(clerk_client, office, html, "import").get_data(as_text=True)
        assert expected in result
    with app.app_context():
        assert db.session.scalar(select(func.count(SignIn.id))) == 4


def test_a_later_export_overlapping_the_first_adds_only_the_new_punches(app, office,
                                                                        clerk_client):
    first = good_rows()[:2]
    html = upload(clerk_client, office, machine_csv(first), "a.csv").get_data(as_text=True)
    submit_mapping(clerk_client, office, html, "import")
    html = upload(clerk_client, office, machine_csv(good_rows()), "b.csv").get_data(as_text=True)
    result = submit_mapping(clerk_client, office, html, "import").get_data(as_text=True)
    assert "新增 2 条，重复跳过 2 条" in result


def test_xlsx_with_separate_date_and_time_and_no_direction(app, office, clerk_client):
    d = day()
    rows = [["人员编号", "姓名", "日期", "时间"],
            ["7", "干事0", d, "08:05"], ["7", "干事0", d, "12:01"], ["7", "干事0", d, "13:58"],
            ["7", "干事0", d, "17:40"], ["8", "干事1", d, "08:30"]]
    html = upload(clerk_client, office, xlsx_bytes(rows), "machine.xlsx").get_data(as_text=True)
    assert selected(html, "date") == "2" and selected(html, "time") == "3"
    assert selected(html, "direction") in (None, "")  # "（无）"
    result = submit_mapping(clerk_client, office, html, "import").get_data(as_text=True)
    assert "新增 5 条" in result
    with app.app_context():
        kinds = db.session.scalars(select(SignIn.kind).where(SignIn.cadre_id == office.staff_ids[0])
                                   .order_by(SignIn.at)).all()
        # Without a direction column a day's punches alternate: in, out, in, out.
        assert kinds == [SignInKind.IN, SignInKind.OUT, SignInKind.IN, SignInKind.OUT]
    week = clerk_client.get(f"/admin/attendance/?township={office.code}&week={d.isoformat()}")
    # 干事1 has one punch: a sign-in without sign-out, shown as invalid.
    assert "签到无签退" in week.get_data(as_text=True)


def test_the_clerk_can_change_the_mapping(app, office, clerk_client):
    """Columns the guess gets wrong are set by hand: here the name is read from column B."""
    d = day().isoformat()
    data = "\r\n".join(["A,B,C", f"x,干事2,{d} 08:00", f"x,干事2,{d} 17:00"]).encode()
    html = upload(clerk_client, office, data, "odd.csv").get_data(as_text=True)
    result = submit_mapping(clerk_client, office, html, "import", name="1", time="2", number="",
                            date="", direction="")
    assert "新增 2 条" in result.get_data(as_text=True)


def test_gbk_csv_is_read(app, office, clerk_client):
    html = upload(clerk_client, office, machine_csv(good_rows(), encoding="gbk"),
                  "gbk.csv").get_data(as_text=True)
    assert "王书记" in html
    assert "新增 4 条" in submit_mapping(clerk_client, office, html, "import").get_data(as_text=True)


def test_files_that_cannot_be_read_are_refused_with_a_message(app, office, clerk_client):
    old_excel = upload(clerk_client, office, b"\xd0\xcf\x11\xe0" + b"\x00" * 100, "old.xls")
    assert "无法读取这个 Excel 文件" in old_excel.get_data(as_text=True)
    empty = upload(clerk_client, office, b"", "empty.csv")
    assert empty.status_code == 200 and "王书记" not in empty.get_data(as_text=True)


def test_a_tampered_payload_is_refused(app, office, clerk_client):
    html = upload(clerk_client, office, machine_csv(good_rows()), "export.csv").get_data(as_text=True)
    response = clerk_client.post(f"/admin/attendance/import/map?township={office.code}", data={
        "csrf_token": csrf_token(html), "payload": "%%%not base64%%%", "name": "1", "time": "2",
        "action": "import"})
    assert response.status_code == 400


def test_only_office_writers_may_import(app, office, staff_client):
    from portal.models import Role

    inspector = staff_client(Role.INSPECTOR)
    assert inspector.get(f"/admin/attendance/import?township={office.code}").status_code == 403
