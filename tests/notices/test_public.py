"""The public notice pages: list, versions, print-ready, cacheable, no script."""

from __future__ import annotations

from datetime import date

import pytest

from portal.extensions import db
from portal.models import MonthlyNotice, Township
from portal.services.office import notices
from tests import factories


@pytest.fixture
def published(app):
    with app.app_context():
        town = factories.township(name="柳林测试乡")
        factories.cadre(town, name="孙乡长", post="乡长", is_leader=True)
        factories.cadre(town, name="郑干事", post="干事")
        db.session.commit()
        notices.publish(township=town, month="2026-03", actor=None, today=date(2026, 4, 2))
        return town.code


def test_the_list_links_each_published_month(client, published):
    response = client.get(f"/t/{published}/notices")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "柳林测试乡" in html and f'href="/t/{published}/notices/2026-03"' in html


def test_a_notice_is_print_ready_with_a_qr_code_and_no_script(client, published):
    response = client.get(f"/t/{published}/notices/2026-03")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "孙乡长" in html and "郑干事" in html and "第 1 版" in html
    assert 'class="qr"' in html and 'src="data:image/svg+xml' in html
    assert f"http://localhost/t/{published}/notices/2026-03?v=1" in html
    assert "<script" not in html and "style=" not in html
    css = client.get("/static/site.css")
    assert "@media print" in css.get_data(as_text=True) and "A4" in css.get_data(as_text=True)
    css.close()


def test_notices_are_cacheable_and_revalidate(client, published):
    first = client.get(f"/t/{published}/notices/2026-03")
    assert first.headers["ETag"]
    assert "public" in first.headers["Cache-Control"]
    again = client.get(f"/t/{published}/notices/2026-03",
                       headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_a_new_version_changes_the_latest_page_but_not_version_1(app, client, published):
    v1 = client.get(f"/t/{published}/notices/2026-03?v=1")
    latest = client.get(f"/t/{published}/notices/2026-03")
    with app.app_context():
        town = db.session.scalar(db.select(Township).where(Township.code == published))
        factories.cadre(town, name="新来的", post="干事")
        db.session.commit()
        result = notices.publish(township=town, month="2026-03", actor=None, today=date(2026, 4, 9))
        assert result.notice.version == 2
    latest_after = client.get(f"/t/{published}/notices/2026-03")
    assert latest_after.headers["ETag"] != latest.headers["ETag"]
    html = latest_after.get_data(as_text=True)
    assert "新增 新来的（干事）" in html and "各版本" in html
    v1_after = client.get(f"/t/{published}/notices/2026-03?v=1")
    assert "新来的" not in v1_after.get_data(as_text=True)
    assert "这不是最新版" in v1_after.get_data(as_text=True)
    assert v1.status_code == 200


@pytest.mark.parametrize("path", ["2026-02", "2026-3", "2026-13", "latest", "2026-03?v=9"])
def test_unknown_months_and_versions_answer_404(client, published, path):
    assert client.get(f"/t/{published}/notices/{path}").status_code == 404


def test_an_unknown_township_answers_404(client, published):
    assert client.get("/t/000000000/notices").status_code == 404


def test_the_stored_content_is_what_the_hash_covers(app, published):
    import hashlib

    with app.app_context():
        notice = db.session.scalar(db.select(MonthlyNotice))
        assert hashlib.sha256(notice.content.encode()).hexdigest() == notice.sha256
