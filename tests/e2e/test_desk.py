"""The inspector's desk in Chromium at 1366 px: the width of the screen, township names on one
line, one notes box, buttons that say what they change, the staff label, and each role's
landing page after logging in."""

from __future__ import annotations

import pyotp
import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import Region, Role
from tests import factories
from tests.e2e.support import app_for

pytestmark = pytest.mark.e2e
DESK = {"width": 1366, "height": 768}
PASSWORD = "desk-story-password"
# How many text lines an element's text takes (one rectangle per line box it fills).
LINES = """el => { const r = document.createRange(); r.selectNodeContents(el);
  const rects = Array.from(r.getClientRects()).filter(x => x.width > 0);
  return new Set(rects.map(x => Math.round(x.top))).size; }"""


@pytest.fixture(scope="module")
def accounts(site) -> dict[Role, tuple[str, str | None]]:
    """Staff of the demo county of this story's own (no TOTP code is shared with other tests)."""
    with app_for(site) as app, app.app_context():
        county = db.session.scalar(select(Region).where(Region.code == "990101"))
        inspector = factories.user(Role.INSPECTOR, scope_region=county, username="desk-inspector",
                                   password=PASSWORD)
        inspector.display_name = "纪检监察干部（演示）"
        admin = factories.user(Role.COUNTY_ADMIN, scope_region=county, username="desk-admin",
                               password=PASSWORD)
        db.session.commit()
        return {Role.INSPECTOR: (inspector.username, inspector.totp_secret),
                Role.COUNTY_ADMIN: (admin.username, admin.totp_secret)}


def log_in(page, username: str, password: str, secret: str | None = None) -> None:
    page.goto("/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    if secret:
        page.fill("input[name=totp]", pyotp.TOTP(secret).now())
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    assert "/login" not in page.url, page.locator("main").inner_text()


def main_share(page) -> float:
    """The main column's width as a share of the window's."""
    return page.evaluate("document.querySelector('main').getBoundingClientRect().width / window.innerWidth")


def test_an_inspector_works_at_a_desk_screen(browse, site, accounts):
    page = browse(js=False, viewport=DESK)
    log_in(page, accounts[Role.INSPECTOR][0], PASSWORD, accounts[Role.INSPECTOR][1])
    assert page.url == site.url + "/review"  # an inspector lands on the queue
    assert page.locator("nav.staff .who").inner_text() == "纪检监察干部（演示）"
    assert main_share(page) > 0.9

    # Every township name in the queue, 大庄镇 among them, stays on one line.
    page.goto("/review?status=")
    places = page.locator("table.queue td.place")
    assert places.count() > 0
    assert "大庄镇" in places.all_inner_texts()
    for cell in places.all():
        assert cell.evaluate(LINES) == 1, cell.inner_text()
    row_height = page.locator("table.queue tbody tr").first.bounding_box()["height"]
    assert row_height < 120  # no column squeezed to a character a line

    # A case to accept: the buttons say what they change, there is one box for notes.
    page.goto("/review?status=submitted")
    page.locator("table.queue td.case a").first.click()
    page.wait_for_load_state()
    assert main_share(page) > 0.9
    note_boxes = page.get_by_label("内部备注（仅工作人员可见）")
    assert note_boxes.count() == 1
    accept = page.get_by_role("button", name="受理", exact=True)
    effect = page.locator("#" + accept.get_attribute("aria-describedby"))
    assert effect.is_visible() and "改为“已受理”" in effect.inner_text()
    for button in page.locator(".steps button[type=submit]").all():
        described = button.get_attribute("aria-describedby")
        assert described and page.locator("#" + described).inner_text().startswith("状态"), \
            button.inner_text()

    note_boxes.fill("先电话联系乡镇党政办")
    page.get_by_role("button", name="保存备注").click()
    page.wait_for_load_state()
    accept = page.get_by_role("button", name="受理", exact=True)
    accept.click()
    page.wait_for_load_state()
    assert "已受理。" in page.locator(".flashes").inner_text()

    # Accepted: taking the case says beforehand that it goes to 核查中 with me as assignee.
    claim = page.get_by_role("button", name="由我承办")
    effect = page.locator("#" + claim.get_attribute("aria-describedby")).inner_text()
    assert "改为“核查中”" in effect and "承办人改为您" in effect
    assert page.get_by_label("内部备注（仅工作人员可见）").count() == 1
    page.get_by_label("内部备注（仅工作人员可见）").fill("门卫说书记去县里开会")
    page.get_by_role("button", name="保存备注").click()
    page.wait_for_load_state()
    notes = page.locator("ol.notes li")
    assert notes.count() == 2
    assert "先电话联系乡镇党政办" in notes.nth(0).inner_text()
    assert "门卫说书记去县里开会" in notes.nth(1).inner_text()
    assert "纪检监察干部（演示）" in notes.nth(1).inner_text()
    assert "纪检监察干部（纪检监察干部" not in page.locator("body").inner_text()


def test_each_role_lands_where_its_work_is(browse, site, accounts):
    clerk = browse(js=False, viewport=DESK)
    log_in(clerk, "clerk", "demo-clerk-2026")
    assert clerk.url == site.url + "/admin/"  # the township workbench
    assert main_share(clerk) > 0.9

    supervisor = browse(js=False, viewport=DESK)
    log_in(supervisor, "supervisor", "demo-supervisor-2026")
    assert supervisor.url == site.url + "/admin/supervision/"

    admin = browse(js=False, viewport=DESK)
    log_in(admin, accounts[Role.COUNTY_ADMIN][0], PASSWORD, accounts[Role.COUNTY_ADMIN][1])
    assert admin.url == site.url + "/admin/users"
    assert main_share(admin) > 0.9
    admin.goto("/admin/townships")
    name = admin.locator("table td a", has_text="大庄镇").first
    assert name.evaluate(LINES) == 1

    # A page asked for before logging in still comes first.
    late = browse(js=False, viewport=DESK)
    late.goto("/admin/visits/")
    assert "/login" in late.url
    late.fill("input[name=username]", "clerk")
    late.fill("input[name=password]", "demo-clerk-2026")
    late.locator("main form button[type=submit]").first.click()
    late.wait_for_load_state()
    assert late.url == site.url + "/admin/visits/"
