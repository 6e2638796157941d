"""`/v/<token>`: a villager confirms a visit once, before the link expires, leaving no trace."""

from __future__ import annotations

import logging
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import VillageVisit
from portal.models.base import utcnow
from portal.services.office import visits
from tests import factories

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@pytest.fixture
def issued(app):
    """A recorded visit and its plain token, as the clerk's page would show it."""
    with app.app_context():
        town = factories.township(name="河口测试乡")
        cadre = factories.cadre(town, name="陈副乡长", post="副乡长", is_leader=True)
        db.session.commit()
        visit, token = visits.record_visit(cadre=cadre, village="柳树湾村", day=date(2026, 3, 10),
                                           purpose="调解土地纠纷", diary="", actor=None,
                                           today=date(2026, 3, 11))
        return {"token": token.token, "visit_id": visit.id}


def confirm(client, token, **data):
    page = client.get(f"/v/{token}")
    assert page.status_code == 200
    payload = {"csrf_token": CSRF.search(page.get_data(as_text=True)).group(1), **data}
    return client.post(f"/v/{token}", data=payload)


def test_the_villager_sees_who_came_where_and_when(client, issued):
    response = client.get(f"/v/{issued['token']}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "陈副乡长" in html and "柳树湾村" in html and "2026-03-10" in html and "调解土地纠纷" in html
    assert "<script" not in html
    assert response.headers["Cache-Control"] == "no-store"


def test_get_changes_nothing(app, client, issued):
    client.get(f"/v/{issued['token']}")
    with app.app_context():
        assert db.session.get(VillageVisit, issued["visit_id"]).confirmed_at is None


def test_confirming_counts_the_visit_with_the_optional_name_and_comment(app, client, issued):
    response = confirm(client, issued["token"], name="  王大妈 ", comment="<b>来了</b>，解决了问题")
    assert response.status_code == 200
    assert "谢谢" in response.get_data(as_text=True)
    with app.app_context():
        visit = db.session.get(VillageVisit, issued["visit_id"])
        assert visit.confirmed_at is not None
        assert visit.confirmer_name == "王大妈"
        assert visit.confirmer_comment == "来了，解决了问题"


def test_confirming_without_a_name_works(app, client, issued):
    assert confirm(client, issued["token"]).status_code == 200
    with app.app_context():
        visit = db.session.get(VillageVisit, issued["visit_id"])
        assert visit.confirmed_at is not None and visit.confirmer_name == ""


def test_a_link_works_once(app, client, issued):
    page = client.get(f"/v/{issued['token']}")
    token = CSRF.search(page.get_data(as_text=True)).group(1)
    first = client.post(f"/v/{issued['token']}", data={"csrf_token": token})
    assert first.status_code == 200
    with app.app_context():
        confirmed_at = db.session.get(VillageVisit, issued["visit_id"]).confirmed_at
    again = client.post(f"/v/{issued['token']}", data={"csrf_token": token, "name": "别人"})
    assert again.status_code == 410
    assert "已经确认过" in again.get_data(as_text=True)
    assert client.get(f"/v/{issued['token']}").status_code == 410
    with app.app_context():
        visit = db.session.get(VillageVisit, issued["visit_id"])
        assert visit.confirmed_at == confirmed_at and visit.confirmer_name == ""


def test_an_expired_link_cannot_confirm(app, client, issued):
    page = client.get(f"/v/{issued['token']}")
    csrf = CSRF.search(page.get_data(as_text=True)).group(1)
    with app.app_context():
        visit = db.session.get(VillageVisit, issued["visit_id"])
        visit.token_expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    response = client.post(f"/v/{issued['token']}", data={"csrf_token": csrf})
    assert response.status_code == 410
    assert "已过期" in response.get_data(as_text=True)
    assert client.get(f"/v/{issued['token']}").status_code == 410
    with app.app_context():
        assert db.session.get(VillageVisit, issued["visit_id"]).confirmed_at is None


def test_the_link_expires_after_72_hours(app, issued):
    with app.app_context():
        visit = db.session.get(VillageVisit, issued["visit_id"])
        assert visits.find_by_token(issued["token"], now=utcnow() + timedelta(hours=71)) == visit
        with pytest.raises(visits.TokenExpiredError):
            visits.find_by_token(issued["token"], now=utcnow() + timedelta(hours=72, seconds=1))


@pytest.mark.parametrize("token", ["nope", "A" * 32, "x" * 200])
def test_unknown_tokens_answer_404(client, issued, token):
    assert client.get(f"/v/{token}").status_code == 404


def test_a_post_without_csrf_token_is_refused(app, client, issued):
    response = client.post(f"/v/{issued['token']}", data={"name": "x"})
    assert response.status_code in (200, 400)
    with app.app_context():
        assert db.session.get(VillageVisit, issued["visit_id"]).confirmed_at is None


def test_nothing_about_the_device_is_stored_or_logged(app, client, issued, caplog):
    caplog.set_level(logging.DEBUG)
    confirm(client, issued["token"], name="李四")
    client.get(f"/v/{issued['token']}", environ_base={"REMOTE_ADDR": "203.0.113.9"},
               headers={"User-Agent": "TestPhone/1.0"})
    assert "203.0.113.9" not in caplog.text and "TestPhone" not in caplog.text
    assert issued["token"] not in caplog.text
    with app.app_context():
        row = db.session.execute(select(VillageVisit.__table__)).mappings().one()
        values = " ".join(str(v) for v in row.values())
    assert "127.0.0.1" not in values and "werkzeug" not in values.lower()


def test_confirmations_are_rate_limited(app, issued):
    client = app.test_client()
    page = client.get(f"/v/{issued['token']}")
    csrf = CSRF.search(page.get_data(as_text=True)).group(1)
    statuses = [client.post("/v/unknown-token-xyz", data={"csrf_token": csrf}).status_code
                for _ in range(12)]
    assert statuses[0] == 404
    assert statuses[-1] == 429


def test_guessing_links_with_gets_is_rate_limited_too(app, issued):
    client = app.test_client()
    statuses = [client.get(f"/v/guess-{i}").status_code for i in range(32)]
    assert statuses[0] == 404 and statuses[-1] == 429
