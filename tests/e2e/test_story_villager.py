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


def _tonight(site) -> tuple[list[str], list[str]]:
    """The leaders and staff of tonight's night shift in 大庄镇, from the site's database."""
    from sqlalchemy import select

    from portal.extensions import db
    from portal.models import DutyRole, DutyShift, ShiftKind, Township
    from portal.models.base import utcnow
    from portal.rules.calendar import local_date
    from tests.e2e.support import app_for

    with app_for(site) as app, app.app_context():
        township = db.session.scalar(select(Township).where(Township.code == "990101001"))
        shift = db.session.scalar(select(DutyShift).where(
            DutyShift.township_id == township.id, DutyShift.day == local_date(utcnow()),
            DutyShift.kind == ShiftKind.NIGHT))
        if shift is None:
            return [], []
        leaders = [a.cadre.name for a in shift.assignments if a.role == DutyRole.LEADER]
        staff = [a.cadre.name for a in shift.assignments if a.role == DutyRole.STAFF]
        return leaders, staff


@JS
def test_a_villager_reads_who_is_on_duty_tonight_and_can_call_them(browse, site, js):
    page = browse(js=js)
    page.goto("/?q=dazhuang")
    page.get_by_role("link", name="大庄镇").click()
    page.wait_for_url("**/t/990101001*")
    fits_the_screen(page)
    duty = page.locator("section.duty")
    assert duty.get_by_role("heading", name="今天谁值班").is_visible()
    tonight = duty.locator(".shift", has=page.get_by_role("heading", name="今天夜间"))
    leaders, staff = _tonight(site)
    text = tonight.inner_text()
    for name in leaders + staff:
        assert name in text
    if leaders and staff:
        assert tonight.locator("a[href^='tel:']").count() >= 1
    else:
        # A coverage gap is said plainly, not left blank.
        assert any(word in text for word in ("缺带班领导", "缺值班人员", "无人排班", "未排班"))
    hotline = page.locator("section.contacts a[href^='tel:']")
    assert hotline.count() >= 1
