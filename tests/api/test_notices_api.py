"""The monthly notices in the read API: the index, a month with its version and SHA-256 (which
anyone can check), earlier versions, errors, caching and the OpenAPI description."""

from __future__ import annotations

import hashlib
import json
from datetime import date

import pytest

from portal.extensions import db
from portal.models import LeaveKind, Township
from portal.services.office import notices
from tests import factories
from tests.api.test_public_api import response_schema, validate
from tests.public.helpers import count_statements


@pytest.fixture
def spec(app):
    return app.test_client().get("/api/v1/openapi.json").get_json()


@pytest.fixture
def published(app):
    """柳林测试乡: February and March 2026 published, March corrected once (version 2)."""
    with app.app_context():
        from portal.models import Leave

        town = factories.township(name="柳林测试乡")
        head = factories.cadre(town, name="孙乡长", post="乡长", is_leader=True)
        factories.cadre(town, name="郑干事", post="干事")
        db.session.add(Leave(cadre_id=head.id, township_id=town.id, kind=LeaveKind.PERSONAL,
                             start_date=date(2026, 3, 9), end_date=date(2026, 3, 10),
                             approver="县委组织部", reason="保密的请假事由"))
        db.session.commit()
        for month in ("2026-02", "2026-03"):
            notices.publish(township=town, month=month, actor=None, today=date(2026, 4, 2))
        factories.cadre(town, name="新来的", post="干事")
        db.session.commit()
        notices.publish(township=town, month="2026-03", actor=None, today=date(2026, 4, 5))
        return town.code


def canonical_sha256(content: dict) -> str:
    """The documented check: JSON with sorted keys, no spaces, UTF-8 as it is."""
    text = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def test_the_index_lists_each_month_with_its_latest_version(app, spec, published):
    response = app.test_client().get(f"/api/v1/townships/{published}/notices")
    assert response.status_code == 200
    body = response.get_json()
    validate(spec, response_schema(spec, "/townships/{code}/notices"), body)
    assert [(i["month"], i["version"]) for i in body["items"]] == [("2026-03", 2), ("2026-02", 1)]
    assert body["items"][0]["links"] == {
        "page": f"/t/{published}/notices/2026-03",
        "api": f"/api/v1/townships/{published}/notices/2026-03"}
    assert body["items"][0]["published_at"].endswith("+08:00")
    assert body["items"][0]["first_published_at"] < body["items"][0]["published_at"]
    assert body["township"]["links"]["notices_api"] == f"/api/v1/townships/{published}/notices"


def test_a_month_comes_with_its_version_and_a_hash_anyone_can_check(app, spec, published):
    client = app.test_client()
    body = client.get(f"/api/v1/townships/{published}/notices/2026-03").get_json()
    validate(spec, response_schema(spec, "/townships/{code}/notices/{month}"), body)
    assert (body["version"], body["latest_version"]) == (2, 2)
    assert body["sha256"] == canonical_sha256(body["content"])
    assert [c["name"] for c in body["content"]["cadres"]] == ["孙乡长", "郑干事", "新来的"]
    assert {"cadre": "新来的", "post": "干事", "change": "added"} in body["changes"]
    assert [v["version"] for v in body["versions"]] == [2, 1]
    with app.app_context():
        town = db.session.scalar(db.select(Township).where(Township.code == published))
        stored = notices.latest(town.id, "2026-03")
        assert body["sha256"] == stored.sha256 and body["content"] == notices.content_of(stored)
    first = client.get(f"/api/v1/townships/{published}/notices/2026-03?v=1").get_json()
    assert first["version"] == 1 and first["latest_version"] == 2 and first["changes"] == []
    assert first["sha256"] == canonical_sha256(first["content"]) != body["sha256"]
    assert first["sha256"] == body["versions"][1]["sha256"]
    assert first["links"]["page"] == f"/t/{published}/notices/2026-03?v=1"


def test_the_notices_give_out_only_public_fields(app, published):
    text = app.test_client().get(f"/api/v1/townships/{published}/notices/2026-03").get_data(
        as_text=True)
    assert "保密的请假事由" not in text and "personal_phone" not in text and "reason" not in text
    row = json.loads(text)["content"]["cadres"][0]
    assert row["leave_days"] == 2  # the number of days, never why


@pytest.mark.parametrize(("path", "status"), [
    ("/notices/2026-3", 400), ("/notices/2026-13", 400), ("/notices/2026-03?v=0", 400),
    ("/notices/2026-03?v=x", 400), ("/notices/2026-03?v=9", 404), ("/notices/2025-12", 404),
])
def test_bad_months_and_versions(app, published, path, status):
    response = app.test_client().get(f"/api/v1/townships/{published}{path}")
    assert response.status_code == status
    assert response.get_json()["error"]["code"] == status


def test_an_unknown_township_answers_404_json(app, published):
    for path in ("/api/v1/townships/999999999/notices", "/api/v1/townships/999999999/notices/2026-03"):
        response = app.test_client().get(path)
        assert response.status_code == 404 and response.get_json()["error"]["code"] == 404


def test_notices_are_cacheable_and_cheap(app, published):
    client = app.test_client()
    for url, limit in ((f"/api/v1/townships/{published}/notices", 3),
                       (f"/api/v1/townships/{published}/notices/2026-03", 4)):
        with count_statements(app) as statements:
            first = client.get(url)
        assert len(statements) <= limit, statements
        assert first.headers["ETag"] and "max-age" in first.headers["Cache-Control"]
        assert client.get(url, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304


def test_the_document_lists_the_notices():
    from portal.api.openapi import document

    paths = document()["paths"]
    assert "/townships/{code}/notices" in paths and "/townships/{code}/notices/{month}" in paths
