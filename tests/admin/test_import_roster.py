"""Roster import: upload → preview with a row-by-row error report → confirm; all or nothing."""

from __future__ import annotations

import io
import re

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import AuditEntry, Cadre, ChiefRole
from tests.admin.conftest import csrf_token, xlsx_bytes

ONE_ROW = "姓名,职务,班子成员\n甲,干事,否\n".encode()
HEADER = ["序号", "姓名", "职务", "班子成员（是/否）", "办公电话"]


def _upload(client, office, data: bytes, filename: str):
    page = f"/admin/t/{office.code}/cadres/import"
    token = csrf_token(client.get(page).get_data(as_text=True))
    return client.post(page, data={"csrf_token": token, "file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


def _confirm(client, office, html: str):
    payload = re.search(r'name="payload"[^>]*value="([^"]+)"', html).group(1)
    return client.post(f"/admin/t/{office.code}/cadres/import/confirm",
                       data={"csrf_token": csrf_token(html), "payload": payload})


def _count(app, office):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Cadre)
                                 .where(Cadre.township_id == office.township_id))


def test_good_xlsx_previews_then_imports(app, office, clerk_client):
    data = xlsx_bytes([
        ["大庄测试镇干部花名册"], HEADER,
        [1, "孙立", "副镇长", "是", "0999-8800201"],
        # already on the roster: updated; a local number gets the township's area code
        [2, "干事0", "综治中心干事", "否", 8800202],
        [3, "吴敏", "财政所会计", "否", None],
    ])
    response = _upload(clerk_client, office, data, "花名册.xlsx")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "可导入的行（3 行）" in html and "确认导入这 3 行" in html
    assert html.count("新增") >= 2 and "更新" in html
    assert "忽略的列：序号" in html
    assert _count(app, office) == 10  # nothing written by the preview
    response = _confirm(clerk_client, office, html)
    assert response.status_code == 302
    html = clerk_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "导入完成：新增 2 人，更新 1 人，0 人无变化" in html
    with app.app_context():
        sun = db.session.scalar(select(Cadre).where(Cadre.name == "孙立"))
        assert sun.is_leader and sun.office_phone == "0999-8800201"
        updated = db.session.get(Cadre, office.staff_ids[0])
        assert updated.post == "综治中心干事" and updated.office_phone == "0999-8800202"
        assert db.session.scalar(select(AuditEntry.action).where(AuditEntry.action == "cadre.import"))
    assert _count(app, office) == 12


def test_gbk_csv_with_english_yes_no(app, office, clerk_client):
    text = "name,post,leader,office phone\n郑一,党政办干事,no,\n冯二,纪委书记,yes,0999-1\n"
    response = _upload(clerk_client, office, text.encode("gbk"), "roster.csv")
    html = response.get_data(as_text=True)
    assert "确认导入这 2 行" in html
    _confirm(clerk_client, office, html)
    with app.app_context():
        feng = db.session.scalar(select(Cadre).where(Cadre.name == "冯二"))
        assert feng.is_leader and feng.township_id == office.township_id


def test_bad_rows_are_reported_and_nothing_is_written(app, office, clerk_client):
    data = xlsx_bytes([
        HEADER,
        [1, "孙立", "副镇长", "是", ""],
        [2, "", "干事", "否", ""],
        [3, "吴敏", "", "也许", "电话"],
        [4, "孙立", "干事", "否", ""],
    ])
    response = _upload(clerk_client, office, data, "bad.xlsx")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "发现 5 处错误，没有导入任何数据" in html
    for fragment in ["<td>3</td><td>姓名</td><td>姓名为空。</td>",
                     "<td>4</td><td>职务</td><td>职务为空。</td>",
                     "<td>4</td><td>班子成员</td>",
                     "<td>4</td><td>办公电话</td>",
                     "<td>5</td><td>姓名</td><td>与第 2 行重名。</td>"]:
        assert fragment in html, fragment
    assert 'name="payload"' not in html  # no confirm button
    assert _count(app, office) == 10


def test_two_party_secretaries_in_a_file_are_an_error(app, office, clerk_client):
    text = "姓名,职务,班子成员\n甲,党委书记,是\n乙,党委书记,是\n"
    html = _upload(clerk_client, office, text.encode(), "r.csv").get_data(as_text=True)
    assert "文件中有不止一位党委书记（另见第 2 行）" in html


def test_import_that_would_make_a_second_head_is_refused(app, office, clerk_client):
    html = _upload(clerk_client, office, "姓名,职务,班子成员\n新镇长,镇长,是\n".encode(),
                   "r.csv").get_data(as_text=True)
    response = _confirm(clerk_client, office, html)
    follow = clerk_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "导入后会有两位乡镇长" in follow
    assert _count(app, office) == 10
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Cadre)
                                 .where(Cadre.chief_role == ChiefRole.HEAD)) == 1


def test_unreadable_files_say_why(app, office, clerk_client):
    response = _upload(clerk_client, office, b"\xd0\xcf\x11\xe0" + b"\0" * 64, "old.xls")
    assert "无法读取这个 Excel 文件" in response.get_data(as_text=True)
    response = _upload(clerk_client, office, "电话,地址\n1,2\n".encode(), "x.csv")
    assert "没有找到表头" in response.get_data(as_text=True)
    response = _upload(clerk_client, office, b"%PDF-1.4", "x.pdf")
    assert "只接受 Excel（.xlsx、.xls）、.ods 或 CSV 文件" in response.get_data(as_text=True)


def test_tampered_payload_is_refused(app, office, clerk_client):
    html = _upload(clerk_client, office, ONE_ROW, "r.csv").get_data(as_text=True)
    response = clerk_client.post(f"/admin/t/{office.code}/cadres/import/confirm",
                                 data={"csrf_token": csrf_token(html), "payload": "x" + "y" * 40})
    follow = clerk_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "预览已过期或无效" in follow
    assert _count(app, office) == 10


def test_payload_cannot_be_replayed_into_another_township(app, office, clerk_client):
    from portal.models import Township, User
    from tests import factories

    html = _upload(clerk_client, office, ONE_ROW, "r.csv").get_data(as_text=True)
    payload = re.search(r'name="payload"[^>]*value="([^"]+)"', html).group(1)
    with app.app_context():
        second = factories.township(db.session.get(Township, office.township_id).county)
        clerk = db.session.get(User, office.clerk_id)
        clerk.scope_townships.append(second)
        db.session.commit()
        code = second.code
    response = clerk_client.post(f"/admin/t/{code}/cadres/import/confirm",
                                 data={"csrf_token": csrf_token(html), "payload": payload})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Cadre).where(Cadre.name == "甲")) is None
