"""Fingerprinted static URLs: a changed file gets a new URL, and only the current one is immutable."""

from __future__ import annotations

import hashlib
import re

from portal.assets import IMMUTABLE, Fingerprints
from portal.config import ROOT


def _stylesheet_href(html: str) -> str:
    match = re.search(r'<link rel="stylesheet" href="([^"]+)"', html)
    assert match, "the page links no stylesheet"
    return match.group(1).replace("&amp;", "&")


def test_pages_link_the_stylesheet_with_its_content_hash(client):
    href = _stylesheet_href(client.get("/").get_data(as_text=True))
    expected = hashlib.sha256((ROOT / "static" / "site.css").read_bytes()).hexdigest()[:12]
    assert href == f"/static/site.css?v={expected}"


def test_the_fingerprinted_stylesheet_is_cached_for_a_year(client):
    href = _stylesheet_href(client.get("/").get_data(as_text=True))
    response = client.get(href)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == IMMUTABLE
    assert b"{" in response.data
    response.close()


def test_a_stale_or_missing_fingerprint_is_not_pinned(client):
    for href in ("/static/site.css?v=000000000000", "/static/site.css"):
        response = client.get(href)
        assert response.status_code == 200
        assert "immutable" not in response.headers.get("Cache-Control", "")
        response.close()


def test_a_changed_file_gets_a_new_fingerprint_and_a_missing_one_none(tmp_path):
    (tmp_path / "a.css").write_text("body{color:red}")
    first = Fingerprints(tmp_path).get("a.css")
    (tmp_path / "a.css").write_text("body{color:blue}")
    assert Fingerprints(tmp_path).get("a.css") not in (None, first)
    assert Fingerprints(tmp_path).get("missing.css") is None
    # A path that leaves the static folder is never read.
    (tmp_path / "static").mkdir()
    assert Fingerprints(tmp_path / "static").get("../a.css") is None
