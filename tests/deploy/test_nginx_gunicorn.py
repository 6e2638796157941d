"""nginx (deploy/nginx/) in front of two gunicorn instances (deploy/gunicorn.conf.py), on
PostgreSQL with Redis rate limits: what passes through, what is limited, what is logged."""

from __future__ import annotations

import re
import subprocess

import pytest

from portal.config import Config
from tests.deploy import stack
from tests.deploy.http import Client, csrf_token

FORGED = "10.9.8.7"
MB = 1024 * 1024


def _stylesheet(html: str) -> str:
    match = re.search(r'<link rel="stylesheet" href="([^"]+)"', html)
    assert match
    return match.group(1).replace("&amp;", "&")


def _upstreams_in(log: str) -> set[str]:
    return set(re.findall(r"upstream=(127\.0\.0\.1:\d+)", log))


def test_nginx_accepts_the_shipped_site_as_is_and_with_tls(nginx_binary, tmp_path):
    cert, key = stack.self_signed_certificate(tmp_path)
    for name, tls in (("plain", None), ("tls", {"port": 8443, "cert": cert, "key": key})):
        folder = tmp_path / name
        site = stack.render_site(folder, port=8080, upstreams=["127.0.0.1:8000"], tls=tls)
        conf = stack.main_config(folder, site)
        result = subprocess.run(stack.nginx_command(nginx_binary, folder, conf, "-t"),
                                capture_output=True, text=True, check=False)
        assert result.returncode == 0, result.stderr
        assert "syntax is ok" in result.stderr


def test_nginx_body_limit_is_the_apps_request_limit():
    snippet = stack.NGINX_APP.read_text()
    size = re.search(r"^client_max_body_size (\d+)m;", snippet, re.MULTILINE)
    assert size, "client_max_body_size is not set in MB"
    assert int(size.group(1)) * MB == Config.UPLOAD_READ_LIMIT


def test_pages_pass_through_and_static_files_come_from_nginx(production_stack):
    visitor = production_stack.client("127.0.0.2")
    page = visitor.get("/")
    assert page.status == 200
    assert "Content-Security-Policy" in page.headers  # the app's own response
    css_url = _stylesheet(page.text)
    assert re.fullmatch(r"/static/site\.css\?v=[0-9a-f]{12}", css_url)

    css = visitor.get(css_url)
    assert css.status == 200
    assert css.header("Cache-Control") == "public, max-age=31536000, immutable"
    assert css.header("Content-Type").startswith("text/css")
    assert css.header("X-Content-Type-Options") == "nosniff"
    assert css.header("Content-Security-Policy") is None  # not proxied: served from disk
    bare = visitor.get("/static/site.css")
    assert bare.header("Cache-Control") == "public, max-age=3600"
    assert "/static/" not in production_stack.app_logs()


def test_a_body_over_the_apps_limit_stops_at_nginx(production_stack):
    # The pass-through of a multi-MB report is in test_scale_out.py.
    visitor = production_stack.client("127.0.0.5")
    too_big = visitor.request("POST", "/report", body=b"\0" * (101 * MB),
                              headers={"Content-Type": "application/octet-stream"})
    assert too_big.status == 413
    assert too_big.header("Server") == "nginx"
    assert "Content-Security-Policy" not in too_big.headers  # the app never saw it
    assert '"POST /report" 413' not in production_stack.app_logs()


def _track(visitor: Client, headers: dict | None = None) -> int:
    page = visitor.get("/track", **(headers or {}))
    fields = {"csrf_token": csrf_token(page.text), "receipt": "00000 00000 00000 00000 00000"}
    return visitor.post_form("/track", fields, headers=headers).status


