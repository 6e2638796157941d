"""The screenshots of the guides and the README, taken in Chromium from the demo data.

Every run takes them all (so every documented screen must still render, at a phone size
without sideways scrolling) into test-artifacts/screenshots/. `make screenshots` (which sets
ZAIGANG_UPDATE_SCREENSHOTS=1) also writes them to docs/screenshots/, where they are
committed. The test fails when docs/screenshots/ and the list below disagree, or when the
guides link a screenshot that does not exist.
"""

from __future__ import annotations

import io
import os
import re
from datetime import timedelta

import pyotp
import pytest
from PIL import Image

from portal import clock
from portal.config import ROOT
from portal.demo.base import DEMO_USERS
from tests.e2e.conftest import browser_type_launch_args  # noqa: F401 - Debian's Chromium
from tests.e2e.support import ARTIFACTS, served

pytestmark = pytest.mark.e2e

DOCS = ROOT / "docs"
SHOTS = DOCS / "screenshots"
PHONE = {"width": 360, "height": 640}
DESKTOP = {"width": 1280, "height": 800}
MAX_BYTES = 150 * 1024
DAZHUANG = "990101001"
UPDATE = os.environ.get("ZAIGANG_UPDATE_SCREENSHOTS") == "1"
# name: (viewport, what it shows)
SCREENS = {
    "phone-home": (PHONE, "finding a township"),
    "phone-board": (PHONE, "a township's whereabouts board"),
    "phone-roster": (PHONE, "the duty roster"),
    "phone-report": (PHONE, "the report form"),
    "phone-receipt": (PHONE, "the receipt code after reporting"),
    "phone-track": (PHONE, "following a report with the receipt"),
    "desktop-poster": (DESKTOP, "the township poster"),
    "desktop-review-queue": (DESKTOP, "the inspector's review queue"),
    "desktop-review-report": (DESKTOP, "one report under review"),
    "desktop-admin-board": (DESKTOP, "the clerk's whereabouts board"),
    "desktop-admin-roster": (DESKTOP, "the clerk's duty roster"),
    "desktop-stats": (DESKTOP, "public statistics"),
}


def _login(user: str) -> dict:
    row = next(r for r in DEMO_USERS if r[0] == user)
    return {"username": row[0], "password": row[3], "secret": row[4]}


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory):
    with served(tmp_path_factory.mktemp("screens"), "screens", workers=2) as server:
        yield server


class Camera:
    def __init__(self) -> None:
        self.taken: dict[str, bytes] = {}

    def shoot(self, page, name: str) -> None:
        viewport, _ = SCREENS[name]
        assert page.viewport_size == viewport
        if viewport == PHONE:
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"], f"{page.url} is {width}px wide on a phone"
        png = page.screenshot(full_page=False, animations="disabled")
        self.taken[name] = _small_png(png)


