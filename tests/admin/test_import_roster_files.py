"""Roster import with files as offices keep them: title, blank and footer rows, two-row headers,
.xls, numbers Excel mangled, changed phones shown with both numbers, attendance-machine numbers."""

from __future__ import annotations

import re

from sqlalchemy import select

from portal.extensions import db
from portal.models import Cadre
from portal.services.office import cadres as cadre_service
from tests.admin.test_import_roster import _confirm, _count, _upload
from tests.sheets import office_roster, xls_bytes, xlsx_bytes

NEW_PEOPLE = [
    ["孙立", "男", "副镇长", "0999-8800201", "13800000001", ""],
    ["吴敏", "女", "财政所会计", "", "13800000002", ""],
    ["郑平", "男", "党委委员、武装部长", "", "", "新任"],
]


def _stored(app, name: str) -> Cadre | None:
    with app.app_context():
        return db.session.scalar(select(Cadre).where(Cadre.name == name))


def _result_cell(html: str, name: str) -> str:
    row = re.search(rf"<td>{name}</td>.*?</tr>", html, re.S)
    assert row, name
    return row.group(0)


def test_a_roster_with_title_blank_rows_and_footer_is_imported(app, office, clerk_client):
    response = _upload(clerk_client, office, office_roster(NEW_PEOPLE), "大庄测试镇花名册.xlsx")
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html
    assert "处错误" not in html
    assert "表头在第 2 行。将新增 3 人，更新 0 人，0 人无变化；跳过 3 处，有误 0 处。" in html
    # The blank row between two cadres, the numbered row left empty and the blank one after
    # it, and the footer, are listed as skipped.
    assert "<td>5</td><td>空行</td>" in html and "<td>7–8</td><td>空行</td>" in html
    assert re.search(r"<td>9</td><td>表尾或备注（“填表人：张三”）</td>", html)
    assert "忽略的列：序号、性别、备注" in html
    # Without a 班子成员 column, the post decides, and the preview says so.
    assert "按职务“副镇长”判断为班子成员" in html
    assert "按职务“财政所会计”判断为一般干部" in html
    assert _count(app, office) == 10
    done = clerk_client.get(_confirm(clerk_client, office, html).headers["Location"])
    assert "导入完成：新增 3 人，更新 0 人，0 人无变化" in done.get_data(as_text=True)
    sun, wu, zheng = (_stored(app, n) for n in ("孙立", "吴敏", "郑平"))
    assert sun.is_leader and sun.office_phone == "0999-8800201" and sun.personal_phone == "13800000001"
    assert not wu.is_leader and wu.office_phone == ""
    assert zheng.is_leader
    assert _count(app, office) == 13


def test_the_same_roster_saved_as_xls_is_imported(app, office, clerk_client):
    html = _upload(clerk_client, office, office_roster(NEW_PEOPLE, fmt="xls"),
                   "花名册.xls").get_data(as_text=True)
    assert "将新增 3 人" in html and "<td>5</td><td>空行</td>" in html
    _confirm(clerk_client, office, html)
    assert _stored(app, "孙立").office_phone == "0999-8800201"


def test_a_two_row_header_under_a_merged_cell(app, office, clerk_client):
    data = xlsx_bytes([
        ["大庄测试镇干部花名册"],
        ["姓名", "职务", "班子成员", "联系方式", None],
        [None, None, None, "办公电话", "手机"],
        ["孙立", "副镇长", "是", "0999-8800201", "13800000001"],
    ], merges=("A1:E1", "A2:A3", "B2:B3", "C2:C3", "D2:E2"))
    html = _upload(clerk_client, office, data, "r.xlsx").get_data(as_text=True)
    assert "将新增 1 人" in html and "有误 0 处" in html
    _confirm(clerk_client, office, html)
    sun = _stored(app, "孙立")
    assert (sun.office_phone, sun.personal_phone) == ("0999-8800201", "13800000001")