def test_rate_limits_key_on_the_address_nginx_saw(production_stack):
    attacker = production_stack.client("127.0.0.2")
    # TRACK_RATE_LIMIT is "10/minute;60/hour" with no wait: each look-up counts, with a new
    # forged address each time; over it, a look-up straight after opening the form must wait (429).
    statuses = [_track(attacker, {"X-Forwarded-For": f"10.0.0.{n}"}) for n in range(10)]
    assert statuses == [200] * 10
    assert _track(attacker) == 429
    # A forged X-Forwarded-For does not give the limited client a new address ...
    assert _track(attacker, {"X-Forwarded-For": FORGED}) == 429
    # ... nor does it let another client borrow the limited one's address.
    other = production_stack.client("127.0.0.3")
    assert _track(other, {"X-Forwarded-For": "127.0.0.2"}) == 200


def test_nginx_spreads_requests_over_both_instances(production_stack):
    visitor = production_stack.client("127.0.0.4")
    for _ in range(4):
        assert visitor.get("/").status == 200
    assert _upstreams_in(production_stack.nginx.access_log()) == {
        f"127.0.0.1:{app.port}" for app in production_stack.apps
    }


def test_access_logs_hold_no_client_address_and_no_visit_token(production_stack):
    visitor = production_stack.client("127.0.0.6")
    forged = {"X-Forwarded-For": FORGED, "User-Agent": "ZaigangTestAgent/1.0"}
    token = "visit-token-" + "s" * 20
    for path in ("/", f"/v/{token}", "/report", "/track?receipt=12345", "/login"):
        visitor.get(path, **forged)
    logs = production_stack.nginx.access_log() + production_stack.app_logs()
    assert '"GET /v/-"' in production_stack.nginx.access_log()
    assert "/v/-" in production_stack.app_logs()
    for secret in ("127.0.0.6", FORGED, "ZaigangTestAgent", token, "12345"):
        assert secret not in logs


def test_the_report_routes_leave_no_client_address_in_the_nginx_error_log(production_stack):
    error_log = production_stack.nginx.error_log
    # nginx names the client in every request error: an over-size body on an ordinary page ...
    production_stack.client("127.0.0.7").request("POST", "/", body=b"\0" * (101 * MB))
    assert "client: 127.0.0.7" in error_log()
    # ... but not on the anonymous routes.
    for source, path in (("127.0.0.8", "/report"), ("127.0.0.9", "/track"), ("127.0.0.10", "/v/x")):
        response = production_stack.client(source).request("POST", path, body=b"\0" * (101 * MB))
        assert response.status == 413
        assert source not in error_log()
        assert source not in production_stack.nginx.access_log()


@pytest.fixture
def tls_proxy(production_stack, tmp_path):
    cert, key = stack.self_signed_certificate(tmp_path)
    tls = {"port": stack.free_port(), "cert": cert, "key": key}
    upstreams = [f"127.0.0.1:{app.port}" for app in production_stack.apps]
    binary = production_stack.nginx_binary
    with stack.nginx(binary, tmp_path / "nginx", upstreams=upstreams, tls=tls) as proxy:
        yield proxy, f"https://127.0.0.1:{tls['port']}"


def test_with_tls_on_http_redirects_and_https_carries_hsts_once(tls_proxy):
    proxy, https_url = tls_proxy
    plain = Client(proxy.url)
    redirect = plain.get("/t/990101001?x=1")
    assert redirect.status == 301
    assert redirect.header("Location").startswith("https://")
    assert redirect.header("Location").endswith("/t/990101001?x=1")
    # ACME http-01 challenges are answered on plain HTTP, never redirected.
    assert plain.get("/.well-known/acme-challenge/abc").status == 404

    secure = Client(https_url)
    page = secure.get("/")
    assert page.status == 200
    # The app saw https through X-Forwarded-Proto: it sends HSTS (and only it does).
    assert page.headers.get_all("Strict-Transport-Security") == ["max-age=63072000; includeSubDomains"]
    css = secure.get(_stylesheet(page.text))
    assert css.headers.get_all("Strict-Transport-Security") == ["max-age=63072000; includeSubDomains"]
