"""Every route answers with the security headers of PRODUCT.md and portal/security.py.

The checks are the scoring rules of the Mozilla HTTP Observatory (listed in
docs/security.md); a route added by any area is covered through `app.url_map`.
"""

from __future__ import annotations

import re
from http.cookies import SimpleCookie

from portal import create_app
from portal.config import ProductionConfig
from tests.safety.conftest import client_as
from tests.safety.world import ROLES, is_staff, routes

SIX_MONTHS = 15_768_000
EXTERNAL = re.compile(r"""(?:src|href|action|srcset)\s*=\s*["']?\s*(?:https?:)?//([^/"'\s>]*)""", re.I)
# The portal's own absolute URLs (a print-out shows the full address) are not third-party.
OWN_HOSTS = {"localhost"}


def _csp(value: str) -> dict[str, list[str]]:
    directives = {}
    for part in value.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = words[1:]
    return directives


def csp_problems(value: str) -> list[str]:
    """What the Observatory would penalise in a Content-Security-Policy."""
    problems = []
    csp = _csp(value)
    if not csp:
        return ["no Content-Security-Policy"]
    script = csp.get("script-src", csp.get("default-src", []))
    style = csp.get("style-src", csp.get("default-src", []))
    for name, sources in (("script-src", script), ("style-src", style)):
        bad = {"'unsafe-inline'", "'unsafe-eval'", "*", "http:", "https:", "data:"} & set(sources)
        if bad:
            problems.append(f"CSP {name} allows {sorted(bad)}")
    if csp.get("object-src") != ["'none'"] and csp.get("default-src") != ["'none'"]:
        problems.append("CSP does not set object-src 'none'")
    if csp.get("frame-ancestors") not in (["'none'"], ["'self'"]):
        problems.append("CSP has no frame-ancestors")
    if csp.get("base-uri") not in (["'none'"], ["'self'"]):
        problems.append("CSP has no base-uri")
    if "form-action" not in csp:
        problems.append("CSP has no form-action")
    return problems


def header_problems(headers, https: bool = False) -> list[str]:
    """What the Observatory would penalise in these response headers."""
    problems = csp_problems(headers.get("Content-Security-Policy", ""))
    if headers.get("X-Content-Type-Options") != "nosniff":
        problems.append("X-Content-Type-Options is not nosniff")
    if headers.get("X-Frame-Options") not in ("DENY", "SAMEORIGIN"):
        problems.append("X-Frame-Options missing")
    if headers.get("Referrer-Policy") not in (
        "no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin"
    ):
        problems.append(f"Referrer-Policy {headers.get('Referrer-Policy')!r}")
    if headers.get("Access-Control-Allow-Credentials") or headers.get(
        "Access-Control-Allow-Origin", ""
    ) not in ("", "*"):
        problems.append("CORS grants another origin access")
    if https:
        hsts = headers.get("Strict-Transport-Security", "")
        match = re.search(r"max-age=(\d+)", hsts)
        if not match or int(match.group(1)) < SIX_MONTHS:
            problems.append(f"HSTS {hsts!r} shorter than six months")
    return problems


def cookie_problems(set_cookies: list[str], secure: bool) -> list[str]:
    problems = []
    for raw in set_cookies:
        cookie = SimpleCookie()
        cookie.load(raw)
        for name, morsel in cookie.items():
            if not morsel["httponly"]:
                problems.append(f"cookie {name} without HttpOnly")
            if morsel["samesite"].lower() not in ("lax", "strict"):
                problems.append(f"cookie {name} without SameSite")
            if secure and not morsel["secure"]:
                problems.append(f"cookie {name} without Secure")
    return problems


def _walk(app, world, role: str, base_url: str = "http://localhost"):
    client = client_as(app, role)
    for rule in routes(app, "GET"):
        url = world.url(rule)
        try:
            response = client.get(url, base_url=base_url)
        except Exception:  # noqa: BLE001, S112 - a crashing view is the matrix test's finding
            continue
        body = response.get_data(as_text=True) if response.mimetype == "text/html" else ""
        response.close()
        yield rule, url, response, body


