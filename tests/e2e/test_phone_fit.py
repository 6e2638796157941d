"""At 360 px, with JavaScript on and off: nothing scrolls sideways, in Chinese and in English.

The pages are every public HTML page of the URL contract (`public_pages`, filled from the
demo data of the live server), the roster's week and month views, and the pages behind a
token with a token that opens nothing.
"""

from __future__ import annotations

import pytest

from tests.e2e.conftest import PHONE
from tests.e2e.test_accessibility import public_pages

pytestmark = pytest.mark.e2e
JS = pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
EXTRA = ["/t/990101001/roster?week=2026-W50", "/t/990101001/roster?month=2026-12",
         "/v/" + "x" * 24, "/stats?period=2026-Q4"]


def _with_lang(url: str, lang: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}lang={lang}"


@JS
def test_no_public_page_is_wider_than_a_phone(browse, site, js):
    page = browse(js=js)
    wide, checked = [], 0
    for url in public_pages(site) + EXTRA:
        for lang in ("zh_CN", "en"):
            response = page.goto(_with_lang(url, lang))
            if "text/html" not in response.headers.get("content-type", ""):
                break
            checked += 1
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > PHONE["width"]:
                culprits = page.evaluate(
                    "[...document.querySelectorAll('body *')].filter(e => "
                    "e.getBoundingClientRect().right > 361).slice(-3)"
                    ".map(e => e.tagName + '.' + e.className + ' ' + "
                    "Math.round(e.getBoundingClientRect().right))")
                wide.append(f"{url} ({lang}): {width}px {culprits}")
    assert checked > 20
    assert not wide, "\n".join(wide)
