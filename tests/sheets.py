"""Files as township offices make them, for import tests: Excel with merged title and footer
rows (openpyxl), Excel 97–2003 (.xls, xlwt), GBK-encoded CSV and attendance-machine downloads."""

from __future__ import annotations

import io
from datetime import date, datetime, time


def xlsx_bytes(rows: list[list], merges: tuple[str, ...] = (), title: str | None = None) -> bytes:
    """An .xlsx whose first sheet holds `rows`, with merged ranges such as "A1:F1"."""
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    if title:
        sheet.title = title
    for row in rows:
        sheet.append(row)
    for cells in merges:
        sheet.merge_cells(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xls_bytes(rows: list[list], merges: tuple[tuple[int, int, int, int], ...] = ()) -> bytes:
    """An Excel 97–2003 workbook (.xls); merges are (first row, last row, first col, last col)."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("Sheet1")
    styles = {datetime: "yyyy-mm-dd hh:mm:ss", date: "yyyy-mm-dd", time: "hh:mm"}
    merged = {(r0, c0): (r1, c1) for r0, r1, c0, c1 in merges}
    covered = {(r, c) for r0, r1, c0, c1 in merges for r in range(r0, r1 + 1)
               for c in range(c0, c1 + 1)}
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if (r, c) in merged:
                r1, c1 = merged[(r, c)]
                sheet.write_merge(r, r1, c, c1, value)
                continue
            if (r, c) in covered or value is None:
                continue
            kind = next((k for k in styles if isinstance(value, k)), None)
            if kind is not None:
                style = xlwt.XFStyle()
                style.num_format_str = styles[kind]
                sheet.write(r, c, value, style)
            else:
                sheet.write(r, c, value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


ROSTER_HEADER = ["序号", "姓名", "性别", "职务", "办公电话", "手机", "备注"]


def office_roster(rows: list[list], *, township: str = "大庄测试镇", fmt: str = "xlsx") -> bytes:
    """A 花名册 as an office keeps it: a merged title, the header, the rows with blank and
    numbered-but-empty rows among them, and a footer (填表人 / 审核人 / 日期)."""
    width = len(ROSTER_HEADER)
    body = [[f"{township}干部花名册"] + [None] * (width - 1), ROSTER_HEADER]
    for i, row in enumerate(rows, 1):
        body.append([i, *row])
        if i == 2:
            body.append([None] * width)  # a blank row between two cadres
    body += [[len(rows) + 1] + [None] * (width - 1),  # a numbered row left empty
             [None] * width,
             ["填表人：张三", None, None, "审核人：李四", None, "日期：2026年3月1日", None]]
    if fmt == "xls":
        return xls_bytes(body, merges=((0, 0, 0, width - 1),))
    return xlsx_bytes(body, merges=(f"A1:{chr(64 + width)}1",))


def attlog(punches: list[tuple[str, datetime, int]], device: int = 1) -> bytes:
    """A ZKTeco attlog.dat: user ID (right-aligned), time, device, state, verify mode, work code."""
    lines = [f"{pin:>9}\t{at:%Y-%m-%d %H:%M:%S}\t{device}\t{state}\t1\t0"
             for pin, at, state in punches]
    return ("\r\n".join(lines) + "\r\n").encode("ascii")


def ods_bytes(rows: list[list[str]]) -> bytes:
    """A minimal OpenDocument spreadsheet (.ods, as LibreOffice and WPS save it): text cells."""
    import zipfile
    from xml.sax.saxutils import escape

    def cell(value) -> str:
        if value in (None, ""):
            return "<table:table-cell/>"
        return (f'<table:table-cell office:value-type="string"><text:p>{escape(str(value))}'
                "</text:p></table:table-cell>")

    body = "".join(f"<table:table-row>{''.join(cell(v) for v in row)}</table:table-row>"
                   for row in rows)
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="Sheet1">{body}</table:table>'
        "</office:spreadsheet></office:body></office:document-content>")
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type='
        '"application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry '
        'manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>')
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()
