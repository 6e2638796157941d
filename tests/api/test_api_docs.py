"""The API page for people (/api/v1/docs): rendered on the server from the OpenAPI document,
every path and schema on it, no script and nothing loaded from elsewhere."""

from __future__ import annotations

import re

from portal.api.openapi import document


def test_the_page_shows_every_operation_and_schema_of_the_document(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200 and response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    doc = document()
    for path, methods in doc["paths"].items():
        for method, op in methods.items():
            assert f"<code>{method.upper()} /api/v1{path}</code>" in html, path
            assert f'id="op-{op["operationId"]}"' in html
    for name, schema in doc["components"]["schemas"].items():
        assert f'id="schema-{name}"' in html, name
        for field in schema.get("properties", {}):
            assert f"<code>{field}</code>" in html, (name, field)
    # Types link to their schemas, parameters show their limits.
    assert '<a href="#schema-Township">Township</a>' in html
    assert "array of <a href=\"#schema-Township\">Township</a>" in html
    assert "integer (minimum 1; maximum 100; default 50)" in html
    assert 'href="/api/v1/openapi.json"' in html


def test_the_page_loads_nothing_else_and_needs_no_script(client):
    html = client.get("/api/v1/docs").get_data(as_text=True)
    assert "<script" not in html and "style=" not in html
    assert not re.search(r'(src|href)="(https?:)?//', html)


def test_the_page_is_cacheable_and_speaks_english_too(client):
    first = client.get("/api/v1/docs")
    assert first.headers["ETag"] and "max-age" in first.headers["Cache-Control"]
    assert client.get("/api/v1/docs", headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    english = client.get("/api/v1/docs?lang=en").get_data(as_text=True)
    assert "Schemas" in english and "数据结构" not in english