def test_every_get_route_for_every_role_carries_the_security_headers(world_app):
    app, world = world_app
    problems = []
    for role in ROLES:
        for rule, url, response, body in _walk(app, world, role):
            where = f"GET {url} as {role} ({response.status_code})"
            problems += [f"{where}: {p}" for p in header_problems(response.headers)]
            problems += [f"{where}: {p}" for p in cookie_problems(
                response.headers.getlist("Set-Cookie"), secure=False)]
            staff = is_staff(rule) or rule.endpoint.startswith("auth.")
            if staff and "no-store" not in response.headers.get("Cache-Control", ""):
                problems.append(f"{where}: a staff page without Cache-Control: no-store")
            if {host.lower() for host in EXTERNAL.findall(body)} - OWN_HOSTS:
                problems.append(f"{where}: loads or links a third-party resource")
    assert not problems, "\n".join(problems)


def test_over_https_every_route_sends_hsts_and_only_secure_cookies(world_app, tmp_path):
    app, world = world_app
    config = ProductionConfig()
    config.SECRET_KEY = "p" * 40
    config.AUDIT_KEY = "q" * 40
    config.PUBLIC_URL = "https://localhost"
    config.SQLALCHEMY_DATABASE_URI = app.config["SQLALCHEMY_DATABASE_URI"]
    config.INSTANCE_PATH = str(tmp_path)
    config.EVIDENCE_DIR = str(tmp_path / "evidence")
    config.RATELIMIT_ENABLED = False
    config.RATELIMIT_STORAGE_URI = app.config["RATELIMIT_STORAGE_URI"]
    production = create_app(config)
    assert production.config["SESSION_COOKIE_SECURE"] is True
    problems = []
    for role in ("anonymous", "inspector"):
        for _rule, url, response, _body in _walk(production, world, role, "https://localhost"):
            where = f"GET {url} as {role} ({response.status_code})"
            problems += [f"{where}: {p}" for p in header_problems(response.headers, https=True)]
            problems += [f"{where}: {p}" for p in cookie_problems(
                response.headers.getlist("Set-Cookie"), secure=True)]
            location = response.headers.get("Location", "")
            if location.startswith("http://"):
                problems.append(f"{where}: redirects from HTTPS to HTTP ({location})")
    assert not problems, "\n".join(problems)


def test_the_session_cookie_of_a_form_page_is_httponly_and_samesite(world_app):
    """A page with a form starts a session (its CSRF token): the cookie must be locked down."""
    app, world = world_app
    client = app.test_client()
    cookies = []
    for rule in routes(app, "GET"):
        if rule.endpoint == "static" or rule.arguments:
            continue
        response = client.get(rule.rule)
        cookies += response.headers.getlist("Set-Cookie")
        response.close()
    session = [c for c in cookies if c.startswith(app.config["SESSION_COOKIE_NAME"] + "=")]
    assert session, "no public page set a session cookie (no form carries a CSRF token?)"
    assert not cookie_problems(session, secure=False)


def test_the_rules_catch_a_weak_policy():
    """The checker itself: a page without protections fails every rule it should."""
    weak = {"Content-Security-Policy": "default-src *; script-src 'self' 'unsafe-inline'"}
    found = " ".join(header_problems(weak, https=True))
    for rule in ("unsafe-inline", "object-src", "frame-ancestors", "nosniff", "X-Frame-Options",
                 "Referrer-Policy", "HSTS"):
        assert rule in found
    assert cookie_problems(["zg_session=abc; Path=/"], secure=True) == [
        "cookie zg_session without HttpOnly", "cookie zg_session without SameSite",
        "cookie zg_session without Secure",
    ]
