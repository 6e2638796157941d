"""Poster, caching (ETag, 304, Cache-Control), gzip, and browsing townships by county."""

from __future__ import annotations

import gzip

import segno

from portal.extensions import db
from portal.services.shared import townships
from tests import factories
from tests.public.helpers import township_with_cadres


def _town(app, **fields):
    with app.app_context():
        t, *_ = township_with_cadres(2, **fields)
        db.session.commit()
        return t.code, t.id


def test_poster_has_qr_codes_to_the_board_and_the_report_form(make_app):
    app = make_app(PUBLIC_URL="https://zaigang.example.cn")
    code, _ = _town(app)
    response = app.test_client().get(f"/t/{code}/poster")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    board_url = f"https://zaigang.example.cn/t/{code}"
    report_url = f"https://zaigang.example.cn/report?township={code}"
    assert board_url in html and report_url in html
    assert html.count("<svg") == 2
    # The QR codes encode exactly those absolute URLs (segno's output is deterministic).
    for url in (board_url, report_url):
        path = segno.make(url, error="m").svg_inline(scale=4, omitsize=True).split(' d="')[1]
        assert path.split('"')[0] in html
    assert "0999-12388" in html  # the township's hotline
    assert "<script" not in html and "style=" not in html and "https://" not in html.split("<main")[0]


def test_poster_prints_on_a4():
    from portal.config import ROOT

    css = (ROOT / "static" / "site.css").read_text()
    assert "size: A4" in css and len(css.encode()) < 15 * 1024


def test_board_answers_304_and_changes_with_the_data(app):
    code, township_id = _town(app)
    client = app.test_client()
    first = client.get(f"/t/{code}")
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"].startswith("public")
    assert "max-age=" in first.headers["Cache-Control"]
    again = client.get(f"/t/{code}", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == etag
    with app.app_context():
        townships.touch(township_id)
        db.session.commit()
    changed = client.get(f"/t/{code}", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_language_changes_the_etag(app):
    code, _ = _town(app)
    client = app.test_client()
    zh = client.get(f"/t/{code}").headers["ETag"]
    en = app.test_client().get(f"/t/{code}?lang=en")
    assert en.headers["ETag"] != zh
    assert "Cookie" in en.headers["Vary"]


def test_roster_and_feed_answer_304(app):
    code, _ = _town(app)
    client = app.test_client()
    for url in (f"/t/{code}/roster", f"/t/{code}/roster?month=2026-10", f"/t/{code}/roster.ics",
                f"/t/{code}/poster"):
        first = client.get(url)
        assert first.status_code == 200, url
        again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
        assert again.status_code == 304, url


def test_gzip_when_accepted(app):
    code, _ = _town(app)
    client = app.test_client()
    plain = client.get(f"/t/{code}")
    assert "Content-Encoding" not in plain.headers
    assert "Accept-Encoding" in plain.headers["Vary"]
    packed = client.get(f"/t/{code}", headers={"Accept-Encoding": "gzip, deflate"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.data) == plain.data
    assert len(packed.data) < len(plain.data) / 2
    refused = client.get(f"/t/{code}", headers={"Accept-Encoding": "gzip;q=0"})
    assert "Content-Encoding" not in refused.headers
    css = client.get("/static/site.css", headers={"Accept-Encoding": "gzip"})
    assert css.headers.get("Content-Encoding") == "gzip"
    assert css.headers["ETag"].startswith("W/")  # the gzipped bytes are another representation
    css.close()
    again = client.get("/static/site.css", headers={"Accept-Encoding": "gzip",
                                                     "If-None-Match": css.headers["ETag"]})
    assert again.status_code == 304
    again.close()


def test_healthz_is_not_cached_or_compressed(app):
    response = app.test_client().get("/healthz", headers={"Accept-Encoding": "gzip"})
    assert response.headers["Cache-Control"] == "no-store"
    assert response.get_json()["ok"] is True


def test_browse_by_county_with_counts(app):
    with app.app_context():
        east = factories.county(code="770101", name="东测县")
        west = factories.county(code="770102", name="西测县")
        for _ in range(3):
            factories.township(east)
        factories.township(west)
        db.session.commit()
    client = app.test_client()
    html = client.get("/").get_data(as_text=True)
    assert "东测县" in html and "3 个乡镇" in html and "1 个乡镇" in html
    only_west = client.get("/?county=770102").get_data(as_text=True)
    assert "西测县" in only_west and "东测县" not in only_west


def test_board_links_back_to_its_county(app):
    code, _ = _town(app)
    html = app.test_client().get(f"/t/{code}").get_data(as_text=True)
    assert f'href="/?county={code[:6]}"' in html


PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f"
       b"\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00"
       b"\x00IEND\xaeB`\x82")


def test_photo_if_provided(app):
    with app.app_context():
        t, secretary, head, *_ = township_with_cadres(1)
        secretary.photo = PNG
        other, *_ = township_with_cadres(1)
        db.session.commit()
        code, other_code, with_photo, without = t.code, other.code, secretary.public_id, head.public_id
    client = app.test_client()
    html = client.get(f"/t/{code}").get_data(as_text=True)
    assert html.count('class="face"') == 1 and f"/t/{code}/photo/{with_photo}" in html
    image = client.get(f"/t/{code}/photo/{with_photo}")
    assert image.status_code == 200 and image.mimetype == "image/png" and image.data == PNG
    assert image.headers["ETag"]
    assert client.get(f"/t/{code}/photo/{without}").status_code == 404
    assert client.get(f"/t/{other_code}/photo/{with_photo}").status_code == 404  # other township
    board = client.get(f"/api/v1/townships/{code}/board").get_json()
    urls = {c["name"]: c["photo_url"] for c in board["cadres"]}
    assert urls["书记甲"] == f"/t/{code}/photo/{with_photo}" and urls["镇长乙"] is None