def test_a_header_repeated_on_every_printed_page_is_skipped(app, office, clerk_client):
    header = ["姓名", "职务", "班子成员"]
    data = xlsx_bytes([header, ["孙立", "副镇长", "是"], header, ["吴敏", "会计", "否"]])
    html = _upload(clerk_client, office, data, "r.xlsx").get_data(as_text=True)
    assert "<td>3</td><td>重复的表头</td>" in html and "将新增 2 人" in html


def test_a_landline_that_lost_its_zero_is_pointed_out_and_restored(app, office, clerk_client):
    data = xlsx_bytes([["姓名", "职务", "班子成员", "办公电话"],
                       ["孙立", "副镇长", "是", 9998800010], ["吴敏", "会计", "否", 1088001234]])
    html = _upload(clerk_client, office, data, "r.xlsx").get_data(as_text=True)
    assert "9998800010 在 Excel 中被当成数字，丢了开头的 0：将按 0999-8800010 导入" in html
    assert "将按 010-88001234 导入" in html
    _confirm(clerk_client, office, html)
    assert _stored(app, "孙立").office_phone == "0999-8800010"
    assert _stored(app, "吴敏").office_phone == "010-88001234"


def test_a_number_in_exponent_form_is_refused(app, office, clerk_client):
    text = "姓名,职务,班子成员,办公电话\n孙立,副镇长,是,9.99880E+09\n"
    response = _upload(clerk_client, office, text.encode("gbk"), "r.csv")
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "科学计数法" in html and 'name="payload"' not in html


def test_a_changed_phone_is_shown_with_both_numbers(app, office, clerk_client):
    with app.app_context():
        stored = db.session.get(Cadre, office.staff_ids[0])
        old_phone, name, post = stored.office_phone, stored.name, stored.post
    data = xlsx_bytes([["姓名", "职务", "班子成员", "办公电话"],
                       [name, post, "否", "0999-8800299"],
                       ["干事1", post, "否", None]])  # an empty cell keeps the stored number
    html = _upload(clerk_client, office, data, "r.xlsx").get_data(as_text=True)
    cell = _result_cell(html, name)
    assert "更新" in cell and f"办公电话：{old_phone} → <strong>0999-8800299</strong>" in cell
    assert "无变化" in _result_cell(html, "干事1")
    assert "更新 1 人，1 人无变化" in html
    _confirm(clerk_client, office, html)
    assert _stored(app, name).office_phone == "0999-8800299"
    assert _stored(app, "干事1").office_phone != ""


def test_a_record_changed_after_the_preview_is_not_overwritten(app, office, clerk_client):
    with app.app_context():
        stored = db.session.get(Cadre, office.staff_ids[0])
        name, post = stored.name, stored.post
    data = xlsx_bytes([["姓名", "职务", "班子成员", "办公电话"], [name, post, "否", "0999-8800299"]])
    html = _upload(clerk_client, office, data, "r.xlsx").get_data(as_text=True)
    with app.app_context():  # someone edits the cadre between the preview and the confirmation
        from portal.models import User

        cadre = db.session.get(Cadre, office.staff_ids[0])
        fields = cadre_service.CadreFields(name=name, post=post, is_leader=False,
                                           office_phone="0999-8800777")
        cadre_service.update_cadre(user=db.session.get(User, office.clerk_id), cadre=cadre,
                                   fields=fields)
    follow = clerk_client.get(_confirm(clerk_client, office, html).headers["Location"])
    assert "的记录已有改动" in follow.get_data(as_text=True)
    assert _stored(app, name).office_phone == "0999-8800777"


