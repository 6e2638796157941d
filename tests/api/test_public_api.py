"""The public JSON API: pagination, filters, 400s, OpenAPI conformance, public fields only."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from portal.extensions import db
from portal.models import ShiftKind, Status
from tests import factories
from tests.conftest import at
from tests.public.helpers import (
    count_statements,
    entry,
    leave,
    local,
    shift,
    today_local,
    township_with_cadres,
)

DOC_URI = "urn:zaigang:openapi"


@pytest.fixture
def spec(app):
    response = app.test_client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def validate(spec: dict, schema_name: str, instance) -> None:
    registry = Registry().with_resource(DOC_URI, DRAFT202012.create_resource(spec))
    validator = Draft202012Validator({"$ref": f"{DOC_URI}#/components/schemas/{schema_name}"},
                                     registry=registry, format_checker=FormatChecker())
    errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])


def response_schema(spec, path, status="200"):
    ref = spec["paths"][path]["get"]["responses"][status]["content"]["application/json"]["schema"]["$ref"]
    return ref.rsplit("/", 1)[1]


@pytest.fixture
def town(app):
    # A Friday in office hours: the statuses below are in force, and tomorrow is a Saturday,
    # whose day shift needs a leader.
    at("2026-12-04T10:00")
    today = today_local()
    with app.app_context():
        t, secretary, head, deputy, staff = township_with_cadres(4, name="大庄测试镇")
        midnight = local(today, 0, 0)
        entry(secretary, Status.VILLAGE, midnight, village="李家村", note="私密备注")
        entry(head, Status.TRIP, midnight - timedelta(days=1), midnight + timedelta(days=2))
        leave(staff[0], today, today, substitute=staff[1], reason="保密的请假理由")
        shift(t, today, ShiftKind.NIGHT, leaders=[deputy], staff=[staff[2]],
              replaces={deputy.id: head})
        shift(t, today + timedelta(days=1), ShiftKind.DAY, staff=[staff[3]])
        db.session.commit()
        return t.code


def test_openapi_document_is_3_1_and_refs_resolve(spec):
    assert spec["openapi"] == "3.1.0"
    text = json.dumps(spec)
    for name in {part.split('"')[0] for part in text.split("#/components/schemas/")[1:]}:
        assert name in spec["components"]["schemas"], name
    for path in ("/townships", "/townships/{code}/board", "/townships/{code}/roster"):
        assert "get" in spec["paths"][path]


def test_township_list_pages_with_a_cursor(app, spec):
    with app.app_context():
        county = factories.county(code="770101")
        for _ in range(7):
            factories.township(county)
        db.session.commit()
    client = app.test_client()
    seen, cursor, pages = [], None, 0
    while True:
        query = {"limit": 3, "county": "770101"}
        if cursor:
            query["cursor"] = cursor
        body = client.get("/api/v1/townships", query_string=query).get_json()
        validate(spec, response_schema(spec, "/townships"), body)
        seen += [item["code"] for item in body["items"]]
        pages += 1
        cursor = body["next"]
        if cursor is None:
            break
    assert pages == 3 and len(seen) == 7 and seen == sorted(seen)


def test_township_list_filters(app, spec, town):
    client = app.test_client()
    for q in ("大庄测试", "dazhuangce", "dzcsz"):
        body = client.get("/api/v1/townships", query_string={"q": q}).get_json()
        assert [i["code"] for i in body["items"]] == [town], q
        assert body["items"][0]["name"] == "大庄测试镇"
    assert client.get("/api/v1/townships?county=000000").get_json() == {"items": [], "next": None}
    assert town in [i["code"] for i in client.get("/api/v1/townships?q=%20").get_json()["items"]]


@pytest.mark.parametrize("url", [
    "/api/v1/townships?limit=0",
    "/api/v1/townships?limit=abc",
    "/api/v1/townships?limit=101",
    "/api/v1/townships?cursor=%%%",
    "/api/v1/townships?cursor=bm90YWNvZGU",
    "/api/v1/townships?county=12",
    "/api/v1/townships?q=%25%25",
    "/api/v1/townships/{code}/roster?from=2026-13-01",
    "/api/v1/townships/{code}/roster?from=20261001",
    "/api/v1/townships/{code}/roster?from=2026-10-10&to=2026-10-01",
    "/api/v1/townships/{code}/roster?from=2026-01-01&to=2026-12-31",
])
def test_bad_parameters_answer_400_json(app, spec, town, url):
    response = app.test_client().get(url.format(code=town))
    assert response.status_code == 400
    assert response.mimetype == "application/json"
    validate(spec, "Error", response.get_json())
    assert response.get_json()["error"]["message"]


def test_unknown_township_is_404_json(app, spec):
    for url in ("/api/v1/townships/999999999/board", "/api/v1/townships/999999999/roster"):
        response = app.test_client().get(url)
        assert response.status_code == 404
        validate(spec, "Error", response.get_json())


def test_board_conforms_to_the_document(app, spec, town):
    body = app.test_client().get(f"/api/v1/townships/{town}/board").get_json()
    validate(spec, response_schema(spec, "/townships/{code}/board"), body)
    cadres = {c["name"]: c for c in body["cadres"]}
    assert cadres["书记甲"]["now"]["status"] == "village"
    assert cadres["书记甲"]["now"]["village"] == "李家村"
    assert cadres["干事00"]["now"]["status"] == "leave"
    assert cadres["干事00"]["now"]["substitute"]["name"] == "干事01"
    assert cadres["干事02"]["now"]["status"] is None  # 未更新
    assert body["duty"]["night"]["leaders"][0]["replaces"]["name"] == "镇长乙"
    assert body["today"]["date"] == today_local().isoformat()
    assert body["last_updated"].endswith("+08:00")


def test_roster_conforms_to_the_document(app, spec, town):
    today = today_local()
    body = app.test_client().get(
        f"/api/v1/townships/{town}/roster",
        query_string={"from": today.isoformat(), "to": (today + timedelta(days=2)).isoformat()},
    ).get_json()
    validate(spec, response_schema(spec, "/townships/{code}/roster"), body)
    assert [d["date"] for d in body["days"]] == [(today + timedelta(days=i)).isoformat() for i in range(3)]
    tomorrow_day = body["days"][1]["slots"][0]
    assert tomorrow_day["shift"]["staff"][0]["name"] == "干事03"
    assert tomorrow_day["gap"]["missing_leader"] is True
    assert body["days"][0]["slots"][1]["shift"]["starts_at"].endswith("+08:00")


# Every property name the public API may give out, per endpoint. A new field must be added
# here (and to the OpenAPI document) on purpose.
TOWNSHIP_FIELDS = {"code", "name", "county", "address", "office_phone", "hotline", "updated_at",
                   "links", "board", "roster", "report", "board_api", "roster_api", "notices",
                   "notices_api", "roster_ics"}
PERSON_FIELDS = {"id", "name", "post", "office_phone"}
SHIFT_FIELDS = {"date", "kind", "starts_at", "ends_at", "leaders", "staff", "replaces"}
GAP_FIELDS = {"missing_leader", "missing_staff", "missing_shift", "absent", "role"}
EXPECTED_FIELDS = {
    "/api/v1/townships": TOWNSHIP_FIELDS | {"items", "next"},
    "/api/v1/townships/{code}/board": TOWNSHIP_FIELDS | PERSON_FIELDS | SHIFT_FIELDS | GAP_FIELDS | {
        "township", "today", "holiday", "last_updated", "valid_until", "chiefs_both_away", "duty",
        "running_night", "day", "day_required", "night", "gaps", "cadres", "is_leader", "photo_url", "now",
        "later_today", "status", "state", "period", "label", "village", "first_day", "last_day",
        "substitute"},
    "/api/v1/townships/{code}/roster": TOWNSHIP_FIELDS | PERSON_FIELDS | SHIFT_FIELDS | GAP_FIELDS | {
        "township", "from", "to", "required_shifts", "gap_count", "coverage_ratio",
        "chiefs_both_away_days", "days", "holiday", "chiefs_both_away", "slots", "required", "shift",
        "gap"},
}


def _keys(value, found: set) -> set:
    if isinstance(value, dict):
        found.update(value)
        for v in value.values():
            _keys(v, found)
    elif isinstance(value, list):
        for v in value:
            _keys(v, found)
    return found


@pytest.mark.parametrize("path", sorted(EXPECTED_FIELDS))
def test_only_public_fields(app, town, path):
    with app.app_context():
        from sqlalchemy import select

        from portal.models import Cadre
        private_phones = list(db.session.scalars(select(Cadre.personal_phone)))
    response = app.test_client().get(path.format(code=town))
    text = response.get_data(as_text=True)
    found = _keys(response.get_json(), set())
    # The board and roster use every field at least once with this data set.
    assert found <= EXPECTED_FIELDS[path], found - EXPECTED_FIELDS[path]
    assert not {"personal_phone", "note", "reason", "photo", "history"} & found
    assert all(p not in text for p in private_phones)
    assert "私密备注" not in text and "保密的请假理由" not in text


def test_api_is_cacheable_and_answers_304(app, town):
    client = app.test_client()
    for url in (f"/api/v1/townships/{town}/board", f"/api/v1/townships/{town}/roster",
                "/api/v1/townships", "/api/v1/openapi.json"):
        first = client.get(url)
        assert first.headers["ETag"] and "max-age" in first.headers["Cache-Control"]
        again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
        assert again.status_code == 304 and again.data == b""


def test_api_statements_are_bounded(app, town):
    client = app.test_client()
    for url, limit in ((f"/api/v1/townships/{town}/board", 4), (f"/api/v1/townships/{town}/roster", 6),
                       ("/api/v1/townships", 1)):
        with count_statements(app) as statements:
            assert client.get(url).status_code == 200
        assert len(statements) <= limit, (url, statements)
