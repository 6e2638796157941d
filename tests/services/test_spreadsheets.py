"""The one format of every file handed out: XLSX with real date cells, widths, a frozen header
and a filter; CSV with a byte-order mark; formulas neutralised in both."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

from openpyxl import load_workbook

from portal.services.shared.spreadsheets import (
    SAMPLE_ROWS,
    Column,
    Sheet,
    csv_bytes,
    display_width,
    xlsx_bytes,
)

COLUMNS = [Column("编号"), Column("乡镇"), Column("提交时间", "datetime"), Column("日期", "date"),
           Column("件数", "int"), Column("比例", "number")]
# 23:30 UTC on 1 March is 07:30 on 2 March in Asia/Shanghai.
ROW = ["A1", "大庄镇", datetime(2026, 3, 1, 23, 30, tzinfo=UTC), date(2026, 3, 2), 7, 93.5]


def _book(sheets):
    return load_workbook(io.BytesIO(xlsx_bytes(sheets)))


def test_cells_are_dates_numbers_and_text_as_a_spreadsheet_expects():
    sheet = _book([Sheet("举报", COLUMNS, [ROW, ["0012", "=cmd()", None, None, "<3", None]])]).active
    assert [c.value for c in sheet[1]] == [c.title for c in COLUMNS]
    assert sheet["C2"].value == datetime(2026, 3, 2, 7, 30)  # local time, a date cell
    assert sheet["C2"].number_format == "yyyy-mm-dd hh:mm"
    assert sheet["D2"].value == datetime(2026, 3, 2) and sheet["D2"].number_format == "yyyy-mm-dd"
    assert sheet["E2"].value == 7 and sheet["F2"].value == 93.5
    assert sheet["A3"].value == "0012" and sheet["A3"].data_type == "s"  # leading zeros stay
    assert sheet["B3"].value == "'=cmd()"  # not a formula
    assert sheet["E3"].value == "<3"


def test_the_header_is_frozen_filtered_and_columns_fit_their_content():
    long_name = "大庄镇人民政府党政综合办公室"
    sheet = _book([Sheet("举报", COLUMNS, [ROW, ["B2", long_name, None, None, 1, 2.0]])]).active
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:F3"
    widths = {c: sheet.column_dimensions[c].width for c in "ABCDEF"}
    assert widths["B"] >= display_width(long_name) and widths["B"] > widths["A"]
    assert widths["C"] >= 17 and widths["D"] >= 11


def test_a_title_row_sits_above_the_header():
    sheet = _book([Sheet("值班表", COLUMNS, [ROW], title="大庄镇2026年3月值班表")]).active
    assert sheet["A1"].value == "大庄镇2026年3月值班表" and sheet["A1"].font.b
    assert sheet["A2"].value == "编号" and sheet.freeze_panes == "A3"
    assert sheet.auto_filter.ref == "A2:F3"


def test_many_rows_are_written_row_by_row_with_the_filter_over_all_of_them():
    rows = ([f"R{i}", "镇", None, None, i, None] for i in range(SAMPLE_ROWS * 3))
    book = _book([Sheet("一", COLUMNS, rows), Sheet("二", [Column("月份")], [["2026-01"]])])
    assert book.sheetnames == ["一", "二"]
    assert book["一"].auto_filter.ref == f"A1:F{SAMPLE_ROWS * 3 + 1}"
    assert book["一"].cell(row=SAMPLE_ROWS * 3 + 1, column=5).value == SAMPLE_ROWS * 3 - 1


def test_csv_has_a_byte_order_mark_local_times_and_no_formulas():
    data = csv_bytes(COLUMNS, [ROW, ["x", "+1-2", None, None, None, None]])
    assert data.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in data
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == [c.title for c in COLUMNS]
    assert rows[1] == ["A1", "大庄镇", "2026-03-02 07:30", "2026-03-02", "7", "93.5"]
    assert rows[2][1] == "'+1-2" and rows[2][2:] == ["", "", "", ""]


def test_display_width_counts_chinese_characters_twice():
    assert display_width("abc") == 3 and display_width("大庄镇") == 6 and display_width("A大") == 3
