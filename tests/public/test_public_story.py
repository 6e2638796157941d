"""A villager on a 320 px phone with JavaScript off: finder → board → roster → poster."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.e2e
NARROW = {"width": 320, "height": 640}


@pytest.fixture
def phone(browser, public_site):
    context = browser.new_context(base_url=public_site.url, viewport=NARROW,
                                  java_script_enabled=False, locale="zh-CN",
                                  timezone_id="Asia/Shanghai")
    context.set_default_timeout(10_000)
    requests: list[str] = []
    context.on("request", lambda request: requests.append(request.url))
    page = context.new_page()
    page.requests = requests
    yield page
    context.close()


def _fits(page) -> None:
    """Nothing but the roster's own scroll box is wider than the screen."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= NARROW["width"], f"{page.url} is {width}px wide"


def test_villager_finds_the_board_and_who_is_on_duty(phone, public_site):
    page = phone
    page.goto("/")
    page.get_by_label("乡镇名称或拼音").fill("dzz")
    page.get_by_role("button", name="查找").click()
    page.wait_for_url(re.compile(r"q=dzz"))
    page.get_by_role("link", name="大庄镇").click()
    page.wait_for_url(re.compile(r"/t/990101001$"))
    assert page.get_by_role("heading", name="大庄镇干部去向公示").is_visible()
    table = page.get_by_role("table", name=re.compile("大庄镇干部现在的去向"))
    assert table.is_visible()
    text = table.inner_text()
    # The statuses that hold at any hour of the demo day (a trip and a leave planned over
    # several days), and cadres with nothing recorded (not updated by day, no record at night).
    for word in ("出差", "请假", "代理："):
        assert word in text, word
    assert "未更新" in text or "无记录" in text
    duty = page.locator("section.duty")
    assert "今天夜间" in duty.inner_text()
    assert duty.locator('a[href^="tel:"]').count() >= 1
    report = page.get_by_role("link", name="发现干部不在岗？匿名举报")
    assert report.get_attribute("href") == "/report?township=990101001"
    _fits(page)
    page.get_by_role("navigation", name="本乡镇").get_by_role("link", name="值班表").click()
    page.wait_for_url(re.compile(r"/t/990101001/roster$"))
    # On a phone the roster opens on this week, a card a day (the month is one tap away).
    assert page.locator("ol.days li.day").first.is_visible()
    assert page.get_by_role("link", name=re.compile("整月")).count() >= 1
    assert "值班表" in page.title()
    page.get_by_role("navigation", name="本乡镇").get_by_role("link", name="张贴二维码").click()
    page.wait_for_url(re.compile(r"/t/990101001/poster$"))
    assert page.locator("article.poster svg").count() == 2
    _fits(page)
    # No request left the site: no fonts, scripts or images from third parties.
    assert all(url.startswith(public_site.url) for url in page.requests), page.requests


def test_both_chiefs_away_is_flagged_in_words(phone):
    phone.goto("/t/990101002")
    assert phone.get_by_role("alert").inner_text() == "注意：党委书记和乡镇长今天同时不在乡镇。"
