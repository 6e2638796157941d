"""A notice names its month in words and ends with the office that issues it and the date."""

from __future__ import annotations

import re

import pytest

from portal import clock
from portal.extensions import db
from portal.services.office import notices
from tests import factories
from tests.conftest import at


def publish(app, name: str) -> str:
    """Publish March 2026 of a new township on 2 April 2026; its code."""
    at("2026-04-02T10:00")
    with app.app_context():
        town = factories.township(name=name)
        factories.cadre(town, name="孙乡长", post="乡长", is_leader=True)
        db.session.commit()
        notices.publish(township=town, month="2026-03", actor=None, today=clock.today())
        return town.code


def text_of(html: str, pattern: str) -> str:
    match = re.search(pattern, html, re.S)
    assert match, pattern
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", match.group(1).replace("<br>", " "))).strip()


@pytest.mark.parametrize(("lang", "title", "issuer", "issued"), [
    ("zh_CN", "柳林测试乡2026年3月干部在岗情况公示", "柳林测试乡人民政府", "2026年4月2日"),
    ("en", "柳林测试乡: cadre attendance notice for March 2026",
     "People&#39;s Government of 柳林测试乡", "April 2, 2026"),
])
def test_the_title_names_the_month_and_the_notice_ends_with_its_issuer(app, client, lang, title,
                                                                         issuer, issued):
    code = publish(app, "柳林测试乡")
    html = client.get(f"/t/{code}/notices/2026-03?lang={lang}").get_data(as_text=True)
    assert text_of(html, r"<h1>(.*?)</h1>") == title
    assert "2026-03 " not in html.split("<main")[1].split("notice-meta")[0]
    footer = html.split('<footer class="notice-foot">')[1].split("</footer>")[0]
    assert text_of(footer, r'<p class="issuer">(.*?)</p>') == f"{issuer} {issued}"
    assert '<time datetime="2026-04-02">' in footer
    assert html.index('class="qr"') < html.index('class="notice-table"') < html.index("notice-foot")


def test_a_subdistrict_notice_is_issued_by_its_office(app, client):
    code = publish(app, "城关测试街道")
    html = client.get(f"/t/{code}/notices/2026-03").get_data(as_text=True)
    assert text_of(html, r'<p class="issuer">(.*?)</p>') == "城关测试街道办事处 2026年4月2日"


def test_the_list_names_each_month_in_words(app, client):
    code = publish(app, "柳林测试乡")
    assert ">2026年3月</a>" in client.get(f"/t/{code}/notices").get_data(as_text=True)
    assert ">March 2026</a>" in client.get(f"/t/{code}/notices?lang=en").get_data(as_text=True)
