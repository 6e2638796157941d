"""A report whose body did not arrive whole comes back with every text field that did.

Cut off mid-photo (a connection lost on a slow phone, a truncated multipart body) or past the
read limit: never a bare 400/413 page, the form with the text and a message at the photos.
"""

from __future__ import annotations

import io
import re

from flask import url_for
from sqlalchemy import select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from portal.extensions import db
from portal.models import Report
from tests.report.photos import noise_jpeg
from tests.report.test_form import csrf, valid_data

TYPED = "上午十点到党政办办事，办公室锁着门，打电话也没人接。"


def _body(client, where, photo_bytes: int = 60_000) -> tuple[str, str, bytes]:
    """The report form's body as a browser sends it: its text fields first, then the photo."""
    with client.application.test_request_context():
        path = url_for("report.form", township=where.code)
    data = MultiDict({"csrf_token": csrf(client, path), **valid_data(where, place="粮站门口")})
    data.add("named", "y")
    data.add("name", "张三")
    data.add("contact", "13800000000")
    data.add("photos", FileStorage(io.BytesIO(noise_jpeg(photo_bytes)), "IMG_1.jpg", "photos",
                                   content_type="image/jpeg"))
    boundary, body = encode_multipart(data)
    return path, boundary, body


def _post(client, path, boundary, body, **environ):
    return client.post(path, data=body, content_type=f"multipart/form-data; boundary={boundary}",
                       environ_overrides=environ)


def _form_back(response, status: int) -> str:
    html = response.get_data(as_text=True)
    assert response.status_code == status
    assert TYPED in html and 'value="粮站门口"' in html
    assert 'value="张三"' in html and 'value="13800000000"' in html
    photos = re.search(r'<input[^>]*id="photos"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in photos and "photos-error" in photos
    assert '<a href="#photos">' in html  # the summary at the top leads to the field
    return re.search(r'<p class="error-text" id="photos-error">([^<]+)</p>', html).group(1)


def _no_report(app) -> None:
    with app.app_context():
        assert db.session.scalar(select(db.func.count(Report.id))) == 0


def test_a_body_cut_off_in_its_photo_comes_back_with_the_text(app, client, place):
    path, boundary, body = _body(client, place)
    cut = body[: len(body) - 20_000]
    message = _form_back(_post(client, path, boundary, cut), 400)
    assert "上传中断" in message and "已经收到的文字都保留着" in message
    _no_report(app)


def test_a_client_gone_mid_upload_gets_the_form_with_what_arrived(app, client, place):
    path, boundary, body = _body(client, place)
    cut = body[: len(body) - 20_000]
    # The request announced the whole body; the connection ended before it came.
    response = _post(client, path, boundary, cut, CONTENT_LENGTH=str(len(body)))
    assert "上传中断" in _form_back(response, 400)
    _no_report(app)


def test_a_body_past_the_read_limit_keeps_the_text_that_came_before_it(make_app, place):
    app = make_app(MAX_CONTENT_LENGTH=20_000, UPLOAD_READ_LIMIT=40_000)
    client = app.test_client()
    path, boundary, body = _body(client, place, photo_bytes=60_000)
    assert len(body) > 40_000
    message = _form_back(_post(client, path, boundary, body), 413)
    assert "MB" in message
    assert "已经收到的文字都保留着" in message
    _no_report(app)


def test_a_whole_body_is_still_filed(app, client, place):
    path, boundary, body = _body(client, place, photo_bytes=20_000)
    response = _post(client, path, boundary, body)
    assert response.status_code == 200 and 'id="receipt"' in response.get_data(as_text=True)
