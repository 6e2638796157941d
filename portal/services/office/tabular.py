"""Reading uploaded tables: a header row found under the title, the columns asked for, rows kept,
rows skipped and why.

A township office keeps its rosters as Excel or WPS made them: a merged title row above the
header ("大庄镇干部花名册"), a second header row under a merged one ("联系方式" over 办公电话
and 手机), headers in Chinese or English with notes in brackets, blank or numbered-but-empty
rows, the header repeated on every printed page, and a footer (填表人 / 审核人 / 日期, 备注,
合计). `read_table` finds the header, maps the columns the caller asks for, and returns the
data rows as plain strings with the line numbers the spreadsheet shows, and the rows it
skipped with the reason (blank, footer, repeated header), so that they are shown to the clerk
instead of being counted as errors. The cells come from `tabular_files` (xlsx, xls, ods, csv);
nothing here touches the database.

    columns = [Column("name", ("姓名", "name")), Column("phone", ("办公电话",), required=False)]
    table = read_table(data, filename="roster.xlsx", columns=columns)
    for row in table.rows:
        row.line, row["name"], row.get("phone")
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import lazy_gettext as _l

from portal.services.office.tabular_files import (
    MAX_BYTES,
    XLS_MAGIC,
    XLSX_MAGIC,
    TabularError,
    cell_text,
    read_rows,
)

__all__ = ["MAX_BYTES", "XLS_MAGIC", "XLSX_MAGIC", "TabularError", "cell_text", "Column",
           "RowError", "Row", "SkippedRow", "Table", "read_table", "normalize_header",
           "parse_bool", "parse_date", "parse_datetime", "skip_reason", "match_header",
           "merge_skipped"]

MAX_ROWS = 2000
# Blank and footer rows are not data: a file may hold many more of them than data rows.
MAX_RAW_ROWS = 20_000
# A title row or two often sits above the header ("大庄镇干部花名册").
HEADER_SEARCH_ROWS = 10

_TRUE = {"是", "y", "yes", "true", "1", "√", "✓", "✔", "班子成员", "领导"}
_FALSE = {"否", "n", "no", "false", "0", "×", "✗", "一般干部", ""}
_BRACKETS = re.compile(r"\(.*?\)|\[.*?\]|【.*?】")
_SPACES = re.compile(r"\s+")
# "制表：张三", "单位：大庄镇党政办", "联系电话：…": a label and a colon is never a name, a date or
# a number, whatever label an office writes under its table.
_LABEL = re.compile(r"^[\u4e00-\u9fff]{2,6}:")
# The first words of a footer or note under a table, as offices write them.
FOOTER_WORDS = (
    "填表人", "填报人", "制表人", "统计人", "审核人", "审核", "审批人", "负责人", "主要负责人",
    "单位负责人", "分管领导", "经办人", "联系人", "签字", "签名", "盖章", "单位盖章", "填报单位",
    "填表日期", "填报日期", "制表日期", "报送日期", "打印日期", "打印时间", "导出日期", "导出时间",
    "日期:", "备注", "说明", "注:", "合计", "总计",
    "小计", "共计",
)


@dataclass(frozen=True)
class Column:
    """A column the caller wants: its key, the header names accepted, whether it must exist."""

    key: str
    aliases: tuple[str, ...]
    required: bool = True

    @property
    def label(self) -> str:
        return self.aliases[0]


@dataclass(frozen=True)
class RowError:
    """A problem with one row (line as the spreadsheet numbers it) and, if known, one column."""

    line: int
    column: str
    message: str


@dataclass(frozen=True)
class SkippedRow:
    """Rows `line`..`last_line` that hold no data, and why (blank, footer, repeated header)."""

    line: int
    last_line: int
    reason: str

    @property
    def lines(self) -> str:
        return str(self.line) if self.line == self.last_line else f"{self.line}–{self.last_line}"


@dataclass
class Row:
    """One data row: the mapped columns as stripped strings ("" when empty)."""

    line: int
    values: dict[str, str]

    def __getitem__(self, key: str) -> str:
        return self.values.get(key, "")

    def get(self, key: str, default: str = "") -> str:
        return self.values.get(key, default) or default


@dataclass
class Table:
    """The rows of an upload, the header line, the rows skipped and the headers nobody asked for."""

    rows: list[Row]
    header_line: int
    headers: dict[str, str] = field(default_factory=dict)  # key -> header text as found
    ignored_headers: list[str] = field(default_factory=list)
    format: str = "csv"
    skipped: list[SkippedRow] = field(default_factory=list)


def normalize_header(text: str) -> str:
    """Fold width, case, spaces and bracketed notes: "班子成员（是/否）" → "班子成员"."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    text = _BRACKETS.sub("", text)
    return _SPACES.sub("", text).strip(":：*")


def parse_bool(text: str) -> bool | None:
    """是/否, yes/no, y/n, 1/0, √/×: None when the text is none of these."""
    folded = _SPACES.sub("", unicodedata.normalize("NFKC", text or "").lower())
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return False
    return None


_DATETIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M",
    "%Y.%m.%d %H:%M:%S", "%Y.%m.%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M",
    "%Y年%m月%d日 %H:%M:%S", "%Y年%m月%d日 %H:%M", "%Y%m%d %H:%M:%S", "%Y%m%d %H%M%S",
)
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")


def parse_datetime(text: str) -> datetime | None:
    """A naive local date and time in the usual spreadsheet and attendance-machine forms."""
    text = _SPACES.sub(" ", unicodedata.normalize("NFKC", text or "").strip())
    for fmt in _DATETIME_FORMATS:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    return None


