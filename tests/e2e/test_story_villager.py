"""A villager on a cheap phone: find the township by pinyin, read who is on duty."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import PHONE

pytestmark = pytest.mark.e2e
JS = pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])


def fits_the_screen(page) -> None:
    """Nothing is wider than the phone: no sideways scrolling.

    Playwright evaluates in its own world, so this works with the page's JavaScript off.
    """
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width}px wide on a {PHONE['width']}px screen"


@JS
def test_a_villager_finds_dazhuang_by_its_initials(browse, js):
    page = browse(js=js)
    page.goto("/")
    fits_the_screen(page)
    page.get_by_label("乡镇名称或拼音").fill("dzz")
    page.get_by_role("button", name="查找").click()
    page.wait_for_url("**/?q=dzz")
    result = page.get_by_role("link", name="大庄镇")
    assert result.is_visible()
    fits_the_screen(page)
    result.click()
    page.wait_for_url("**/t/990101001*")


@JS
def test_a_villager_who_mistypes_is_told_so_and_can_try_again(browse, js):
    page = browse(js=js)
    page.goto("/")
    page.get_by_label("乡镇名称或拼音").fill("xyzq")
    page.keyboard.press("Enter")
    page.wait_for_url("**/?q=xyzq")
    assert page.get_by_text("没有找到").is_visible()
    assert page.get_by_label("乡镇名称或拼音").input_value() == "xyzq"
