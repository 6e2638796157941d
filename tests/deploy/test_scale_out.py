"""Two gunicorn instances behind one nginx upstream share PostgreSQL and Redis: what one
instance does, the other sees (reports, receipts, sessions, rate limits, public pages)."""

from __future__ import annotations

import io
import os
import re
import time
from datetime import timedelta

from PIL import Image

from portal import clock
from portal.rules.calendar import TZ
from tests.deploy.http import Client, csrf_token

DAZHUANG = "990101001"
RECEIPT = re.compile(r'<p class="receipt" id="receipt">(\d{5}(?: \d{5}){4})</p>')
NOT_FOUND = "没有找到与这个回执码对应的举报"
PROXIED = {"X-Forwarded-For": "192.0.2.60"}  # what nginx would send for one visitor


def _photo(side: int) -> bytes:
    """A real JPEG of about side*side bytes (random pixels do not compress)."""
    out = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(out, "JPEG", quality=90)
    return out.getvalue()


def _file_report(visitor: Client, photos: list[bytes]) -> str:
    form = visitor.get(f"/report?township={DAZHUANG}")
    assert form.status == 200
    # The production stack runs on the system clock (it refuses ZAIGANG_CLOCK).
    seen = (clock.system_now().astimezone(TZ) - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    fields = {
        "csrf_token": csrf_token(form.text), "township": DAZHUANG, "cadre": "", "cadre_text": "",
        "category": "absent_workday", "observed_at": seen, "place": "镇政府二楼",
        "description": "上午十点到党政办办事，办公室锁着门，打电话也没人接。",
    }
    files = [("photos", f"IMG_{n}.jpg", "image/jpeg", data) for n, data in enumerate(photos)]
    response = visitor.post_multipart("/report", fields, files)
    assert response.status == 200, response.text[:2000]
    match = RECEIPT.search(response.text)
    assert match, response.text[:2000]
    return match.group(1)


def _track(visitor: Client, receipt: str, headers: dict | None = None):
    page = visitor.get("/track", **(headers or {}))
    return visitor.post_form("/track", {"csrf_token": csrf_token(page.text), "receipt": receipt},
                             headers=headers)


def _served_by(nginx, method_path: str, since: int) -> str:
    """The instance that served the newest `method_path` nginx passed on after offset `since`
    of its access log (a line nginx answered itself has no upstream). nginx writes the line
    after the response has gone out, so the client can be quicker than the log: wait a little."""
    deadline = time.monotonic() + 10
    while True:
        lines = [line for line in nginx.access_log()[since:].splitlines() if f'"{method_path}"' in line]
        served = [m.group(1) for line in reversed(lines)
                  if (m := re.search(r"upstream=(127\.0\.0\.1:\d+)", line))]
        if served:
            return served[0]
        assert time.monotonic() < deadline, (
            f"no {method_path} reached an instance:\n" + "\n".join(lines[-5:]))
        time.sleep(0.05)


def test_a_report_with_multi_megabyte_photos_passes_nginx_and_is_tracked_on_the_other_instance(
        production_stack):
    photos = [_photo(1900), _photo(1900)]
    assert sum(map(len, photos)) > 5 * 1024 * 1024
    since = len(production_stack.nginx.access_log())
    receipt = _file_report(production_stack.client("127.0.0.20"), photos)

    served = _served_by(production_stack.nginx, "POST /report", since)
    other = next(n for n, app in enumerate(production_stack.apps) if f"127.0.0.1:{app.port}" != served)
    status = _track(production_stack.direct(other), receipt, PROXIED)
    assert status.status == 200
    assert NOT_FOUND not in status.text
    assert "待受理" in status.text
    # The receipt appears in no log, and neither does the reporter's address.
    nginx = production_stack.nginx
    logs = nginx.access_log() + nginx.error_log() + production_stack.app_logs()
    assert receipt not in logs and receipt.replace(" ", "") not in logs
    assert "127.0.0.20" not in production_stack.nginx.access_log() + production_stack.app_logs()


def test_the_tracking_limit_is_counted_once_for_both_instances(production_stack):
    # TRACK_RATE_LIMIT is "10/minute;60/hour" with no wait per client address; nginx's address
    # for the client reaches each instance the same way.
    wrong = "00000 00000 00000 00000 00000"
    first, second = production_stack.direct(0), production_stack.direct(1)
    one_visitor = {"X-Forwarded-For": "192.0.2.61"}
    statuses = [_track(c, wrong, one_visitor).status for c in (first, second) * 5]
    assert statuses == [200] * 10
    assert _track(second, wrong, one_visitor).status == 429
    assert _track(first, wrong, one_visitor).status == 429


def test_a_staff_session_started_on_one_instance_is_valid_on_the_other(production_stack):
    first, second = production_stack.direct(0), production_stack.direct(1)
    page = first.get("/login")
    fields = {"csrf_token": csrf_token(page.text), "username": "clerk", "password": "demo-clerk-2026"}
    assert first.post_form("/login", fields).status in (302, 303)
    second.cookies = dict(first.cookies)
    account = second.get("/account")
    assert account.status == 200
    assert "clerk" in account.text


def _board(client: Client) -> dict:
    import json

    response = client.get(f"/api/v1/townships/{DAZHUANG}/board")
    assert response.status == 200
    return json.loads(response.body)


def test_a_board_change_on_one_instance_shows_on_the_other_with_a_new_etag(production_stack):
    clerk, reader = production_stack.direct(0), production_stack.direct(1)
    page = reader.get(f"/t/{DAZHUANG}")
    etag = page.header("ETag")
    assert page.status == 200 and etag
    assert reader.get(f"/t/{DAZHUANG}", **{"If-None-Match": etag}).status == 304
    api_etag = reader.get(f"/api/v1/townships/{DAZHUANG}/board").header("ETag")

    cadre = _board(reader)["cadres"][0]
    new_status = "meeting" if cadre["now"]["status"] != "meeting" else "trip"
    login = clerk.get("/login")
    clerk.post_form("/login", {"csrf_token": csrf_token(login.text), "username": "clerk",
                               "password": "demo-clerk-2026"})
    admin_page = clerk.get(f"/admin/t/{DAZHUANG}/board")
    assert admin_page.status == 200
    changed = clerk.post_form(f"/admin/t/{DAZHUANG}/board/set", {
        "csrf_token": csrf_token(admin_page.text), "cadre": cadre["id"], "status": new_status,
        "span": "today", "village": "",
    })
    assert changed.status in (302, 303)

    again = reader.get(f"/t/{DAZHUANG}", **{"If-None-Match": etag})
    assert again.status == 200
    assert again.header("ETag") not in (None, etag)
    assert reader.get(f"/api/v1/townships/{DAZHUANG}/board",
                      **{"If-None-Match": api_etag}).status == 200
    assert _board(reader)["cadres"][0]["now"]["status"] == new_status
    # And through nginx, whichever instance answers.
    visitor = production_stack.client("127.0.0.21")
    for _ in range(2):
        assert _board(visitor)["cadres"][0]["now"]["status"] == new_status
