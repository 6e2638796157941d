"""The public statistics as CSV and Excel, for journalists and researchers: the same figures,
suppressed the same way, as the page and the API."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from tests.conftest import at
from tests.oversight.test_stats import county  # noqa: F401 - the fixture

QUERY = "county=990201&period=2026-10"
FIELDS = ("score", "received", "accepted", "substantiated", "rectified", "median_accept_days",
          "median_conclude_days", "compliance_543", "leader_weeks", "duty_coverage",
          "shifts_required", "board_accuracy", "spot_check_findings", "satisfaction_rate",
          "review_rate")


def _seen_on_27_november():
    at("2026-11-27T10:00")  # the day the fixture's figures were worked out for


def _api(client) -> dict:
    return client.get(f"/api/v1/stats?{QUERY}").get_json()


def _cell(value) -> str:
    return "" if value is None else str(value)


def test_the_csv_has_the_page_figures_with_small_counts_suppressed(app, county):  # noqa: F811
    _seen_on_27_november()
    client = app.test_client()
    response = client.get(f"/stats.csv?{QUERY}")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="zaigang-stats-990201-2026-10.csv"')
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0][:5] == ["名次", "乡镇代码", "乡镇", "综合得分", "收到举报"]
    api = _api(client)
    for line, township in zip(rows[1:3], api["townships"], strict=True):
        assert line[1:3] == [township["code"], township["name"]]
        assert line[3:] == [_cell(township[f]) for f in FIELDS]
    assert [r[2] for r in rows[1:3]] == ["甲镇", "乙乡"]
    assert [r[4] for r in rows[1:3]] == ["4", "<3"]  # 4 reports, and 1
    assert rows[3][1:3] == ["990201", "统计县合计"]
    assert rows[3][3:] == [_cell(api["figures"][f]) for f in FIELDS]
    assert rows[3][4] == "×" and rows[3][6] == "×"  # the county's 5 would give the 1 away
    assert len(rows) == 4


def test_the_workbook_opens_well_and_says_how_it_counts(app, county):  # noqa: F811
    _seen_on_27_november()
    client = app.test_client()
    response = client.get(f"/stats.xlsx?{QUERY}")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["乡镇", "季度汇总", "月度趋势", "统计口径"]
    sheet = book["乡镇"]
    assert sheet["A1"].value == "统计县 2026年10月 公开统计"
    assert sheet["C2"].value == "乡镇" and sheet.freeze_panes == "A3"
    assert sheet.auto_filter.ref == "A2:R5"  # 18 columns, the two follow-up rates last
    values = {row[2]: row for row in sheet.iter_rows(min_row=3, values_only=True)}
    assert values["甲镇"][4] == 4 and values["乙乡"][4] == "<3"
    assert values["统计县合计"][4] == "×"
    assert values["甲镇"][12] == 38.6  # duty coverage, a number a spreadsheet can sum and sort
    assert isinstance(values["甲镇"][4], int)
    assert book["季度汇总"]["A1"].value == "统计县 2026年第4季度 公开统计"
    assert book["月度趋势"].max_row == 13
    rules = [r[0] for r in book["统计口径"].iter_rows(min_row=2, values_only=True)]
    assert any("相减都推算不出未公布的数字" in line for line in rules)


def test_the_downloads_are_public_cached_and_refuse_bad_input(app, county):  # noqa: F811
    _seen_on_27_november()
    client = app.test_client()
    first = client.get(f"/stats.csv?{QUERY}")
    assert "max-age" in first.headers["Cache-Control"]
    again = client.get(f"/stats.csv?{QUERY}", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert client.get(f"/stats.pdf?{QUERY}").status_code == 404
    assert client.get("/stats.csv?county=123456&period=2026-10").status_code == 404
    assert client.get("/stats.xlsx?county=990201&period=2026-13").status_code == 400


def test_the_page_links_to_the_downloads(app, county):  # noqa: F811
    _seen_on_27_november()
    html = app.test_client().get(f"/stats?{QUERY}").get_data(as_text=True)
    assert 'href="/stats.csv?county=990201&amp;period=2026-10"' in html
    assert 'href="/stats.xlsx?county=990201&amp;period=2026-10"' in html