def parse_date(text: str) -> date | None:
    """A date in the usual spreadsheet forms (2026-03-01, 2026/3/1, 2026年3月1日)."""
    text = unicodedata.normalize("NFKC", text or "").strip()
    if " " in text:
        moment = parse_datetime(text)
        return moment.date() if moment else None
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def merge_skipped(skipped: list[SkippedRow]) -> list[SkippedRow]:
    """Adjacent skipped rows of the same reason as one range ("3–8: 空行"), in line order."""
    merged: list[SkippedRow] = []
    for row in sorted(skipped, key=lambda s: s.line):
        last = merged[-1] if merged else None
        if last and last.reason == row.reason and row.line == last.last_line + 1:
            merged[-1] = SkippedRow(last.line, row.last_line, row.reason)
        else:
            merged.append(row)
    return merged


def skip_reason(cells: list[str]) -> str | None:
    """Why a row that is not blank holds no data: a footer or note under the table; else None."""
    first = next((c for c in cells if c), "")
    folded = _SPACES.sub("", unicodedata.normalize("NFKC", first))
    if folded.startswith(FOOTER_WORDS) or "(盖章)" in folded or _LABEL.match(folded):
        return str(_l("表尾或备注（“%(text)s”）", text=first[:24]))
    return None


def match_header(cells: list[str], columns: Sequence[Column]) -> dict[str, int] | None:
    """Column key → index when every required column is in this row, else None."""
    folded = [normalize_header(c) for c in cells]
    found: dict[str, int] = {}
    for column in columns:
        names = {normalize_header(a) for a in column.aliases}
        for index, cell in enumerate(folded):
            if cell and cell in names and index not in found.values():
                found[column.key] = index
                break
    if all(c.key in found for c in columns if c.required):
        return found
    return None


def _missing_columns_error(columns: Sequence[Column]) -> TabularError:
    wanted = "、".join(" / ".join(c.aliases[:2]) for c in columns if c.required)
    return TabularError(_l("没有找到表头。第一行（或标题下面一行）应包含这些列：%(columns)s。",
                           columns=wanted))


def _sub_header(header: list[str], below: list[str], mapping: dict[str, int],
                columns: Sequence[Column]) -> tuple[list[str], dict[str, int]] | None:
    """A second header row under merged cells ("联系方式" over 办公电话 | 手机), or None.

    It is one when it is empty under the required columns and names a column there is none of
    yet; its texts then stand for the cells it fills.
    """
    required = [mapping[c.key] for c in columns if c.required]
    if not any(below) or any(i < len(below) and below[i] for i in required):
        return None
    combined = [(below[i] if i < len(below) and below[i] else cell)
                for i, cell in enumerate(header + [""] * max(0, len(below) - len(header)))]
    merged = match_header(combined, columns)
    if merged is None or len(merged) <= len(mapping):
        return None
    return combined, merged


@dataclass
class _Builder:
    """Sorts the rows under the header into data rows and skipped ones."""

    columns: Sequence[Column]
    mapping: dict[str, int]
    max_rows: int
    rows: list[Row] = field(default_factory=list)
    skipped: list[SkippedRow] = field(default_factory=list)
    blank_from: int | None = None

    def add(self, line: int, cells: list[str]) -> None:
        values = {key: (cells[i] if i < len(cells) else "") for key, i in self.mapping.items()}
        reason = skip_reason(cells)
        if reason is None and not any(values.values()):
            # Blank, or only a serial number / a note in a column nobody asked for.
            self.blank_from = self.blank_from or line
            return
        if reason is None and match_header(cells, self.columns) is not None:
            reason = str(_l("重复的表头"))
        self._close_blank(line)
        if reason is not None:
            self.skipped.append(SkippedRow(line, line, reason))
            return
        if len(self.rows) >= self.max_rows:
            raise TabularError(_l("行数太多（上限 %(limit)s 行），请分成几个文件上传。",
                                  limit=self.max_rows))
        self.rows.append(Row(line=line, values=values))

    def _close_blank(self, line: int) -> None:
        # Blank rows between filled ones are shown; those after the last one are not news.
        if self.blank_from is not None:
            self.skipped.append(SkippedRow(self.blank_from, line - 1, str(_l("空行"))))
            self.blank_from = None


def read_table(data: bytes, *, filename: str, columns: Sequence[Column],
               max_rows: int = MAX_ROWS, max_bytes: int = MAX_BYTES) -> Table:
    """Read a spreadsheet or CSV upload into rows of the requested columns, or raise TabularError."""
    raw = read_rows(data, filename, max_bytes=max_bytes, max_rows=MAX_RAW_ROWS)
    found = next(((i, mapping) for i, cells in enumerate(raw.rows[:HEADER_SEARCH_ROWS])
                  if (mapping := match_header(cells, columns)) is not None), None)
    if found is None:
        raise _missing_columns_error(columns)
    index, mapping = found
    header = raw.rows[index]
    body_start = index + 1
    if body_start < len(raw.rows) and (sub := _sub_header(header, raw.rows[body_start], mapping,
                                                          columns)):
        header, mapping = sub
        body_start += 1
    builder = _Builder(columns, mapping, max_rows)
    for offset, cells in enumerate(raw.rows[body_start:]):
        builder.add(body_start + offset + 1, cells)
    used = set(mapping.values())
    return Table(rows=builder.rows, header_line=index + 1,
                 headers={key: header[i] for key, i in mapping.items()},
                 ignored_headers=[c for i, c in enumerate(header) if c and i not in used],
                 format=raw.format, skipped=builder.skipped)
