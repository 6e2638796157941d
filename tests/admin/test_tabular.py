"""Reading uploads: XLSX and CSV as township offices save them, header mapping, limits."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from portal.services.office.tabular import (
    Column,
    TabularError,
    parse_bool,
    parse_date,
    parse_datetime,
    read_table,
)
from tests.admin.conftest import xlsx_bytes

COLUMNS = [
    Column("name", ("姓名", "name")),
    Column("post", ("职务", "post")),
    Column("leader", ("班子成员", "leader"), required=False),
    Column("phone", ("办公电话", "office phone"), required=False),
]


def _csv(text: str, encoding: str = "utf-8") -> bytes:
    return text.encode(encoding)


def test_xlsx_with_title_row_numbers_and_dates(app):
    data = xlsx_bytes([
        ["大庄镇干部花名册"],
        ["序号", "姓名", "职务", "班子成员（是/否）", "办公电话", "备注"],
        [1, "王伟", "党委书记", "是", 8800001, "x"],
        [None, None, None, None, None, None],
        [2, "李娜", "干事", "否", "0999-8800100", datetime(2026, 3, 1, 8, 30)],
    ])
    with app.app_context():
        table = read_table(data, filename="名册.xlsx", columns=COLUMNS)
    assert table.format == "xlsx"
    assert table.header_line == 2
    assert [r.line for r in table.rows] == [3, 5]
    assert table.rows[0]["name"] == "王伟"
    assert table.rows[0]["phone"] == "8800001"  # no ".0"
    assert table.rows[1]["leader"] == "否"
    assert table.ignored_headers == ["序号", "备注"]
    assert table.headers["leader"] == "班子成员（是/否）"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_csv_encodings(app, encoding):
    data = _csv("姓名,职务,班子成员,办公电话\n王伟,党委书记,是,0999-1\n张静,干事,否,\n", encoding)
    with app.app_context():
        table = read_table(data, filename="roster.csv", columns=COLUMNS)
    assert [r["name"] for r in table.rows] == ["王伟", "张静"]
    assert table.rows[1]["phone"] == ""
    assert table.rows[0].line == 2


def test_csv_tab_separated_english_headers_in_any_case(app):
    data = _csv("Name\tPost\tLEADER\tOffice Phone\nWang Wei\tsecretary\tyes\t123\n")
    with app.app_context():
        table = read_table(data, filename="roster.txt", columns=COLUMNS)
    assert table.rows[0].values == {"name": "Wang Wei", "post": "secretary", "leader": "yes",
                                    "phone": "123"}


def test_quoted_commas_and_full_width_spaces(app):
    data = _csv('姓名,职务\n"王\u3000伟 ","党政办主任,兼统计员"\n')
    with app.app_context():
        table = read_table(data, filename="r.csv", columns=COLUMNS)
    assert table.rows[0]["name"] == "王 伟"
    assert table.rows[0]["post"] == "党政办主任,兼统计员"


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"", "r.csv", "空"),
        (b"\xd0\xcf\x11\xe0" + b"\0" * 100, "r.xls", ".xls"),
        (b"PK\x03\x04broken", "r.xlsx", "Excel"),
        ("姓名,电话\n王伟,1\n".encode(), "r.csv", "职务"),
        ("随便写点什么\n".encode(), "r.csv", "表头"),
    ],
)
def test_unreadable_files_are_refused_with_a_reason(app, data, filename, message):
    with app.app_context(), pytest.raises(TabularError) as caught:
        read_table(data, filename=filename, columns=COLUMNS)
    with app.test_request_context():
        assert message in str(caught.value)


def test_size_and_row_limits(app):
    many = "姓名,职务\n" + "".join(f"人{i},干事\n" for i in range(11))
    with app.app_context():
        assert len(read_table(many.encode(), filename="r.csv", columns=COLUMNS, max_rows=11).rows) == 11
        with pytest.raises(TabularError):
            read_table(many.encode(), filename="r.csv", columns=COLUMNS, max_rows=10)
        with pytest.raises(TabularError):
            read_table(many.encode(), filename="r.csv", columns=COLUMNS, max_bytes=20)


def test_header_too_far_down_is_not_found(app):
    data = ("标题\n" * 10 + "姓名,职务\n王伟,干事\n").encode()
    with app.app_context(), pytest.raises(TabularError):
        read_table(data, filename="r.csv", columns=COLUMNS)


def test_short_rows_give_empty_strings(app):
    with app.app_context():
        table = read_table("姓名,职务,办公电话\n王伟\n".encode(), filename="r.csv", columns=COLUMNS)
    assert table.rows[0]["post"] == "" and table.rows[0]["phone"] == ""


@pytest.mark.parametrize(
    ("text", "expected"),
    [("是", True), ("否", False), ("Yes", True), ("n", False), ("1", True), ("√", True),
     ("", False), ("也许", None), ("（是）", None), (" 是 ", True)],
)
def test_parse_bool(text, expected):
    assert parse_bool(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2026-03-01 08:30:05", datetime(2026, 3, 1, 8, 30, 5)),
     ("2026/3/1 8:30", datetime(2026, 3, 1, 8, 30)),
     ("2026年3月1日 08:30", datetime(2026, 3, 1, 8, 30)),
     ("2026-03-01T18:00", datetime(2026, 3, 1, 18, 0)),
     ("2026-03-01", None), ("昨天", None)],
)
def test_parse_datetime(text, expected):
    assert parse_datetime(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2026-03-01", date(2026, 3, 1)), ("2026/3/1", date(2026, 3, 1)),
     ("2026年3月1日", date(2026, 3, 1)), ("2026-03-01 08:00:00", date(2026, 3, 1)),
     ("3/1", None), ("", None)],
)
def test_parse_date(text, expected):
    assert parse_date(text) == expected


# --- files as offices keep them ------------------------------------------------------------

def test_blank_numbered_and_footer_rows_are_skipped_with_their_reason(app):
    from tests.sheets import xlsx_bytes as sheet

    data = sheet([["花名册"], ["序号", "姓名", "职务"], [1, "王伟", "干事"], [2, None, None],
                  [None, None, None], [3, "李娜", "干事"], [4, None, None],
                  ["填表人：张三", None, "日期：2026年3月1日"], ["审核人：李四", None, None],
                  [None, None, None]], merges=("A1:C1",))
    with app.test_request_context():
        table = read_table(data, filename="r.xlsx", columns=COLUMNS)
        skipped = [(s.line, s.last_line, s.reason) for s in table.skipped]
    assert [r.line for r in table.rows] == [3, 6]
    assert skipped == [(4, 5, "空行"), (7, 7, "空行"), (8, 8, "表尾或备注（“填表人：张三”）"),
                       (9, 9, "表尾或备注（“审核人：李四”）")]


@pytest.mark.parametrize("first", ["合计", "备注：另有 2 人借调", "注：班子成员填是",
                                   "大庄镇人民政府（盖章）", "制表人：王五", "填报日期：2026-03-01",
                                   "打印日期 2026-03-01", "制表：王五", "填表：张三", "单位：大庄镇党政办",
                                   "联系电话：0999-8800001", "报送时间：2026年3月1日"])
def test_footer_words(first):
    from portal.services.office.tabular import skip_reason

    assert skip_reason([first, "", "x"]) is not None


@pytest.mark.parametrize("first", ["王伟", "1", "2026-03-01", "日期", "08:30", "3月1日", "党政办"])
def test_data_rows_are_not_footers(first):
    from portal.services.office.tabular import skip_reason

    assert skip_reason([first, "干事"]) is None


def test_a_second_header_row_under_merged_cells(app):
    from tests.sheets import xlsx_bytes as sheet

    data = sheet([["姓名", "职务", "联系方式", None], [None, None, "办公电话", "手机"],
                  ["王伟", "干事", "0999-1", "138"]], merges=("A1:A2", "B1:B2", "C1:D1"))
    with app.app_context():
        table = read_table(data, filename="r.xlsx", columns=COLUMNS)
    assert table.rows[0].values == {"name": "王伟", "post": "干事", "phone": "0999-1"}
    assert table.ignored_headers == ["手机"] and table.rows[0].line == 3


@pytest.mark.parametrize("fmt", ["xls", "ods"])
def test_xls_and_ods_are_read(app, fmt):
    from tests.sheets import ods_bytes, xls_bytes

    rows = [["大庄镇干部花名册"], ["姓名", "职务", "办公电话"], ["王伟", "干事", "0999-8800001"]]
    data = xls_bytes(rows) if fmt == "xls" else ods_bytes(rows)
    with app.app_context():
        table = read_table(data, filename=f"r.{fmt}", columns=COLUMNS)
    assert table.format == fmt and table.header_line == 2
    assert table.rows[0].values == {"name": "王伟", "post": "干事", "phone": "0999-8800001"}


def test_a_broken_spreadsheet_says_so(app):
    with app.test_request_context(), pytest.raises(TabularError) as caught:
        read_table(b"PK\x03\x04" + b"\0" * 200, filename="r.xlsx", columns=COLUMNS)
    with app.test_request_context():
        assert "无法读取这个 Excel 文件" in str(caught.value)


def test_trailing_empty_columns_are_dropped():
    from portal.services.office.tabular_files import read_rows

    raw = read_rows(b"a,b,,,,\n1,,,,,\n", "r.csv")
    assert raw.rows == [["a", "b"], ["1", ""]]
