"""Browser tests in Debian's Chromium (pytest-playwright) against one live server per session.

Stories open pages through the `browse` factory: a phone-sized context, with or without
JavaScript. When a story fails, a screenshot and the HTML of each of its pages are kept
under test-artifacts/.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import require_service
from tests.e2e.support import CHROMIUM, CHROMIUM_ARGS, artifact_path, served
from tests.live import LiveServer

PHONE = {"width": 360, "height": 640}


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args) -> dict:
    require_service(CHROMIUM.exists(), f"Chromium ({CHROMIUM})")
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "headless": True,
            "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Iterator[LiveServer]:
    """The demo portal served by gunicorn for the whole browser session."""
    # Many stories file reports from one address: the abuse limits are tested elsewhere.
    # --preload: the app is imported once, not once per worker (a faster start on 2 cores).
    with served(tmp_path_factory.mktemp("e2e-site"), "e2e", workers=2,
                gunicorn_args=("--no-control-socket", "--preload"),
                REPORT_RATE_LIMIT="1000/hour", TRACK_RATE_LIMIT="1000/minute") as server:
        yield server


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.story_failed = report.failed
    return report


@pytest.fixture
def browse(browser, site, request):
    """Open a page as a person would: `browse(js=False, viewport=PHONE)`."""
    contexts = []

    def open_page(js: bool = True, viewport: dict | None = None, **context_args):
        context = browser.new_context(
            base_url=site.url, viewport=viewport or PHONE, java_script_enabled=js,
            locale="zh-CN", timezone_id="Asia/Shanghai", **context_args,
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    if getattr(request.node, "story_failed", False):
        for index, context in enumerate(contexts):
            for number, page in enumerate(context.pages):
                stem = f"-{index}-{number}"
                page.screenshot(path=str(artifact_path(request.node.nodeid, stem + ".png")),
                                full_page=True)
                artifact_path(request.node.nodeid, stem + ".html").write_text(page.content())
    for context in contexts:
        context.close()
