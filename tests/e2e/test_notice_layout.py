"""The monthly notice in Chromium: on a 360 px phone and printed on A4, in both languages.

The notice is the demo's newest one (last month's, whatever the clock says), opened from
the township's list of notices as a villager would.
"""

from __future__ import annotations

import re
from datetime import date

import pytest

from tests.conftest import require_service
from tests.e2e.conftest import PHONE
from tests.e2e.support import AXE

pytestmark = pytest.mark.e2e
LANGS = pytest.mark.parametrize("lang", ["zh_CN", "en"])
DESKTOP = {"width": 1024, "height": 800}
# The printable area of an A4 page with the stylesheet's 12 mm margins, in CSS pixels.
A4_AREA = {"width": round((210 - 24) / 25.4 * 96), "height": round((297 - 24) / 25.4 * 96)}
MONTH_TITLE = {"zh_CN": re.compile(r"\d{4}年\d{1,2}月"),
               "en": re.compile(r"(January|February|March|April|May|June|July|August|September"
                                r"|October|November|December) \d{4}")}
ISSUER = {"zh_CN": "大庄镇人民政府", "en": "People's Government of 大庄镇"}

# Every header, name, post and figure whose text is at least two characters long: where it
# is shown, it is either two characters wide or wide enough to hold its text on one line.
SQUEEZED = """() => {
  const out = [];
  for (const el of document.querySelectorAll('.notice h1, .notice-table th, .notice-table td')) {
    const box = el.getBoundingClientRect();
    const text = el.innerText.trim();
    if (!box.width || [...text].length < 2) continue;
    const style = getComputedStyle(el);
    const em = parseFloat(style.fontSize);
    const lines = box.height / (parseFloat(style.lineHeight) || em * 1.6);
    if (box.width < 2 * em && lines > 1.5) out.push(`${text} (${Math.round(box.width)}px)`);
  }
  return out;
}"""
LABELS = """() => [...document.querySelectorAll('.notice-table td[data-label]')]
  .filter(td => td.getBoundingClientRect().width)
  .map(td => [td.dataset.label, getComputedStyle(td, '::before').content])"""


def open_newest_notice(page, lang: str) -> None:
    page.goto(f"/t/990101001/notices?lang={lang}")
    link = page.locator("ul.notice-months a").first
    if lang == "zh_CN":
        assert MONTH_TITLE[lang].fullmatch(link.inner_text().strip())
    link.click()
    page.wait_for_load_state()
    assert page.locator("table.notice-table tbody tr").count() >= 10


def serious_violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']} at {[n['target'] for n in v['nodes']][:3]}"
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


@LANGS
def test_on_a_phone_each_cadre_is_a_card_that_fits_the_screen(browse, lang):
    page = browse(js=False)
    open_newest_notice(page, lang)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the notice is {width}px wide on a {PHONE['width']}px phone"
    assert page.evaluate(SQUEEZED) == [], "text broken one character per line"
    labels = page.evaluate(LABELS)
    assert len(labels) >= 70  # seven figures on each card, each named on the card
    assert all(shown == f'"{label}"' for label, shown in labels), labels[:3]
    first = page.locator("table.notice-table tbody tr").first
    assert first.locator("th").bounding_box()["width"] > PHONE["width"] / 2  # the name heads the card
    assert MONTH_TITLE[lang].search(page.locator("h1").inner_text())


@LANGS
def test_the_notice_has_no_serious_accessibility_violation_on_a_wide_screen(browse, lang):
    require_service(AXE.exists(), "axe-core (npm ci)")
    page = browse(js=True, bypass_csp=True, viewport=DESKTOP)
    open_newest_notice(page, lang)
    assert page.locator("table.notice-table thead").first.is_visible()  # the figures; the evaluation follows
    assert page.evaluate("document.documentElement.scrollWidth") <= DESKTOP["width"]
    assert page.evaluate(SQUEEZED) == []
    assert serious_violations(page) == []


@LANGS
def test_printed_on_a4_the_notice_has_its_qr_code_on_page_one_and_ends_with_the_issuer(browse, lang):
    page = browse(js=False, viewport=DESKTOP)
    open_newest_notice(page, lang)
    page.emulate_media(media="print")
    page.set_viewport_size(A4_AREA)

    assert not page.locator("header.site").is_visible()
    assert not page.locator("nav.tnav").is_visible()  # the township menu
    title = page.locator("h1").inner_text()
    assert MONTH_TITLE[lang].search(title) and not re.search(r"\d{4}-\d{2}", title), title

    qr = page.locator(".notice img.qr").bounding_box()
    table = page.locator("table.notice-table").first.bounding_box()
    assert qr["y"] + qr["height"] <= A4_AREA["height"], "the QR code is not on the first page"
    assert qr["y"] < table["y"], "the QR code must come before the table, whatever its length"

    issuer = page.locator("article.notice > footer:last-child .issuer")
    assert issuer.is_visible()
    issued = date.fromisoformat(issuer.locator("time").get_attribute("datetime"))
    expected = (f"{issued.year}年{issued.month}月{issued.day}日" if lang == "zh_CN"
                else f"{issued:%B} {issued.day}, {issued.year}")
    assert issuer.inner_text().split("\n") == [ISSUER[lang], expected]
    # Room for the seal: the office's name sits 2 cm or more below whatever comes before it.
    room = page.evaluate("""el => parseFloat(getComputedStyle(el).paddingTop)""",
                         issuer.element_handle())
    assert room >= 20 / 25.4 * 96 - 1

    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")
    assert re.search(rb"/MediaBox \[0 0 59[56]\.\d* 84[23]\.\d*\]", pdf), "not an A4 page"
