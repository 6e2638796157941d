"""`make run`'s pieces work end to end: migrate, seed, serve under gunicorn."""

from __future__ import annotations

import json
import urllib.request

from tests.live import live_server


def test_gunicorn_serves_the_demo_home_page_and_health(tmp_path):
    with live_server(tmp_path / "inst", workers=1) as server:
        with urllib.request.urlopen(server.url + "/") as response:  # noqa: S310
            html = response.read().decode()
        assert "大庄镇" in html and 'lang="zh-CN"' in html
        with urllib.request.urlopen(server.url + "/healthz") as response:  # noqa: S310
            assert json.loads(response.read()) == {"ok": True, "database": True}
