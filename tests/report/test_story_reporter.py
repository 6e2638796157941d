"""A citizen on a 320 px phone, JavaScript on or off, reports an absent cadre and follows it."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from portal.models.base import utcnow
from portal.rules.calendar import TZ
from tests.report.photos import jpeg_with_gps

pytestmark = pytest.mark.e2e
NARROW = {"width": 320, "height": 640}


def fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= NARROW["width"], f"{page.url} is {width}px wide on a 320px screen"


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
def test_a_citizen_reports_writes_down_the_receipt_and_follows_the_report(browse, js):
    page = browse(js=js, viewport=NARROW)
    page.goto("/")
    page.get_by_role("link", name="举报干部不在岗").click()
    page.get_by_label("乡镇名称或拼音").fill("dzz")
    page.get_by_role("button", name="查找").click()
    page.get_by_role("link", name="大庄镇").click()
    page.wait_for_url("**/report?township=990101001")
    fits(page)
    page.get_by_label("被反映的干部（可选）").select_option(index=1)
    page.get_by_label("问题类型").select_option("absent_workday")
    seen = (utcnow() - timedelta(hours=3)).astimezone(TZ).strftime("%Y-%m-%dT%H:%M")
    page.get_by_label("发现时间").fill(seen)
    page.get_by_label("看到的情况").fill("上午到镇政府办事，办公室锁着门，电话也没人接。")
    page.locator("#photos").set_input_files(
        [{"name": "IMG_0001.jpg", "mimeType": "image/jpeg", "buffer": jpeg_with_gps()}])
    page.get_by_role("button", name="提交举报").click()

    receipt = page.locator("#receipt").inner_text().strip()
    assert re.fullmatch(r"\d{5}( \d{5}){4}", receipt)
    fits(page)
    page.get_by_label("我已经抄下或保存了回执码").check()
    page.get_by_role("button", name="完成").click()
    page.wait_for_url("**/report/thanks")
    assert receipt not in page.content()

    page.get_by_role("link", name="凭回执码查看进展").click()
    page.get_by_label("回执码").fill(receipt.replace(" ", ""))
    page.get_by_role("button", name="查看").click()
    # The answer comes back to the same URL: wait for its content, not for a URL.
    page.get_by_text("已收到，等待受理").wait_for()
    fits(page)
    page.get_by_label("回复或补充").fill("补充：当天下午再去也没有人。")
    page.get_by_role("button", name="发送").click()
    page.get_by_text("您的回复已送达纪检监察干部。").wait_for()
    assert page.get_by_text("补充：当天下午再去也没有人。").is_visible()


def _axe(page, problems: list[str]) -> None:
    from tests.e2e.support import AXE

    page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    for violation in result["violations"]:
        if violation["impact"] in {"serious", "critical"}:
            problems.append(f"{page.url}: {violation['id']} {[n['target'] for n in violation['nodes']][:3]}")


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_the_form_receipt_and_status_pages_have_no_serious_accessibility_violation(browse, lang):
    from tests.conftest import require_service
    from tests.e2e.support import AXE

    require_service(AXE.exists(), "axe-core (npm ci)")
    page = browse(js=True, viewport=NARROW, bypass_csp=True)
    problems: list[str] = []
    page.goto(f"/report?township=990101001&lang={lang}")
    _axe(page, problems)
    # The form with errors and the self-identification warning.
    page.locator("#description").fill("我叫演示人，我的电话 13900001111")
    page.locator("#category").select_option("other")
    seen = (utcnow() - timedelta(hours=1)).astimezone(TZ)
    page.locator("#observed_at").fill(seen.strftime("%Y-%m-%dT%H:%M"))
    page.locator("form.report-form button[type=submit]").click()
    _axe(page, problems)
    page.locator("#confirm_identity").check()
    page.locator("form.report-form button[type=submit]").click()
    receipt = page.locator("#receipt").inner_text().strip()
    _axe(page, problems)
    page.goto(f"/track?lang={lang}")
    page.locator("#receipt").fill(receipt)
    page.locator("main form button[type=submit]").click()
    _axe(page, problems)
    assert not problems, "\n".join(problems)
