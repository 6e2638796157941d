"""The format of every file the portal hands out as a spreadsheet: XLSX and CSV that open well in
Excel and WPS.

XLSX: dates and times are real date cells (shown in Asia/Shanghai time), numbers are numbers,
codes and phone numbers stay text (so no leading 0 is lost), each column is as wide as its
content, the header row is frozen and carries a filter, and an optional title row sits above
it. CSV: UTF-8 with a byte-order mark (Excel then reads the Chinese text), CRLF line ends,
times written as "2026-03-01 08:30". In both, text a spreadsheet would run as a formula is
prefixed with an apostrophe. Views send them with `CSV_MIMETYPE` (the web framework adds the
one `charset=utf-8`) and `XLSX_MIMETYPE`.

What goes into the files is each export's own business (the review queue, the statistics,
the duty roster); only how it is written lives here.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from itertools import islice

from portal.rules.calendar import TZ

CSV_MIMETYPE = "text/csv"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A cell starting with one of these is a formula to a spreadsheet: prefix it (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
FORMATS = {"date": "yyyy-mm-dd", "datetime": "yyyy-mm-dd hh:mm", "time": "hh:mm", "int": "0",
           "number": "0.0", "text": "@"}
# Columns are sized from the header and this many rows; past it a sheet is written row by
# row (a review-queue export may hold 100,000 reports).
SAMPLE_ROWS = 200
MAX_WIDTH, MIN_WIDTH = 48, 6
_FIXED_WIDTH = {"date": 11, "datetime": 17, "time": 7}

Value = str | int | float | date | datetime | time | None


@dataclass(frozen=True)
class Column:
    """A column: its header, what its cells hold (text, int, number, date, datetime, time)."""

    title: str
    kind: str = "text"


@dataclass
class Sheet:
    """One sheet: its tab name, columns, rows (any iterable), and an optional title row above."""

    name: str
    columns: Sequence[Column]
    rows: Iterable[Sequence[Value]]
    title: str | None = None


def safe(value: Value) -> Value:
    """Text a spreadsheet would run as a formula, with an apostrophe in front."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _local(value: datetime) -> datetime:
    """An aware time as the naive Asia/Shanghai time a spreadsheet cell shows."""
    return value.astimezone(TZ).replace(tzinfo=None) if value.tzinfo else value


def text_of(value: Value) -> str:
    """A value as a CSV cell: local times to the minute, dates ISO, numbers as they are."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return _local(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M")
    return str(safe(value))


def csv_bytes(columns: Sequence[Column], rows: Iterable[Sequence[Value]]) -> bytes:
    """A CSV file: UTF-8 with a byte-order mark, the header, then the rows."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([c.title for c in columns])
    for row in rows:
        writer.writerow([text_of(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def display_width(text: str) -> int:
    """How many character cells Excel needs for a text: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def column_widths(columns: Sequence[Column], rows: Sequence[Sequence[Value]]) -> list[int]:
    """A width per column from its header and cells (date and time columns have fixed ones)."""
    widths = []
    for index, column in enumerate(columns):
        cells = [display_width(text_of(r[index])) for r in rows if index < len(r)]
        content = max([display_width(column.title) + 3, *cells])  # + the filter's arrow
        widths.append(min(MAX_WIDTH, max(MIN_WIDTH, _FIXED_WIDTH.get(column.kind, content),
                                         content if column.kind == "text" else 0) + 1))
    return widths


def xlsx_bytes(sheets: Sequence[Sheet]) -> bytes:
    """An XLSX workbook of the sheets (openpyxl is loaded by the workers that write one)."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    for sheet in sheets:
        _write_sheet(book, sheet)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _write_sheet(book, sheet: Sheet) -> None:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    ws = book.create_sheet(sheet.name[:31])
    rows = iter(sheet.rows)
    sample = list(islice(rows, SAMPLE_ROWS))
    for index, width in enumerate(column_widths(sheet.columns, sample), start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    header_row = 2 if sheet.title else 1
    ws.freeze_panes = f"A{header_row + 1}"
    bold = Font(bold=True)
    if sheet.title:
        title = WriteOnlyCell(ws, value=sheet.title)
        title.font = Font(bold=True, size=14)
        ws.append([title])
    header = []
    for column in sheet.columns:
        cell = WriteOnlyCell(ws, value=column.title)
        cell.font, cell.alignment = bold, Alignment(horizontal="center")
        header.append(cell)
    ws.append(header)
    written = 0
    formats = [FORMATS.get(c.kind, "General") for c in sheet.columns]
    for row in _chain(sample, rows):
        ws.append([_cell(ws, WriteOnlyCell, value, formats[i] if i < len(formats) else "General")
                   for i, value in enumerate(row)])
        written += 1
    last = get_column_letter(max(1, len(sheet.columns)))
    ws.auto_filter.ref = f"A{header_row}:{last}{header_row + max(written, 1)}"


def _chain(first: list, rest: Iterator) -> Iterator:
    yield from first
    yield from rest


def _cell(ws, cell_class, value: Value, number_format: str):
    if isinstance(value, datetime):
        value = _local(value)
    elif isinstance(value, str):
        value = safe(value)
    cell = cell_class(ws, value=value)
    if value is not None and not (isinstance(value, str) and number_format != "@"):
        cell.number_format = number_format
    return cell
