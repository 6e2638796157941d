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


ROSTER = "/t/990101001/roster"
# Elements of a text that never wraps: a date, a phone number, a shift's hours.
ONE_LINE = ".date, a[href^='tel:'], .nowrap, .today-mark"
ONE_CHARACTER_COLUMNS = """() => [...document.querySelectorAll('main *')].filter(e => {
    const own = [...e.childNodes].filter(n => n.nodeType === 3).map(n => n.textContent.trim()).join('');
    const box = e.getBoundingClientRect();
    const size = parseFloat(getComputedStyle(e).fontSize);
    return own.length >= 4 && box.width > 0 && box.width < 2.2 * size && box.height > 3 * size;
}).map(e => e.tagName + ' ' + e.textContent.trim().slice(0, 20))"""
BROKEN_LINES = """(selector) => [...document.querySelectorAll(selector)]
    .filter(e => e.getClientRects().length > 1 || (e.getClientRects().length === 1
             && e.getClientRects()[0].height > 1.8 * parseFloat(getComputedStyle(e).fontSize)))
    .map(e => e.textContent.trim())"""


def _height(page) -> int:
    return page.evaluate("document.documentElement.scrollHeight")


@JS
@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_the_roster_on_a_phone_opens_on_today_a_week_long(browse, js, lang):
    page = browse(js=js)
    page.goto(_with_lang(ROSTER + "?month=2026-12", lang))
    month_height = _height(page)
    assert not page.evaluate(BROKEN_LINES, ONE_LINE)
    assert not page.evaluate(ONE_CHARACTER_COLUMNS)
    page.goto(_with_lang(ROSTER, lang))
    week_height = _height(page)
    assert week_height <= 3200 and week_height < month_height / 2, (week_height, month_height)
    assert not page.locator("table.roster").is_visible()  # the month is one tap away
    assert page.locator(".week-view a.whole").is_visible()
    # Today comes first, on the first screen, marked in words and by its frame.
    today = page.locator(".week-view li.day").first
    assert today.get_attribute("aria-current") == "date"
    assert today.locator(".today-mark").is_visible()
    assert today.bounding_box()["y"] < PHONE["height"]
    frame = today.evaluate("e => parseFloat(getComputedStyle(e).borderTopWidth)")
    other = page.locator(".week-view li.day:not(.today)").first
    if other.count():
        assert frame > other.evaluate("e => parseFloat(getComputedStyle(e).borderTopWidth)")
    # Tonight before today's day shift.
    assert today.locator(".shift").first.get_attribute("data-shift") == "night"
    assert page.locator(".week-view a[href^='tel:']").count() > 0
    assert not page.evaluate(BROKEN_LINES, ONE_LINE)
    assert not page.evaluate(ONE_CHARACTER_COLUMNS)
    page.locator(".week-view a.whole").click()
    page.wait_for_url("**/roster?month=*")
    assert page.locator("table.roster").is_visible()


@JS
@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_every_chart_text_is_12px_or_more_on_a_phone(browse, js, lang):
    page = browse(js=js)
    page.goto(_with_lang("/stats", lang))
    sizes = page.evaluate("""() => [...document.querySelectorAll('svg.chart')]
        .filter(svg => svg.getClientRects().length > 0)
        .flatMap(svg => [...svg.querySelectorAll('text')].map(t =>
            [t.textContent, parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a]))""")
    assert len(sizes) > 24  # two charts' worth of month labels, figures and scales
    small = [(text, round(size, 1)) for text, size in sizes if size < 12]
    assert not small, small
    # The figures are readable without the charts: the table beside them has every month.
    assert page.locator("#trend tbody tr").count() == 12
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_a_wide_screen_keeps_the_wide_charts_and_the_month(browse):
    page = browse(js=False, viewport={"width": 1280, "height": 800})
    page.goto("/stats")
    assert page.locator("#chart-received").is_visible()
    assert not page.locator("#chart-received-narrow").is_visible()
    page.goto(ROSTER)
    assert page.locator("table.roster").is_visible()
    assert not page.locator(".week-view").is_visible()
