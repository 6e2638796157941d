"""Reading attendance-machine files (考勤机): what columns a file has, and which hold what.

Two kinds of file come from a township's machine:
- its software's export, a spreadsheet (.xlsx, .xls) or CSV with a header: ZKTeco's reads
  部门 / 姓名 / 考勤号码 / 日期时间 / 签到/退 / 机器号 ...; others name the columns their own
  way, and the clerk confirms or corrects the guessed mapping;
- the machine's own download to a USB stick, `attlog.dat` (ZKTeco and compatibles): one punch
  a line, tab-separated, no header: the user ID enrolled on the machine (考勤机号), the time,
  the machine number, the state (0 签到, 1 签退, 2 外出, 3 外出返回, 4 加班签到, 5 加班签退),
  the verification mode and a work code. It names nobody: punches are matched to cadres by the
  attendance-machine number on each cadre's record.

Only the columns the file really has are offered (spreadsheets keep formatting far to the
right of the last filled column).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from portal.services.office import tabular
from portal.services.office.tabular_files import RawFile, TabularError, read_rows

MAX_IMPORT_BYTES = 2 * 1024 * 1024
MAX_IMPORT_ROWS = 20_000
PREVIEW_ROWS = 8

# Header names attendance machines and offices use, to preselect the mapping.
GUESSES: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "name", "员工姓名", "人员姓名", "名字"),
    "number": ("考勤号码", "考勤号", "考勤机号", "工号", "人员编号", "编号", "用户编号", "用户id",
               "ac-no.", "ac-no", "no.", "employee no", "userid", "pin"),
    "time": ("打卡时间", "签到时间", "日期时间", "时间", "考勤时间", "记录时间", "datetime", "time",
             "checktime"),
    "date": ("日期", "考勤日期", "date"),
    "direction": ("签到/退", "签到/签退", "签到签退", "状态", "方向", "进出", "出入状态", "打卡类型",
                  "考勤状态", "类型", "state", "status", "in/out", "direction"),
}
# What the columns of an attlog.dat line hold, in order.
ATTLOG_HEADERS = (_l("考勤机号"), _l("时间"), _l("机器号"), _l("状态"), _l("验证方式"), _l("工作码"))
_ATTLOG_LINE = re.compile(r"^\s*[0-9A-Za-z]{1,24}\t\s*\d{4}-\d{1,2}-\d{1,2}[ T]\d{1,2}:\d{2}")
# Lines some firmware writes at the top of an encrypted download.
_ATTLOG_NOISE = ("SN=", "CHECKSUM")


@dataclass(frozen=True)
class RawSheet:
    """The rows of an upload as the clerk sees them, for the mapping step.

    `header_line` is 0 for a file without a header (attlog.dat); `columns` are the indices
    of the columns that hold anything, the only ones offered in the mapping.
    """

    header_line: int
    headers: list[str]
    preview: list[list[str]]
    guesses: dict[str, int | None]
    rows: int
    kind: str = "table"  # table | attlog
    columns: list[int] = field(default_factory=list)
    body: list[tuple[int, list[str]]] = field(default_factory=list, repr=False)
    skipped: list[tabular.SkippedRow] = field(default_factory=list)


def guess(headers: list[str]) -> dict[str, int | None]:
    """Which column holds what, judged from the header texts; None when no header says."""
    folded = [tabular.normalize_header(h) for h in headers]
    guesses: dict[str, int | None] = {}
    taken: set[int] = set()
    for key, aliases in GUESSES.items():
        names = [tabular.normalize_header(a) for a in aliases]
        guesses[key] = next(
            (i for name in names for i, cell in enumerate(folded) if cell == name and i not in taken),
            None,
        )
        if guesses[key] is not None:
            taken.add(guesses[key])
    return guesses


def _is_attlog(data: bytes) -> bool:
    head = data[:4096].decode("latin-1").splitlines()
    lines = [line for line in head[:20] if line.strip() and not line.startswith(_ATTLOG_NOISE)]
    return bool(lines) and all(_ATTLOG_LINE.match(line) for line in lines[:-1] or lines)


def _attlog_sheet(data: bytes) -> RawSheet:
    text = data.decode("utf-8", errors="replace")
    body = []
    for line, raw in enumerate(text.splitlines(), start=1):
        if raw.strip() and not raw.startswith(_ATTLOG_NOISE):
            body.append((line, [cell.strip() for cell in raw.split("\t")]))
            if len(body) > MAX_IMPORT_ROWS:
                raise TabularError(_l("行数太多（上限 %(limit)s 行），请分成几个文件上传。",
                                      limit=MAX_IMPORT_ROWS))
    width = max((len(cells) for _line, cells in body), default=0)
    headers = [str(ATTLOG_HEADERS[i]) if i < len(ATTLOG_HEADERS) else "" for i in range(width)]
    # Six or more fields: PIN, time, machine, state, verify, work code; three: PIN, time, state.
    state = 3 if width >= 5 else (2 if width >= 3 else None)
    guesses = {"name": None, "number": 0, "time": 1, "date": None, "direction": state}
    return RawSheet(header_line=0, headers=headers, preview=[c for _n, c in body[:PREVIEW_ROWS]],
                    guesses=guesses, rows=len(body), kind="attlog", columns=list(range(width)),
                    body=body)


def _header_index(rows: list[list[str]]) -> int:
    """The header row: the first of the top rows naming a known column, else the first filled."""
    for i, cells in enumerate(rows[: tabular.HEADER_SEARCH_ROWS]):
        guesses = guess(cells)
        if guesses["time"] is not None or guesses["name"] is not None or (
                guesses["number"] is not None and guesses["date"] is not None):
            return i
    for i, cells in enumerate(rows):
        if sum(1 for c in cells if c) >= 2:
            return i
    raise TabularError(_l("文件里没有数据。"))


def _table_sheet(raw: RawFile) -> RawSheet:
    index = _header_index(raw.rows)
    headers = raw.rows[index]
    body: list[tuple[int, list[str]]] = []
    skipped: list[tabular.SkippedRow] = []
    for line, cells in enumerate(raw.rows[index + 1:], start=index + 2):
        if not any(cells):
            continue
        reason = tabular.skip_reason(cells)
        if reason is not None:
            skipped.append(tabular.SkippedRow(line, line, reason))
        else:
            body.append((line, cells))
    width = max([len(headers)] + [len(c) for _n, c in body])
    headers = headers + [""] * (width - len(headers))
    filled = [i for i in range(width)
              if headers[i] or any(i < len(c) and c[i] for _n, c in body)]
    return RawSheet(header_line=index + 1, headers=headers,
                    preview=[c for _n, c in body[:PREVIEW_ROWS]], guesses=guess(headers),
                    rows=len(body), columns=filled, body=body, skipped=skipped)


def read_sheet(data: bytes, filename: str) -> RawSheet:
    """The header, a preview and the guessed mapping of an attendance-machine file."""
    if not data:
        raise TabularError(_l("文件是空的。"))
    if len(data) > MAX_IMPORT_BYTES:
        raise TabularError(_l("文件太大（上限 %(limit)s KB）。", limit=MAX_IMPORT_BYTES // 1024))
    if _is_attlog(data):
        return _attlog_sheet(data)
    raw = read_rows(data, filename, max_bytes=MAX_IMPORT_BYTES,
                    max_rows=MAX_IMPORT_ROWS + tabular.HEADER_SEARCH_ROWS)
    return _table_sheet(raw)