def _small_png(png: bytes) -> bytes:
    """Palette PNG at device scale 1: text and flat colours survive, the size drops."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    for colours in (256, 128, 64, 32):
        out = io.BytesIO()
        image.quantize(colors=colours, method=Image.Quantize.MEDIANCUT).save(out, "PNG", optimize=True)
        if out.tell() <= MAX_BYTES:
            return out.getvalue()
    return out.getvalue()


def _context(browser, site, viewport):
    return browser.new_context(base_url=site.url, viewport=viewport, device_scale_factor=1,
                               locale="zh-CN", timezone_id="Asia/Shanghai", java_script_enabled=False)


def _staff_page(browser, site, user: str):
    context = _context(browser, site, DESKTOP)
    page = context.new_page()
    account = _login(user)
    page.goto("/login")
    page.fill("#username", account["username"])
    page.fill("#password", account["password"])
    if account["secret"]:
        page.fill("#totp", pyotp.TOTP(account["secret"]).now())
    page.locator("form.login [type=submit]").click()
    page.wait_for_load_state()
    assert "/login" not in page.url, page.content()[:2000]
    return context, page


def _public_screens(browser, site, camera: Camera) -> None:
    context = _context(browser, site, PHONE)
    page = context.new_page()
    page.goto("/?q=dzz")
    camera.shoot(page, "phone-home")
    page.goto(f"/t/{DAZHUANG}")
    camera.shoot(page, "phone-board")
    page.goto(f"/t/{DAZHUANG}/roster")
    camera.shoot(page, "phone-roster")
    page.goto(f"/report?township={DAZHUANG}")
    camera.shoot(page, "phone-report")
    # A cadre from the roster: the inspector's page then shows the cross-check.
    page.select_option("[name=cadre]", index=1)
    page.select_option("[name=category]", "absent_workday")
    seen = (clock.local_now() - timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    page.fill("[name=observed_at]", seen)
    page.fill("[name=place]", "镇政府二楼党政办")
    page.fill("textarea[name=description]", "上午十点到党政办办事，办公室锁着门，打电话也没人接。")
    page.locator("form [type=submit]").last.click()
    page.wait_for_load_state()
    receipt = page.locator("#receipt").inner_text()
    assert re.fullmatch(r"\d{5}( \d{5}){4}", receipt)
    camera.shoot(page, "phone-receipt")
    page.goto("/track")
    page.fill("[name=receipt]", receipt)
    page.locator("form [type=submit]").first.click()
    page.wait_for_load_state()
    camera.shoot(page, "phone-track")
    context.close()

    context = _context(browser, site, DESKTOP)
    page = context.new_page()
    page.goto(f"/t/{DAZHUANG}/poster")
    camera.shoot(page, "desktop-poster")
    page.goto("/stats")
    camera.shoot(page, "desktop-stats")
    context.close()


def _staff_screens(browser, site, camera: Camera) -> None:
    context, page = _staff_page(browser, site, "inspector")
    page.goto("/review")
    camera.shoot(page, "desktop-review-queue")
    first = page.locator("a[href^='/review/']").first
    first.click()
    page.wait_for_load_state()
    camera.shoot(page, "desktop-review-report")
    context.close()

    context, page = _staff_page(browser, site, "clerk")
    page.goto(f"/admin/t/{DAZHUANG}/board")
    camera.shoot(page, "desktop-admin-board")
    page.goto(f"/admin/t/{DAZHUANG}/roster")
    camera.shoot(page, "desktop-admin-roster")
    context.close()


def _has_chinese_font() -> bool:
    import shutil
    import subprocess

    if shutil.which("fc-list") is None:
        return False
    found = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True, check=False)
    return bool(found.stdout.strip())


def test_the_documented_screens_render_and_the_committed_screenshots_match(browser, demo_site):
    if UPDATE:
        # Without one, Chinese text renders as boxes: fine for the checks, not for the guides.
        assert _has_chinese_font(), "install a Chinese font first: apt-get install fonts-noto-cjk"
    camera = Camera()
    _public_screens(browser, demo_site, camera)
    _staff_screens(browser, demo_site, camera)
    assert set(camera.taken) == set(SCREENS)

    out = ARTIFACTS / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    for name, png in camera.taken.items():
        (out / f"{name}.png").write_bytes(png)
        if UPDATE:
            SHOTS.mkdir(exist_ok=True)
            (SHOTS / f"{name}.png").write_bytes(png)

    committed = {p.stem: p for p in SHOTS.glob("*.png")}
    assert set(committed) == set(SCREENS), "run `make screenshots` and commit docs/screenshots/"
    for name, path in committed.items():
        with Image.open(path) as image:
            size = image.size
        viewport = SCREENS[name][0]
        assert size == (viewport["width"], viewport["height"]), name
        assert path.stat().st_size <= MAX_BYTES, f"{name}.png is over {MAX_BYTES} bytes"


def test_every_screenshot_is_shown_by_a_guide_and_exists():
    pages = [ROOT / "README.md", *DOCS.glob("*.md")]
    linked = set()
    for page in pages:
        linked |= set(re.findall(r"screenshots/([\w-]+)\.png", page.read_text()))
    assert linked == set(SCREENS), "every screenshot is shown by a guide, and only these"
    assert all((SHOTS / f"{name}.png").exists() for name in linked)
