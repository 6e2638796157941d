"""A township clerk imports the cadre roster from an XLSX file and updates the board.

The villager then sees the new cadre and the new status on the public board, on a phone
with JavaScript off.
"""

from __future__ import annotations

import io

import openpyxl
import pytest

pytestmark = pytest.mark.e2e


def roster_xlsx(name: str) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["大庄镇干部花名册"])
    sheet.append(["姓名", "职务", "班子成员", "办公电话"])
    sheet.append([name, "农业服务中心干事", "否", "0999-8800999"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_a_clerk_imports_a_roster_and_sets_a_cadre_in_a_village(browse, tmp_path):
    name = "欧阳新来"
    clerk = browse(js=True, viewport={"width": 1280, "height": 900})
    clerk.goto("/login")
    clerk.fill("input[name=username]", "clerk")
    clerk.fill("input[name=password]", "demo-clerk-2026")
    clerk.locator("main form button[type=submit]").first.click()
    clerk.wait_for_load_state()
    assert "/login" not in clerk.url

    upload = tmp_path / "roster.xlsx"
    upload.write_bytes(roster_xlsx(name))
    clerk.goto("/admin/t/990101001/cadres/import")
    clerk.set_input_files("input[type=file]", str(upload))
    clerk.get_by_role("button", name="上传并检查").click()
    clerk.wait_for_load_state()
    assert name in clerk.locator("main").inner_text()
    clerk.get_by_role("button", name="确认导入这 1 行").click()
    clerk.wait_for_load_state()

    clerk.goto("/admin/t/990101001/board")
    row = clerk.locator("tr", has_text=name)
    row.locator("input[name=village]").fill("南山村")
    row.get_by_role("button", name="下村").click()
    clerk.wait_for_load_state()

    villager = browse(js=False)
    villager.goto("/t/990101001")
    person = villager.locator("tr", has_text=name)
    assert "南山村" in person.inner_text()
    phone = person.locator("a[href^='tel:']")
    assert phone.count() == 1 and "8800999" in phone.inner_text()
