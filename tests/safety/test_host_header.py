"""Links never come from the request's Host header (issue: Host header injection).

A forged `Host: evil.example` used to be echoed into the poster's QR codes, the notices'
printed address and every event of roster.ics, and, through the page and HTTP caches, served
to every later visitor. Absolute links are now built from PUBLIC_URL alone; every GET route
of the URL map is walked with a forged Host, as a visitor and as staff.
"""

from __future__ import annotations

import re

import pytest

from portal import create_app
from portal.config import ProductionConfig
from portal.security import ConfigurationError
from tests.safety.conftest import client_as
from tests.safety.world import routes

EVIL = "evil.example"
FORGED = {"Host": EVIL, "X-Forwarded-Host": EVIL, "Forwarded": f"host={EVIL}"}


def _text(response) -> str:
    if response.mimetype.startswith(("text/", "application/json", "image/svg")):
        return response.get_data(as_text=True)
    return ""


def _forged_get(client, url: str):
    return client.get(url, headers=FORGED, base_url=f"http://{EVIL}")


@pytest.mark.parametrize("page", ["poster", "roster", "roster.ics", "notice", "cadre.ics"])
def test_a_forged_host_reaches_no_absolute_link(world_app, page):
    app, world = world_app
    code = world.inside.township_code
    client = app.test_client()
    urls = {
        "poster": f"/t/{code}/poster",
        "roster": f"/t/{code}/roster",
        "roster.ics": f"/t/{code}/roster.ics",
        "notice": f"/t/{code}/notices/{world.inside.values['month']}",
    }
    if page == "cadre.ics":
        roster = client.get(f"/t/{code}/roster").get_data(as_text=True)
        urls[page] = re.search(r'href="(/t/\d+/cadres/\w+/duty\.ics)"', roster).group(1)
    forged = _forged_get(client, urls[page])
    assert forged.status_code == 200, urls[page]
    body = _text(forged)
    assert EVIL not in body
    assert "http://localhost/" in body or "webcal://localhost/" in body
    # The page caches (HTTP ETag, rendered pages) then hold the honest page for everyone.
    honest = client.get(urls[page])
    assert EVIL not in _text(honest)


def test_the_poster_qr_codes_encode_the_public_address(world_app):
    import segno

    app, world = world_app
    code = world.inside.township_code
    html = _forged_get(app.test_client(), f"/t/{code}/poster").get_data(as_text=True)
    for url in (f"http://localhost/t/{code}", f"http://localhost/report?township={code}"):
        path = segno.make(url, error="m").svg_inline(scale=4, omitsize=True).split(' d="')[1]
        assert path.split('"')[0] in html


@pytest.mark.parametrize("role", ["anonymous", "clerk", "inspector"])
def test_no_get_route_echoes_a_forged_host(world_app, role):
    app, world = world_app
    client = client_as(app, role)
    echoed = []
    for rule in routes(app, "GET"):
        url = world.url(rule)
        response = _forged_get(client, url)
        where = f"GET {url} as {role} ({response.status_code})"
        if EVIL in response.headers.get("Location", ""):
            echoed.append(f"{where}: Location {response.headers['Location']}")
        if EVIL in _text(response):
            echoed.append(f"{where}: body")
        response.close()
    assert not echoed, "\n".join(echoed)


def test_links_follow_a_public_url_with_a_path_prefix(world_app, tmp_path):
    app, world = world_app
    prefixed = create_app({**_config_of(app, tmp_path), "PUBLIC_URL": "https://gov.example.cn/zaigang/"})
    code = world.inside.township_code
    body = prefixed.test_client().get(f"/t/{code}/roster.ics", headers=FORGED).get_data(as_text=True)
    assert f"https://gov.example.cn/zaigang/t/{code}/roster" in body and EVIL not in body


def _config_of(app, tmp_path) -> dict:
    keys = ("SQLALCHEMY_DATABASE_URI", "RATELIMIT_STORAGE_URI", "SECRET_KEY")
    return {**{k: app.config[k] for k in keys}, "TESTING": True, "RATELIMIT_ENABLED": False,
            "INSTANCE_PATH": str(tmp_path), "EVIDENCE_DIR": str(tmp_path / "evidence")}


@pytest.mark.parametrize("value", ["", "evil.example", "ftp://x.example", "https://", "https://x.example/?a=1",
                                   "https://user@x.example", "https://x.example:99999"])
def test_production_refuses_a_missing_or_malformed_public_url(value, tmp_path):
    config = ProductionConfig()
    config.SECRET_KEY = "p" * 40
    config.AUDIT_KEY = "q" * 40
    config.PUBLIC_URL = value
    config.INSTANCE_PATH = str(tmp_path)
    config.SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path}/p.sqlite3"
    with pytest.raises(ConfigurationError, match="PUBLIC_URL"):
        create_app(config)
