"""Errors sit next to their field, and a report cut off on its way comes back as typed.

In Chromium at 360 px, with JavaScript on and off: a 发现时间 in the future is refused at its
field, the summary's link leads to it, and everything typed stays; a photo over the limit
and an upload cut off mid-way (the body truncated between the phone and the server) give
the form back with the text and the message at the photos.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.models.base import utcnow
from portal.rules.calendar import TZ

pytestmark = pytest.mark.e2e
JS = pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
DESCRIPTION = "早上九点去镇政府盖章，党政办没人，隔壁说值班的干部还没从县城回来。"
MB = 1024 * 1024


def _fill(page, seen: str) -> None:
    page.goto("/report?township=990101001")
    page.get_by_label("问题类型").select_option("absent_workday")
    page.get_by_label("发现时间").fill(seen)
    page.get_by_label("地点（可选）").fill("镇政府一楼")
    page.get_by_label("看到的情况").fill(DESCRIPTION)


def _kept(page, seen: str | None = None) -> None:
    assert page.get_by_label("看到的情况").input_value() == DESCRIPTION
    assert page.get_by_label("地点（可选）").input_value() == "镇政府一楼"
    assert page.get_by_label("问题类型").input_value() == "absent_workday"
    if seen is not None:
        assert page.get_by_label("发现时间").input_value() == seen


def _local(delta: timedelta) -> str:
    return (utcnow() + delta).astimezone(TZ).strftime("%Y-%m-%dT%H:%M")


def _at_field(page, field_id: str) -> str:
    control = page.locator(f"#{field_id}")
    assert control.get_attribute("aria-invalid") == "true"
    assert f"{field_id}-error" in control.get_attribute("aria-describedby").split()
    message = page.locator(f"#{field_id}-error")
    assert message.is_visible()
    return message.inner_text()


@JS
def test_a_future_time_seen_is_refused_at_its_field_and_the_summary_leads_there(browse, js):
    page = browse(js=js)
    page.goto("/report?township=990101001")
    # The picker offers nothing after now.
    limit = page.locator("#observed_at").get_attribute("max")
    assert limit is not None and limit <= _local(timedelta(minutes=1))
    future = _local(timedelta(days=3))
    _fill(page, future)
    page.get_by_role("button", name="提交举报").click()
    page.locator("#observed_at-error").wait_for()
    assert "发现时间不能晚于现在" in _at_field(page, "observed_at")
    _kept(page, future)
    link = page.locator('.error-summary a[href="#observed_at"]')
    assert "发现时间不能晚于现在" in link.inner_text()
    link.click()
    assert page.evaluate("document.activeElement && document.activeElement.id") == "observed_at"
    # Nothing wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


@JS
def test_a_photo_over_the_limit_comes_back_with_the_text(browse, js, tmp_path):
    page = browse(js=js)
    seen = _local(-timedelta(hours=1))
    _fill(page, seen)
    big = tmp_path / "IMG_2001.jpg"
    big.write_bytes(b"\xff\xd8" + b"\0" * (9 * MB))
    page.locator("#photos").set_input_files(str(big))
    page.get_by_role("button", name="提交举报").click()
    page.locator("#photos-error").wait_for()
    assert "每张照片不能超过 8 MB" in _at_field(page, "photos")
    assert page.locator('.error-summary a[href="#photos"]').is_visible()
    _kept(page, seen)


@JS
def test_an_upload_cut_off_on_its_way_gives_the_form_back(browse, js, tmp_path):
    page = browse(js=js)
    seen = _local(-timedelta(hours=1))
    _fill(page, seen)
    photo = tmp_path / "IMG_2002.jpg"
    photo.write_bytes(b"\xff\xd8" + b"\x10" * 400_000)
    page.locator("#photos").set_input_files(str(photo))

    def cut(route):
        # The connection gives out inside the photo: its part begins, its bytes never end.
        body = route.request.post_data_buffer
        start = body.index(b'filename="IMG_2002.jpg"')
        route.continue_(post_data=body[: body.index(b"\r\n\r\n", start) + 4] + b"\xff\xd8" * 1000)

    page.route("**/report?township=990101001", lambda route: cut(route)
               if route.request.method == "POST" else route.continue_())
    page.get_by_role("button", name="提交举报").click()
    page.locator("#photos-error").wait_for()
    assert "上传中断" in _at_field(page, "photos")
    _kept(page, seen)
