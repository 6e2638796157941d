"""Files in and out, in Chromium: a clerk with JavaScript off imports the office's own 花名册
(.xls with a title and a footer), takes the duty roster out to Excel and back in; a villager's
phone offers the calendar subscriptions; the API page passes axe."""

from __future__ import annotations

import pytest

from tests.conftest import require_service
from tests.e2e.support import AXE
from tests.sheets import office_roster

pytestmark = pytest.mark.e2e
SERIOUS = {"serious", "critical"}


def _clerk(browse, js: bool = False):
    clerk = browse(js=js, viewport={"width": 1280, "height": 900})
    clerk.goto("/login")
    clerk.fill("input[name=username]", "clerk")
    clerk.fill("input[name=password]", "demo-clerk-2026")
    clerk.locator("main form button[type=submit]").first.click()
    clerk.wait_for_load_state()
    assert "/login" not in clerk.url
    return clerk


def test_a_clerk_without_javascript_imports_the_offices_own_roster(browse, tmp_path):
    people = [["司马文轩", "男", "副镇长", "0999-8800777", "", ""],
              ["上官雨晴", "女", "党政办干事", 9998800778, "", ""]]
    upload = tmp_path / "花名册.xls"
    upload.write_bytes(office_roster(people, township="大庄镇", fmt="xls"))
    clerk = _clerk(browse)
    clerk.goto("/admin/t/990101001/cadres/import")
    clerk.set_input_files("input[type=file]", str(upload))
    clerk.get_by_role("button", name="上传并检查").click()
    clerk.wait_for_load_state()
    main = clerk.locator("main").inner_text()
    assert "将新增 2 人" in main and "有误 0 处" in main
    assert "表尾或备注" in main and "空行" in main
    assert "将按 0999-8800778 导入" in main
    clerk.get_by_role("button", name="确认导入这 2 行").click()
    clerk.wait_for_load_state()
    assert "导入完成：新增 2 人" in clerk.locator("main").inner_text()


def test_the_duty_roster_goes_out_to_excel_and_back_unchanged(browse, tmp_path):
    clerk = _clerk(browse, js=True)
    clerk.goto("/admin/t/990101001/roster")
    with clerk.expect_download() as download:
        clerk.get_by_role("link", name="导出 Excel").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.suffix == ".xlsx" and saved.name.startswith("roster-990101001-")
    clerk.get_by_role("link", name="从 Excel 导入").click()
    clerk.wait_for_load_state()
    clerk.set_input_files("input[type=file]", str(saved))
    clerk.get_by_role("button", name="上传并检查").click()
    clerk.wait_for_load_state()
    text = clerk.locator("main").inner_text()
    assert "将新排 0 个班次，更改 0 个" in text and "有误 0 处" in text


def test_a_villagers_phone_offers_the_calendar_subscriptions(browse):
    villager = browse(js=False)
    villager.goto("/t/990101001/roster")
    link = villager.get_by_role("link", name="在手机日历中订阅本乡镇值班表")
    assert link.get_attribute("href").startswith("webcal://")
    assert link.get_attribute("href").endswith("/t/990101001/roster.ics")
    villager.locator("summary", has_text="只订阅某位干部自己的值班").click()
    feed = villager.locator(".subscribe-people a", has_text="日历文件").first
    response = villager.request.get(feed.get_attribute("href"))
    assert response.status == 200 and "BEGIN:VCALENDAR" in response.text()
    width = villager.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, width


def test_the_api_page_and_an_import_preview_pass_axe(browse, tmp_path):
    require_service(AXE.exists(), "axe-core (npm ci)")
    problems = []

    def check(page, what):
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        problems.extend(f"{what}: {v['id']} {v['help']}" for v in result["violations"]
                        if v["impact"] in SERIOUS)

    reader = browse(js=True, bypass_csp=True)
    for lang in ("zh_CN", "en"):
        reader.goto(f"/api/v1/docs?lang={lang}")
        check(reader, f"/api/v1/docs ({lang})")
    clerk = _clerk(lambda **kw: browse(bypass_csp=True, **kw), js=True)
    upload = tmp_path / "r.csv"
    upload.write_bytes("姓名,职务,班子成员\n无名氏,,也许\n".encode("gbk"))
    clerk.goto("/admin/t/990101001/cadres/import")
    clerk.set_input_files("input[type=file]", str(upload))
    clerk.get_by_role("button", name="上传并检查").click()
    clerk.wait_for_load_state()
    assert "发现 2 处错误" in clerk.locator("main").inner_text()
    check(clerk, "the roster import preview")
    assert not problems, "\n".join(problems)
