"""Reading uploaded spreadsheets: XLSX (values only) and CSV (UTF-8, UTF-8 with BOM, GBK).

A township office keeps its rosters and attendance-machine exports in whatever
Excel produced: a title row above the header, headers in Chinese or English,
full-width brackets, blank lines, GBK-encoded CSV. `read_table` finds the header
row, maps the columns the caller asks for, and returns the rows as plain strings
with their line numbers as the spreadsheet shows them; the caller validates each
row and collects `RowError`s. Nothing here touches the database.

    columns = [Column("name", ("姓名", "name")), Column("phone", ("办公电话",), required=False)]
    table = read_table(data, filename="roster.xlsx", columns=columns)
    for row in table.rows:
        row.line, row["name"], row.get("phone")
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import warnings
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time

from flask_babel import lazy_gettext as _l

from portal.services.shared.errors import ValidationError

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 2000
MAX_COLUMNS = 60
# A title row or two often sits above the header ("大庄镇干部花名册").
HEADER_SEARCH_ROWS = 10
CSV_ENCODINGS = ("utf-8-sig", "gb18030")
XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0"

_TRUE = {"是", "y", "yes", "true", "1", "√", "✓", "✔", "班子成员", "领导"}
_FALSE = {"否", "n", "no", "false", "0", "×", "✗", "一般干部", ""}
_BRACKETS = re.compile(r"\(.*?\)|\[.*?\]|【.*?】")
_SPACES = re.compile(r"\s+")


class TabularError(ValidationError):
    """The file as a whole cannot be read (format, size, encoding, missing columns)."""


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
    """The rows of an upload, the header line, and the headers nobody asked for."""

    rows: list[Row]
    header_line: int
    headers: dict[str, str] = field(default_factory=dict)  # key -> header text as found
    ignored_headers: list[str] = field(default_factory=list)
    format: str = "csv"


def normalize_header(text: str) -> str:
    """Fold width, case, spaces and bracketed notes: "班子成员（是/否）" → "班子成员"."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    text = _BRACKETS.sub("", text)
    return _SPACES.sub("", text).strip(":：*")


def cell_text(value: object) -> str:
    """A cell as text: integers without ".0", dates and times in ISO form, the rest stripped."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        fmt = "%Y-%m-%d" if value.time() == time(0) else "%Y-%m-%d %H:%M:%S"
        return value.strftime(fmt)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M:%S")
    text = unicodedata.normalize("NFC", str(value)).replace("\u3000", " ")
    return text.strip()


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


def read_table(data: bytes, *, filename: str, columns: Sequence[Column],
               max_rows: int = MAX_ROWS, max_bytes: int = MAX_BYTES) -> Table:
    """Read an XLSX or CSV upload into rows of the requested columns, or raise TabularError."""
    if not data:
        raise TabularError(_l("文件是空的。"))
    if len(data) > max_bytes:
        raise TabularError(_l("文件太大（上限 %(limit)s KB）。", limit=max_bytes // 1024))
    if data.startswith(XLS_MAGIC) or filename.lower().endswith(".xls"):
        raise TabularError(_l("不支持旧的 .xls 格式，请在 Excel 中另存为 .xlsx 或 CSV 后再上传。"))
    if data.startswith(XLSX_MAGIC):
        raw_rows, fmt = _xlsx_rows(data), "xlsx"
    else:
        raw_rows, fmt = _csv_rows(data), "csv"
    return _build_table(raw_rows, columns, max_rows, fmt)


def _xlsx_rows(data: bytes) -> Iterator[list[str]]:
    import openpyxl

    try:
        with warnings.catch_warnings():
            # openpyxl warns about styles and extensions it ignores; values are all we read.
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        raise TabularError(_l("无法读取这个 Excel 文件，请确认它是 .xlsx 格式且没有损坏。")) from exc
    return _sheet_rows(workbook)


def _sheet_rows(workbook) -> Iterator[list[str]]:
    try:
        sheet = workbook.worksheets[0]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for values in sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS):
                yield [cell_text(v) for v in values]
    finally:
        workbook.close()


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    for encoding in CSV_ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise TabularError(_l("无法识别文件的文字编码，请保存为 UTF-8 或 GBK 编码的 CSV。"))


def _csv_rows(data: bytes) -> Iterator[list[str]]:
    text = _decode(data)
    if "\x00" in text:
        raise TabularError(_l("这不是 CSV 或 .xlsx 文件。"))
    sample = text[:8192]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",\t;，")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for values in reader:
            yield [cell_text(v) for v in values[:MAX_COLUMNS]]
    except csv.Error as exc:
        raise TabularError(_l("CSV 文件格式有误：%(error)s", error=str(exc))) from exc


def _match_header(cells: list[str], columns: Sequence[Column]) -> dict[str, int] | None:
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


def _build_table(raw_rows: Iterable[list[str]], columns: Sequence[Column], max_rows: int,
                 fmt: str) -> Table:
    mapping: dict[str, int] | None = None
    header_cells: list[str] = []
    header_line = 0
    rows: list[Row] = []
    for line, cells in enumerate(raw_rows, start=1):
        if mapping is None:
            if line > HEADER_SEARCH_ROWS:
                break
            mapping = _match_header(cells, columns)
            header_cells, header_line = cells, line
            continue
        if not any(cells):
            continue
        if len(rows) >= max_rows:
            raise TabularError(_l("行数太多（上限 %(limit)s 行），请分成几个文件上传。", limit=max_rows))
        values = {key: (cells[i] if i < len(cells) else "") for key, i in mapping.items()}
        rows.append(Row(line=line, values=values))
    if mapping is None:
        raise _missing_columns_error(columns)
    used = set(mapping.values())
    ignored = [c for i, c in enumerate(header_cells) if c and i not in used]
    headers = {key: header_cells[i] for key, i in mapping.items()}
    return Table(rows=rows, header_line=header_line, headers=headers, ignored_headers=ignored,
                 format=fmt)
