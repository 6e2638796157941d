"""Browser fixtures for the public-side stories: Debian's Chromium against the demo portal."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import require_service
from tests.e2e.support import CHROMIUM, CHROMIUM_ARGS, served
from tests.live import LiveServer


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args) -> dict:
    require_service(CHROMIUM.exists(), f"Chromium ({CHROMIUM})")
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "headless": True,
            "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def public_site(tmp_path_factory) -> Iterator[LiveServer]:
    """The demo portal served by gunicorn, for the public-side stories."""
    with served(tmp_path_factory.mktemp("public-site"), "public", workers=2) as server:
        yield server
