"""Nothing typed is lost: whatever refuses a report, the reporter gets the form back as typed.

On a 360 px phone, with JavaScript on and off: photos over the total limit, too many photos
and the rate limit. And a clerk's import with a file over
the limit keeps the page and says why at the file field.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from portal.models.base import utcnow
from portal.rules.calendar import TZ
from tests.e2e.support import served
from tests.live import LiveServer
from tests.report.photos import png_bytes

pytestmark = pytest.mark.e2e
JS = pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
DESCRIPTION = "下午三点到镇政府办事，党政办锁着门，门卫说值班的人回县城了。"
MB = 1024 * 1024


def _fill(page) -> str:
    page.goto("/report?township=990101001")
    page.get_by_label("被反映的干部（可选）").select_option(index=1)
    page.get_by_label("问题类型").select_option("absent_workday")
    seen = (utcnow() - timedelta(hours=2)).astimezone(TZ).strftime("%Y-%m-%dT%H:%M")
    page.get_by_label("发现时间").fill(seen)
    page.get_by_label("地点（可选）").fill("镇政府二楼")
    page.get_by_label("看到的情况").fill(DESCRIPTION)
    return seen


def _kept(page, seen: str) -> None:
    assert page.get_by_label("看到的情况").input_value() == DESCRIPTION
    assert page.get_by_label("地点（可选）").input_value() == "镇政府二楼"
    assert page.get_by_label("问题类型").input_value() == "absent_workday"
    assert page.get_by_label("发现时间").input_value() == seen
    assert page.get_by_label("被反映的干部（可选）").input_value() != ""


def _photo_error(page) -> str:
    photos = page.locator("#photos")
    assert photos.get_attribute("aria-invalid") == "true"
    assert "photos-error" in photos.get_attribute("aria-describedby")
    message = page.locator("#photos-error")
    assert message.is_visible()
    return message.inner_text()


@JS
def test_photos_over_the_total_limit_come_back_as_a_message_at_the_photos(browse, js, tmp_path):
    page = browse(js=js)
    # The limits are read before the photos are chosen.
    page.goto("/report?township=990101001")
    hint = page.locator("#photos-hint").inner_text()
    assert "最多 5 张" in hint and "8 MB" in hint and "25 MB" in hint
    seen = _fill(page)
    big = [tmp_path / f"IMG_{n}.jpg" for n in range(2)]
    for path in big:
        path.write_bytes(b"\xff" * (13 * MB))
    page.locator("#photos").set_input_files([str(path) for path in big])
    page.get_by_role("button", name="提交举报").click()
    page.locator("#photos-error").wait_for()
    assert "超过了一次最多 25 MB" in _photo_error(page)
    _kept(page, seen)


@JS
def test_six_photos_come_back_as_a_message_at_the_photos(browse, js):
    page = browse(js=js)
    seen = _fill(page)
    page.locator("#photos").set_input_files(
        [{"name": f"{n}.png", "mimeType": "image/png", "buffer": png_bytes()} for n in range(6)])
    page.get_by_role("button", name="提交举报").click()
    page.locator("#photos-error").wait_for()
    assert "选择了 6 张照片，最多上传 5 张照片" in _photo_error(page)
    _kept(page, seen)


@pytest.fixture(scope="module")
def strict_site(tmp_path_factory) -> Iterator[LiveServer]:
    """The demo portal with one report an hour allowed per address."""
    with served(tmp_path_factory.mktemp("e2e-strict"), "e2e_strict", workers=1,
                gunicorn_args=("--no-control-socket",), REPORT_RATE_LIMIT="1/hour") as server:
        yield server


@JS
def test_a_rate_limited_report_comes_back_filled_in_with_when_to_try_again(
        browser, strict_site, js):
    context = browser.new_context(base_url=strict_site.url, viewport={"width": 360, "height": 640},
                                  java_script_enabled=js, locale="zh-CN")
    try:
        page = context.new_page()
        # The first report of the hour (or, after another run, already one too many) ...
        _fill(page)
        page.get_by_role("button", name="提交举报").click()
        page.wait_for_load_state()
        # ... then the next one is refused and comes back as typed.
        seen = _fill(page)
        page.get_by_role("button", name="提交举报").click()
        page.get_by_text("您填写的内容都已保留").first.wait_for()
        _kept(page, seen)
    finally:
        context.close()


def test_a_clerks_import_over_the_limit_says_so_at_the_file_field(browse, tmp_path):
    clerk = browse(js=True, viewport={"width": 1366, "height": 900})
    clerk.goto("/login")
    clerk.fill("input[name=username]", "clerk")
    clerk.fill("input[name=password]", "demo-clerk-2026")
    clerk.locator("main form button[type=submit]").first.click()
    clerk.wait_for_load_state()
    clerk.goto("/admin/t/990101001/cadres/import")
    upload = tmp_path / "花名册.xlsx"
    upload.write_bytes(b"\0" * (26 * MB))
    clerk.locator("input[type=file]").set_input_files(str(upload))
    clerk.get_by_role("button", name="上传并检查").click()
    clerk.wait_for_load_state()
    error = clerk.locator(".error-text").first
    assert "超过了一次最多 25 MB" in error.inner_text()
    assert "/cadres/import" in clerk.url
