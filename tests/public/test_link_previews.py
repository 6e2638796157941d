"""What browsers, crawlers and chat apps fetch beside the pages: icon, robots.txt, previews."""

from __future__ import annotations

import html as html_lib
import re

import pytest

from portal.config import ROOT
from portal.extensions import db
from tests.public.helpers import township_with_cadres


def _meta(page: str, attribute: str, name: str) -> str | None:
    found = re.search(rf'<meta {attribute}="{re.escape(name)}" content="([^"]*)"', page)
    return html_lib.unescape(found.group(1)) if found else None


def test_the_icon_answers_at_the_root_and_each_page_names_it(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.data[:4] == b"\x00\x00\x01\x00"  # an ICO file's header
    assert response.data == (ROOT / "static" / "favicon.ico").read_bytes()
    response.close()
    page = client.get("/").get_data(as_text=True)
    svg = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', page).group(1)
    icon = client.get(svg)
    assert icon.status_code == 200 and b"<svg" in icon.data and b"<script" not in icon.data
    icon.close()


def test_robots_allow_the_public_pages_and_keep_crawlers_off_staff_paths(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    lines = response.get_data(as_text=True).splitlines()
    assert lines[:2] == ["User-agent: *", "Allow: /"]
    disallowed = {line.split(": ", 1)[1] for line in lines if line.startswith("Disallow")}
    assert {"/login", "/review", "/admin", "/v/"} <= disallowed
    for public in ("/t/", "/report", "/track", "/stats", "/api/"):
        assert not any(public.startswith(path) for path in disallowed)


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_public_pages_describe_themselves_for_link_previews(app, client, lang):
    with app.app_context():
        township, *_ = township_with_cadres(2)
        db.session.commit()
        code, name = township.code, township.name
    descriptions = set()
    for url in ("/", f"/t/{code}", f"/t/{code}/roster", f"/t/{code}/poster", "/report",
                "/track", "/stats"):
        page = client.get(f"{url}?lang={lang}").get_data(as_text=True)
        description = _meta(page, "name", "description")
        assert description and len(description) > 10, url
        assert _meta(page, "property", "og:description") == description, url
        title = _meta(page, "property", "og:title")
        assert title and title in html_lib.unescape(page.split("<title>")[1]), url
        descriptions.add(description)
        if url.startswith("/t/"):
            assert name in title and name in description, url
    assert len(descriptions) >= 5  # each kind of page says what it is
    if lang == "en":
        assert all(not re.search(r"[\u4e00-\u9fff]{3}", d.replace(name, "")) for d in descriptions)
