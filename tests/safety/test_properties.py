"""Bad input: Hypothesis over every form field and API parameter that exists.

The forms are found by crawling every page as every role (tests/safety/forms.py), so a new
form is fuzzed as soon as a page shows it; the API parameters come from its OpenAPI
document. Whatever arrives (unicode, huge, empty, control characters, malformed dates and
codes, wrong types, broken files), the answer is never a 5xx, and a refused submission
writes nothing (the audit log aside: a failed login is worth a line).

Example counts: the `default` profile in `make test`, `audit` under `make audit`
(ZG_HYPOTHESIS_PROFILE=audit); Hypothesis keeps no example database in the tree.
"""

from __future__ import annotations

import io
import os
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.extensions import db
from tests import factories
from tests.report.photos import jpeg_with_gps, noise_jpeg, png_bomb
from tests.safety.conftest import client_as
from tests.safety.forms import Form, discover
from tests.safety.world import row_counts

# Examples per test: each example posts every form once (or queries every API path once).
EXAMPLES = 60 if os.environ.get("ZG_HYPOTHESIS_PROFILE") == "audit" else 4
# Never fuzzed: ends the session the other forms need.
SKIP_ENDPOINTS = {"auth.logout"}
MAY_CHANGE_ON_REFUSAL = {"audit_entry"}

CONTROL = st.text(alphabet=st.characters(codec="utf-8", categories=("Cc", "Cf", "Zl", "Zp", "Cs")),
                  max_size=20)
TEXT = st.one_of(
    st.text(max_size=300),
    CONTROL,
    st.just(""),
    st.sampled_from([
        "x" * 100_000, "中" * 20_000, "\x00", "' OR 1=1 --", "<script>alert(1)</script>",
        "${7*7}{{7*7}}", "../../etc/passwd", "%00", "\ufeff", "𠜎" * 50, "-1", "0", "1e309",
        "NaN", "2026-02-30T25:61", "2026-13-01", "9999-12-31T23:59:59+14:00",
        "0000-00-00", "1970-01-01T00:00", "990101001", "99010100", "9901010011", "true",
        "[]", "{}", "null", " " * 50,
    ]),
)
FILES = st.sampled_from([
    ("ok.jpg", jpeg_with_gps()), ("bomb.png", png_bomb()),
    ("truncated.jpg", jpeg_with_gps()[:300]), ("empty.jpg", b""),
    ("polyglot.jpg", jpeg_with_gps() + b"<script>alert(1)</script>PK\x03\x04"),
    ("page.html", b"<html><script>alert(1)</script></html>"), ("noise.bin", bytes(range(256)) * 8),
])


def _value(field) -> st.SearchStrategy:
    if field.kind in ("select", "radio", "checkbox") and field.options:
        return st.one_of(st.sampled_from(field.options), TEXT)
    if field.kind == "hidden":
        # Mostly keep the server's value (CSRF token, ids), sometimes break it.
        return st.one_of(st.just(field.value), st.just(field.value), TEXT)
    return TEXT


# A field left out entirely, sometimes (one time in ten).
_LEFT_OUT = object()


def _field(field) -> st.SearchStrategy:
    if field.kind == "file":
        return st.lists(FILES, max_size=2)
    return st.one_of(st.just(_LEFT_OUT), *([_value(field)] * 9))


def _payloads(forms: list[Form]) -> st.SearchStrategy:
    """One payload per form, drawn in a single draw: Hypothesis keeps timing records per draw,
    and a draw per field of some eighty forms makes its bookkeeping, not the test, the cost."""
    return st.tuples(*(st.fixed_dictionaries(
        {name: _field(field) for name, field in form.fields.items() if name != "csrf_token"})
        for form in forms))


def _payload(drawn: dict, form: Form) -> dict:
    """The drawn values as the test client posts them (files as fresh streams)."""
    payload = {}
    for name, value in drawn.items():
        if value is _LEFT_OUT:
            continue
        if form.fields[name].kind == "file":
            value = [(io.BytesIO(content), filename) for filename, content in value]
        payload[name] = value
    if "csrf_token" in form.fields:
        payload["csrf_token"] = form.fields["csrf_token"].value
    return payload


@pytest.fixture(scope="module")
def forms(world_app):
    app, world = world_app
    found = [f for f in discover(app, world, lambda role: client_as(app, role))
             if f.endpoint not in SKIP_ENDPOINTS]
    return found


