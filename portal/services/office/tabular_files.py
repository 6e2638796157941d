"""The cells of an uploaded file, whatever made it: Excel (.xlsx, .xls 97–2003), WPS, LibreOffice
(.ods), CSV or tab-separated text in UTF-8, UTF-8 with BOM, UTF-16 or GBK, and an attendance
machine's own text download (ZKTeco `attlog.dat`).

Spreadsheets are read with python-calamine (values only, the first visible sheet); text is
decoded and its delimiter sniffed. Every row comes back as a list of stripped strings, with
the spreadsheet's own numbering (row 1 is the first row of the sheet, blank rows included)
and without the empty columns to the right of the last filled one. Nothing here knows what
the columns mean; `tabular` finds the header.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l

from portal.services.shared.errors import ValidationError

MAX_BYTES = 2 * 1024 * 1024
MAX_COLUMNS = 60
XLSX_MAGIC = b"PK\x03\x04"  # .xlsx and .ods are zip archives
XLS_MAGIC = b"\xd0\xcf\x11\xe0"  # .xls (BIFF in an OLE2 container), also WPS's .et
CSV_ENCODINGS = ("utf-8-sig", "gb18030")
SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".et")
# What the upload forms accept (the file chooser's filter; the content decides).
ACCEPT = ".xlsx,.xls,.ods,.csv,.txt,.dat"


_UNREADABLE = _l("无法读取这个 Excel 文件，请确认它没有损坏，或在 Excel、WPS 中另存为 .xlsx 后再上传。")


class TabularError(ValidationError):
    """The file as a whole cannot be read (format, size, encoding, missing columns)."""


@dataclass(frozen=True)
class RawFile:
    """Every row of the first sheet as text; `format` is xlsx, xls, ods or csv."""

    format: str
    rows: list[list[str]]


def cell_text(value: object) -> str:
    """A cell as text: integers without ".0", dates and times in ISO form, the rest stripped."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, datetime):
        fmt = "%Y-%m-%d" if value.time() == time(0) else "%Y-%m-%d %H:%M:%S"
        return value.strftime(fmt)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M:%S")
    if isinstance(value, timedelta):  # a duration cell ("08:30" typed into a [h]:mm column)
        seconds = int(value.total_seconds())
        return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
    text = unicodedata.normalize("NFC", str(value)).replace("\u3000", " ")
    return text.strip()


def read_rows(data: bytes, filename: str, *, max_bytes: int = MAX_BYTES,
              max_rows: int | None = None) -> RawFile:
    """The rows of an upload, or TabularError saying in the user's language why not."""
    if not data:
        raise TabularError(_l("文件是空的。"))
    if len(data) > max_bytes:
        raise TabularError(_l("文件太大（上限 %(limit)s KB）。", limit=max_bytes // 1024))
    if data.startswith((XLSX_MAGIC, XLS_MAGIC)):
        fmt, rows = _spreadsheet_rows(data)
    elif filename.lower().endswith(SPREADSHEET_SUFFIXES):
        raise TabularError(_UNREADABLE)
    else:
        fmt, rows = "csv", _text_rows(data)
    out: list[list[str]] = []
    for cells in rows:
        if max_rows is not None and len(out) >= max_rows:
            raise TabularError(_l("行数太多（上限 %(limit)s 行），请分成几个文件上传。", limit=max_rows))
        out.append(cells)
    return RawFile(fmt, _trim_columns(out))


def _trim_columns(rows: list[list[str]]) -> list[list[str]]:
    """Drop the empty columns right of the last filled one (formatting Excel keeps, trailing tabs)."""
    width = max((max((i + 1 for i, c in enumerate(r) if c), default=0) for r in rows), default=0)
    return [r[:width] for r in rows]


def _spreadsheet_rows(data: bytes) -> tuple[str, Iterator[list[str]]]:
    # python-calamine (a compiled reader) is loaded by the workers that read a spreadsheet.
    import python_calamine

    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except python_calamine.PasswordError as exc:
        raise TabularError(_l("文件设有打开密码，请在 Excel 或 WPS 中取消密码后再上传。")) from exc
    except Exception as exc:  # noqa: BLE001 - the reader raises several types on a bad file
        raise TabularError(_UNREADABLE) from exc
    fmt = "xls" if data.startswith(XLS_MAGIC) else (
        "ods" if b"opendocument" in data[:200] else "xlsx")
    visible = [i for i, sheet in enumerate(book.sheets_metadata)
               if sheet.visible == python_calamine.SheetVisibleEnum.Visible
               and sheet.typ == python_calamine.SheetTypeEnum.WorkSheet]
    if not visible:
        raise TabularError(_l("文件里没有可读的工作表。"))
    try:
        sheet = book.get_sheet_by_index(visible[0])
    except Exception as exc:  # noqa: BLE001
        raise TabularError(_UNREADABLE) from exc
    return fmt, _sheet_rows(sheet)


def _sheet_rows(sheet) -> Iterator[list[str]]:
    # Rows come from the sheet's first row; columns from the first filled one (padded back,
    # so that column letters stay those the clerk sees).
    pad = [""] * sheet.start[1] if sheet.start else []
    for values in sheet.iter_rows():
        yield (pad + [cell_text(v) for v in values])[:MAX_COLUMNS]


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    for encoding in CSV_ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise TabularError(_l("无法识别文件的文字编码，请保存为 UTF-8 或 GBK 编码的 CSV。"))


def _text_rows(data: bytes) -> Iterator[list[str]]:
    text = _decode(data)
    if "\x00" in text:
        raise TabularError(_l("这不是 CSV 或 Excel 文件。"))
    sample = text[:8192]
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=",\t;，").delimiter
    except csv.Error:
        delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)

    def rows() -> Iterator[list[str]]:
        try:
            for values in reader:
                yield [cell_text(v) for v in values[:MAX_COLUMNS]]
        except csv.Error as exc:
            raise TabularError(_l("CSV 文件格式有误：%(error)s", error=str(exc))) from exc

    return rows()