def test_attendance_machine_numbers_are_imported_and_checked(app, office, clerk_client):
    with app.app_context():
        db.session.get(Cadre, office.staff_ids[1]).machine_number = "7"
        db.session.commit()
    data = xlsx_bytes([["姓名", "职务", "班子成员", "考勤号码"],
                       ["孙立", "副镇长", "是", "0012"], ["吴敏", "会计", "否", 12],
                       ["郑平", "干事", "否", 7], ["干事1", "干事", "否", 7]])
    response = _upload(clerk_client, office, data, "r.xlsx")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "<td>3</td><td>考勤机号</td><td>考勤机号 12 与第 2 行重复。</td>" in html
    assert "<td>4</td><td>考勤机号</td><td>考勤机号 7 已是 干事1 的。</td>" in html
    # 干事1 keeps the number already theirs; only the file's second 7 is refused.
    assert "<td>5</td><td>考勤机号</td><td>考勤机号 7 与第 4 行重复。</td>" in html
    assert html.count("已是 干事1 的") == 1
    data = xlsx_bytes([["姓名", "职务", "班子成员", "考勤号码"], ["孙立", "副镇长", "是", "0012"]])
    _confirm(clerk_client, office, _upload(clerk_client, office, data, "r.xlsx").get_data(as_text=True))
    assert _stored(app, "孙立").machine_number == "12"


def test_a_stored_leader_choice_stands_when_the_file_has_no_leader_column(app, office, clerk_client):
    data = xlsx_bytes([["姓名", "职务"], ["张副", "副镇长"], ["干事2", "干事"]])
    html = _upload(clerk_client, office, data, "r.xlsx").get_data(as_text=True)
    assert "2 人无变化" in html and "判断为" not in html
    data = xlsx_bytes([["姓名", "职务"], ["孙立", "镇长助理"]])
    html = _upload(clerk_client, office, data, "r.xlsx").get_data(as_text=True)
    assert "按职务“镇长助理”判断为一般干部" in html


def test_an_xls_made_by_excel_97_with_numbers_and_dates(app, office, clerk_client):
    from datetime import date

    data = xls_bytes([["姓名", "职务", "班子成员", "办公电话", "到任"],
                      ["孙立", "副镇长", "是", 9998800010, date(2026, 3, 1)]])
    html = _upload(clerk_client, office, data, "old.xls").get_data(as_text=True)
    assert "将按 0999-8800010 导入" in html and "忽略的列：到任" in html


def test_a_landline_without_its_area_code_gets_the_townships(app, office, clerk_client):
    with app.app_context():
        from portal.models import Township

        area = db.session.get(Township, office.township_id).office_phone.split("-")[0]
    data = xlsx_bytes([["姓名", "职务", "班子成员", "办公电话"], ["孙立", "副镇长", "是", 8800301],
                       ["吴敏", "会计", "否", "13800000009"]])
    html = _upload(clerk_client, office, data, "r.xlsx").get_data(as_text=True)
    assert f"8800301 没有区号：将按 {area}-8800301 导入" in html
    _confirm(clerk_client, office, html)
    assert _stored(app, "孙立").office_phone == f"{area}-8800301"
    assert _stored(app, "吴敏").office_phone == "13800000009"  # a mobile needs no area code


def test_the_same_phone_written_another_way_is_no_change(app, office, clerk_client):
    with app.app_context():
        stored = db.session.get(Cadre, office.staff_ids[0])
        name, post, phone = stored.name, stored.post, stored.office_phone
    area, local = phone.split("-")
    written = [f"({area}) {local}", f"{area}{local}", int(f"{area}{local}")]
    for cell in written:
        data = xlsx_bytes([["姓名", "职务", "班子成员", "办公电话"], [name, post, "否", cell]])
        html = _upload(clerk_client, office, data, "r.xlsx").get_data(as_text=True)
        assert "无变化" in _result_cell(html, name), cell
        assert "更新 0 人，1 人无变化" in html, cell
    _confirm(clerk_client, office, html)
    assert _stored(app, name).office_phone == phone


def test_a_footer_in_the_name_column_with_any_label_is_skipped(app, office, clerk_client):
    data = xlsx_bytes([["姓名", "职务", "班子成员"], ["孙立", "副镇长", "是"],
                       ["制表：王五", None, "审核：李四"], ["单位：大庄测试镇党政办", None, None]])
    response = _upload(clerk_client, office, data, "r.xlsx")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "有误 0 处" in html and "将新增 1 人" in html
    assert "<td>3</td><td>表尾或备注（“制表：王五”）</td>" in html
    assert "<td>4</td><td>表尾或备注（“单位：大庄测试镇党政办”）</td>" in html