def test_the_crawler_finds_the_forms_of_every_audience(forms):
    endpoints = {f.endpoint for f in forms}
    for expected in ("report.form", "report.track", "auth.login"):
        assert expected in endpoints, sorted(endpoints)


@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
          deadline=None, max_examples=EXAMPLES, database=None)
@given(data=st.data())
def test_every_form_answers_bad_input_without_a_5xx_and_a_refusal_writes_nothing(
        world_app, forms, data):
    app, _ = world_app
    problems = []
    for form, drawn in zip(forms, data.draw(_payloads(forms)), strict=True):
        client = client_as(app, form.role)
        # A fresh CSRF token for this client's session: the page is opened first.
        page = client.get(form.page)
        match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.get_data(as_text=True))
        page.close()
        payload = _payload(drawn, form)
        if match:
            payload["csrf_token"] = match.group(1)
        with app.app_context():
            before = row_counts()
        try:
            response = client.post(form.action, data=payload,
                                   content_type="multipart/form-data" if form.multipart else None)
        except Exception as error:  # noqa: BLE001 - a crash is the finding
            problems.append(f"{form.endpoint} as {form.role}: raised {error!r}")
            continue
        status = response.status_code
        response.close()
        if status >= 500:
            problems.append(f"{form.endpoint} as {form.role}: {status}")
        elif status >= 400:
            with app.app_context():
                after = row_counts()
            changed = {t for t in before if before[t] != after[t]} - MAY_CHANGE_ON_REFUSAL
            if changed:
                problems.append(f"{form.endpoint} as {form.role}: refused ({status}) but wrote "
                                f"{sorted(changed)}")
    assert not problems, "\n".join(problems)


API_VALUE = st.one_of(TEXT, st.integers(-10**12, 10**12).map(str), st.sampled_from(
    ["990101", "990101001", "2026-11", "2026-Q4", "2026-q5", "2026-02-29", "50", "101", "0"]))


@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None,
          max_examples=EXAMPLES * 5, database=None)
@given(data=st.data())
def test_every_api_parameter_answers_bad_input_with_json_and_no_5xx(world_app, data):
    app, _ = world_app
    client = app.test_client()
    spec = client.get("/api/v1/openapi.json").get_json()
    base = spec.get("servers", [{"url": "/api/v1"}])[0]["url"]
    problems = []
    for path, operations in spec["paths"].items():
        for parameters in (op.get("parameters", []) for op in operations.values()):
            url = path
            query = {}
            for parameter in parameters:
                value = data.draw(API_VALUE)
                if parameter["in"] == "path":
                    url = url.replace("{" + parameter["name"] + "}",
                                      re.sub(r"[/?#%]", "_", value) or "_")
                elif data.draw(st.booleans()):
                    query[parameter["name"]] = value
            response = client.get(base + url, query_string=query)
            status, mimetype = response.status_code, response.mimetype
            response.close()
            if status >= 500 or mimetype != "application/json":
                problems.append(f"GET {base}{url} {query}: {status} {mimetype}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(("name", "photo"), [
    ("bomb.png", png_bomb()),
    ("truncated.jpg", jpeg_with_gps()[:500]),
    ("polyglot.html.jpg", b"GIF89a/*<html><script>alert(1)</script></html>*/=1;"),
    ("oversize.jpg", None),
])
def test_a_bad_photo_is_refused_cleanly_and_the_report_is_not_written(app, name, photo):
    with app.app_context():
        code = factories.township(name="照片镇").code
        db.session.commit()
    if photo is None:
        photo = noise_jpeg(app.config["MAX_PHOTO_BYTES"] + 1024)
    client = app.test_client()
    page = client.get(f"/report?township={code}")
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.get_data(as_text=True))
    page.close()
    with app.app_context():
        before = row_counts()
    response = client.post("/report", content_type="multipart/form-data", data={
        "csrf_token": token.group(1), "township": code,
        "category": "absent_workday", "observed_at": "2026-11-20T10:00",
        "description": "工作日上午镇政府办公室没有人值守，电话也无人接听。",
        "confirm_identity": "y", "photos": [(io.BytesIO(photo), name)],
    })
    body = response.get_data(as_text=True)
    response.close()
    with app.app_context():
        after = row_counts()
    assert response.status_code in (400, 413)
    assert "照片" in body  # the reporter is told what was wrong with the photo
    assert before == after
