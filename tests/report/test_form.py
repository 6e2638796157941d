"""The report form: township step, roster, validation with kept input, warnings, receipt."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import url_for
from sqlalchemy import select

from portal.extensions import db
from portal.models import Cadre, Evidence, Report
from portal.models.base import utcnow
from portal.rules.calendar import TZ
from portal.services.casework import reports
from tests.report.photos import jpeg_with_gps, noise_jpeg, png_bytes

RECEIPT = re.compile(r'<p class="receipt" id="receipt">(\d{5}(?: \d{5}){4})</p>')


def csrf(client, path):
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def valid_data(where, **overrides):
    seen = (utcnow() - timedelta(hours=2)).astimezone(TZ).strftime("%Y-%m-%dT%H:%M")
    data = {
        "township": where.code, "cadre": where.cadre_public_ids[0], "cadre_text": "",
        "category": "absent_workday", "observed_at": seen, "place": "镇政府二楼",
        "description": "上午十点到党政办办事，办公室锁着门，打电话也没人接。",
    }
    data.update(overrides)
    return data


def post_report(client, where, files=(), **overrides):
    with client.application.test_request_context():
        path = url_for("report.form", township=where.code)
    data = valid_data(where, **overrides)
    data["csrf_token"] = csrf(client, path)
    if files:
        data["photos"] = list(files)
    # The form posts to its own address, which names the township (as the browser does).
    return client.post(path, data=data, content_type="multipart/form-data")


def test_the_form_without_a_township_asks_for_one_and_finds_it(client, place):
    html = client.get("/report").get_data(as_text=True)
    assert 'name="q"' in html and 'name="description"' not in html.split("<body", 1)[1]
    html = client.get("/report?q=测试庄").get_data(as_text=True)
    assert f'href="/report?township={place.code}"' in html


def test_the_prefilled_form_offers_the_active_roster(client, place):
    response = client.get(f"/report?township={place.code}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    for public_id, name in zip(place.cadre_public_ids, place.cadre_names, strict=True):
        assert f'value="{public_id}"' in html and name in html
    assert "钱离职" not in html
    for field in ("township", "cadre", "category", "observed_at", "place", "description", "photos",
                  "named", "name", "contact", "csrf_token"):
        assert f'name="{field}"' in html
    assert response.headers["Cache-Control"].startswith("no-store")
    assert "<script" not in html and "style=" not in html


def test_a_link_can_choose_the_cadre_too(client, place):
    html = client.get(f"/report?township={place.code}&cadre={place.cadre_public_ids[1]}").get_data(
        as_text=True)
    assert f'value="{place.cadre_public_ids[1]}" selected' in html


def test_a_valid_report_is_filed_and_the_receipt_shown_once(client, app, place):
    response = post_report(client, place, files=[(io_file(jpeg_with_gps()), "IMG_0001.jpg")])
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html
    receipt = RECEIPT.search(html).group(1)
    assert response.headers["Cache-Control"].startswith("no-store")
    assert 'name="saved"' in html
    with app.app_context():
        report = reports.find_by_receipt(receipt)
        assert report.cadre_id == place.cadre_ids[0] and report.place == "镇政府二楼"
        assert report.observed_at is not None and report.category.value == "absent_workday"
        assert len(report.evidence) == 1
        assert db.session.scalar(select(db.func.count(Report.id))) == 1


def io_file(data: bytes):
    import io

    return io.BytesIO(data)


def test_confirming_the_receipt_was_saved_leads_to_the_thanks_page(client, place):
    html = post_report(client, place).get_data(as_text=True)
    receipt = RECEIPT.search(html).group(1)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    again = client.post("/report/saved", data={"csrf_token": token, "receipt": receipt})
    assert again.status_code == 200 and receipt in again.get_data(as_text=True)
    assert "请先抄下或保存回执码" in again.get_data(as_text=True)
    done = client.post("/report/saved", data={"csrf_token": token, "receipt": receipt, "saved": "y"})
    assert done.status_code == 302 and done.headers["Location"].endswith("/report/thanks")
    thanks = client.get("/report/thanks").get_data(as_text=True)
    assert receipt not in thanks


@pytest.mark.parametrize("field,value,message", [
    ("category", "", "请选择问题类型"),
    ("category", "bribery", "请选择问题类型"),
    ("observed_at", "", "请填写发现的日期和时间"),
    ("observed_at", "yesterday", "请按“年-月-日 时:分”填写时间"),
    ("description", "", "请写下您看到的情况"),
    ("description", "短", "情况说明应为 5 到 2000 个字"),
    ("description", "很" * 2001, "情况说明应为 5 到 2000 个字"),
    ("place", "地" * 201, "最多 200 个字"),
    ("cadre", "AAAAAAAAAAAAAAAA", "所选干部不在该乡镇的干部名单中"),
    ("named", "y", "实名举报请填写姓名"),
], ids=lambda v: v if isinstance(v, str) and len(v) < 20 else "long")
def test_each_invalid_field_reshows_the_form_with_every_typed_field_kept(client, app, place,
                                                                        field, value, message):
    kept = valid_data(place)  # before posting: the clock runs on, and may pass a minute
    response = post_report(client, place, files=[(io_file(png_bytes()), "a.png")],
                           **{"observed_at": kept["observed_at"], field: value,
                              "cadre_text": "老张", "contact": "微信 abc"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in html
    assert "为了安全，刚才选择的照片没有保留，请重新选择。" in html
    for name in ("place", "description"):
        if name != field:
            assert kept[name] in html
    assert 'value="老张"' in html and 'value="微信 abc"' in html
    if field != "observed_at":
        assert f'value="{kept["observed_at"]}"' in html
    if field != "cadre":
        assert f'value="{place.cadre_public_ids[0]}" selected' in html
    with app.app_context():
        assert db.session.scalar(select(db.func.count(Report.id))) == 0


def test_a_future_time_is_refused_by_the_service_and_the_form_is_kept(client, app, place):
    future = (utcnow() + timedelta(days=1)).astimezone(TZ).strftime("%Y-%m-%dT%H:%M")
    html = post_report(client, place, observed_at=future).get_data(as_text=True)
    assert "发现时间不能晚于现在" in html and "办公室锁着门" in html


def test_errors_speak_english_on_the_english_site(client, place):
    client.get("/report?lang=en")
    html = post_report(client, place, description="").get_data(as_text=True)
    assert "Please describe what you saw" in html or "Please write down what you saw" in html


def test_a_renamed_text_file_is_refused_with_the_form_kept(client, app, place):
    response = post_report(client, place, files=[(io_file(b"just text\n" * 50), "photo.jpg")])
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "这不是可以识别的照片" in html and "办公室锁着门" in html
    with app.app_context():
        assert db.session.scalar(select(db.func.count(Evidence.id))) == 0


def test_an_oversize_photo_is_refused_on_the_form(make_app, place):
    app = make_app(MAX_PHOTO_BYTES=20_000)
    client = app.test_client()
    response = post_report(client, place, files=[(io_file(noise_jpeg(30_000)), "big.jpg")])
    assert response.status_code == 400
    assert "每张照片不能超过" in response.get_data(as_text=True)


def test_photos_over_the_total_limit_come_back_as_a_message_at_the_photos_with_the_text_kept(
        make_app, place):
    app = make_app(MAX_CONTENT_LENGTH=50_000, MAX_PHOTO_BYTES=40_000)
    client = app.test_client()
    files = [(io_file(noise_jpeg(30_000)), "a.jpg"), (io_file(noise_jpeg(30_000)), "b.jpg")]
    response = post_report(client, place, files=files, place="粮站门口")
    html = response.get_data(as_text=True)
    assert response.status_code == 413
    photos = re.search(r'<p class="error-text" id="photos-error">([^<]+)</p>', html).group(1)
    assert "超过了一次最多" in photos and "MB" in photos
    photos_input = re.search(r'<input[^>]*id="photos"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in photos_input and "photos-error" in photos_input
    assert "办公室锁着门" in html and 'value="粮站门口"' in html
    assert f'value="{place.cadre_public_ids[0]}" selected' in html
    with app.app_context():
        assert db.session.scalar(select(db.func.count(Report.id))) == 0


def test_a_body_too_large_to_read_gets_its_townships_form_with_the_limits(make_app, place):
    app = make_app(MAX_CONTENT_LENGTH=20_000, UPLOAD_READ_LIMIT=40_000)
    client = app.test_client()
    response = post_report(client, place, files=[(io_file(noise_jpeg(60_000)), "big.jpg")])
    html = response.get_data(as_text=True)
    assert response.status_code == 413
    assert 'id="photos-error"' in html and "没有收到" in html
    assert place.code in html and 'name="description"' in html.split("<body", 1)[1]


def test_the_limits_are_stated_before_the_photos_are_chosen(client, place):
    html = client.get(f"/report?township={place.code}").get_data(as_text=True)
    hint = html.index("最多 5 张，每张不超过 8 MB，合计不超过 25 MB")
    assert hint < html.index('type="file"')


def test_six_photos_are_refused_at_the_photos_with_the_text_kept(client, place):
    files = [(io_file(png_bytes()), f"{i}.png") for i in range(6)]
    response = post_report(client, place, files=files)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert re.search(r'id="photos-error">选择了 6 张照片，最多上传 5 张照片', html)
    assert "办公室锁着门" in html


def test_an_oversize_photo_is_named_at_the_photos(make_app, place):
    app = make_app(MAX_PHOTO_BYTES=20_000)
    response = post_report(app.test_client(), place, files=[(io_file(noise_jpeg(30_000)), "门口.jpg")])
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert re.search(r'id="photos-error">“门口.jpg”有 [\d.]+ MB，每张照片不能超过', html)


def test_a_free_text_cadre_is_kept_and_a_typed_roster_name_is_linked(client, app, place):
    html = post_report(client, place, cadre="", cadre_text="开黑色轿车的副镇长").get_data(as_text=True)
    first = RECEIPT.search(html).group(1)
    html = post_report(client, place, cadre="李秀英").get_data(as_text=True)
    second = RECEIPT.search(html).group(1)
    with app.app_context():
        one, two = reports.find_by_receipt(first), reports.find_by_receipt(second)
        assert (one.cadre_id, one.cadre_text) == (None, "开黑色轿车的副镇长")
        assert two.cadre_id == db.session.scalar(select(Cadre.id).where(Cadre.name == "李秀英"))


def test_the_own_name_in_the_description_asks_for_confirmation_first(client, app, place):
    data = {"named": "y", "name": "孙小红", "contact": "13912345678",
            "description": "我是孙小红，镇长周一到周五都不在办公室。"}
    response = post_report(client, place, **data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and not RECEIPT.search(html)
    assert "描述里有您自己的姓名" in html and 'name="confirm_identity"' in html
    assert "我是孙小红，镇长周一到周五都不在办公室。" in html
    with app.app_context():
        assert db.session.scalar(select(db.func.count(Report.id))) == 0
    html = post_report(client, place, confirm_identity="y", **data).get_data(as_text=True)
    assert RECEIPT.search(html)


def test_the_own_contact_in_an_anonymous_report_also_warns(client, place):
    html = post_report(client, place, contact="13912345678",
                       description="有情况可以打 139 1234 5678 联系我").get_data(as_text=True)
    assert "描述里有您自己的联系方式" in html and not RECEIPT.search(html)


def test_the_honeypot_turns_a_bot_away(client, app, place):
    response = post_report(client, place, website="http://spam.example")
    assert response.status_code == 400 and not RECEIPT.search(response.get_data(as_text=True))
    with app.app_context():
        assert db.session.scalar(select(db.func.count(Report.id))) == 0


def test_a_post_without_csrf_is_refused(client, place):
    data = valid_data(place)
    assert client.post("/report", data=data).status_code == 400


def test_markup_is_shown_as_text(client, app, place):
    html = post_report(client, place, description='<img src=x onerror="alert(1)">镇长不在<b>岗</b>',
                       place="<script>x</script>").get_data(as_text=True)
    receipt = RECEIPT.search(html).group(1)
    with app.app_context():
        report = reports.find_by_receipt(receipt)
        assert report.description == "镇长不在岗" and report.place == "x"


def test_an_unknown_township_code_goes_back_to_choosing(client, place):
    response = client.get("/report?township=123456789")
    assert response.status_code == 200 and 'name="q"' in response.get_data(as_text=True)
    assert "请从下面选择一个乡镇" in response.get_data(as_text=True)
