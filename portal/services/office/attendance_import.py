"""The import of attendance-machine exports (考勤机) into sign-in records.

A machine export is a spreadsheet with one punch per row. The clerk says which column holds
the person (name, or name plus employee number), the time (or a date and a time column)
and, if the machine records it, the direction (in/out). Every punch gets a `machine_ref`
from the township, the person and the minute, so the same punch imported twice is a
duplicate and is skipped; rows that cannot be read are reported by line.
"""


from __future__ import annotations

import hashlib
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.extensions import db
from portal.models import Cadre, SignIn, SignInKind, Township, User
from portal.models.base import utcnow
from portal.rules.calendar import TZ
from portal.services.office import tabular
from portal.services.shared import audit, townships

MAX_IMPORT_BYTES = 2 * 1024 * 1024
MAX_IMPORT_ROWS = 20_000
PREVIEW_ROWS = 8
MACHINE_PLACE = "考勤机"

# Header names attendance machines and offices use, to preselect the mapping.
GUESSES: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "name", "员工姓名", "人员姓名", "名字"),
    "number": ("工号", "考勤号码", "考勤号", "人员编号", "编号", "ac-no.", "ac-no", "no.", "employee no",
               "userid", "用户编号"),
    "time": ("打卡时间", "签到时间", "时间", "日期时间", "考勤时间", "记录时间", "datetime", "time",
             "checktime"),
    "date": ("日期", "考勤日期", "date"),
    "direction": ("状态", "方向", "进出", "签到/签退", "打卡类型", "考勤状态", "类型", "state", "status",
                  "in/out", "direction"),
}
_IN_WORDS = {"in", "c/in", "checkin", "check-in", "签到", "上班", "上班签到", "进", "进门", "入", "0",
             "i", "上午签到", "下午签到"}
_OUT_WORDS = {"out", "c/out", "checkout", "check-out", "签退", "下班", "下班签退", "出", "出门", "离",
              "1", "o", "上午签退", "下午签退"}


@dataclass(frozen=True)
class RawSheet:
    """The first rows of an upload as the clerk sees them, for the mapping step."""

    header_line: int
    headers: list[str]
    preview: list[list[str]]
    guesses: dict[str, int | None]
    rows: int


@dataclass(frozen=True)
class Mapping:
    """Which column (0-based index) holds what; None when the file has no such column."""

    name: int
    time: int
    number: int | None = None
    date: int | None = None
    direction: int | None = None


@dataclass
class ImportResult:
    """What an import did (or, on a check, would do)."""

    added: int = 0
    duplicates: int = 0
    errors: list[tabular.RowError] = field(default_factory=list)
    committed: bool = False


# --- reading ----------------------------------------------------------------------------------

def _raw_rows(data: bytes, filename: str) -> list[list[str]]:
    """Every row of the first sheet as text, with the same format checks as tabular.read_table."""
    if not data:
        raise tabular.TabularError(_l("文件是空的。"))
    if len(data) > MAX_IMPORT_BYTES:
        raise tabular.TabularError(_l("文件太大（上限 %(limit)s KB）。", limit=MAX_IMPORT_BYTES // 1024))
    if data.startswith(tabular.XLS_MAGIC) or filename.lower().endswith(".xls"):
        raise tabular.TabularError(
            _l("不支持旧的 .xls 格式，请在 Excel 中另存为 .xlsx 或 CSV 后再上传。"))
    reader = tabular._xlsx_rows if data.startswith(tabular.XLSX_MAGIC) else tabular._csv_rows  # noqa: SLF001
    rows = []
    for cells in reader(data):
        rows.append(cells)
        if len(rows) > MAX_IMPORT_ROWS + tabular.HEADER_SEARCH_ROWS:
            raise tabular.TabularError(_l("行数太多（上限 %(limit)s 行），请分成几个文件上传。",
                                          limit=MAX_IMPORT_ROWS))
    return rows


def _guess(headers: list[str]) -> dict[str, int | None]:
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


def _header_index(rows: list[list[str]]) -> int:
    """The header row: the first of the top rows naming a known column, else the first filled."""
    for i, cells in enumerate(rows[: tabular.HEADER_SEARCH_ROWS]):
        guesses = _guess(cells)
        if guesses["time"] is not None or guesses["name"] is not None:
            return i
    for i, cells in enumerate(rows):
        if sum(1 for c in cells if c) >= 2:
            return i
    raise tabular.TabularError(_l("文件里没有数据。"))


def read_sheet(data: bytes, filename: str) -> RawSheet:
    """The header, a preview and the guessed mapping of an attendance-machine export."""
    rows = _raw_rows(data, filename)
    index = _header_index(rows)
    headers = rows[index]
    body = [r for r in rows[index + 1:] if any(r)]
    return RawSheet(header_line=index + 1, headers=headers, preview=body[:PREVIEW_ROWS],
                    guesses=_guess(headers), rows=len(body))


# --- parsing one row --------------------------------------------------------------------------

def _cell(cells: list[str], index: int | None) -> str:
    if index is None or index >= len(cells):
        return ""
    return cells[index].strip()


def parse_direction(text: str) -> SignInKind | None:
    """签到/签退, In/Out, C/In, 0/1 and the like; None when unreadable."""
    folded = "".join(unicodedata.normalize("NFKC", text).lower().split())
    if folded in _IN_WORDS:
        return SignInKind.IN
    if folded in _OUT_WORDS:
        return SignInKind.OUT
    return None


def _moment(cells: list[str], mapping: Mapping) -> datetime | None:
    text = _cell(cells, mapping.time)
    if mapping.date is not None:
        day = tabular.parse_date(_cell(cells, mapping.date))
        clock = _parse_clock(text)
        if day is None or clock is None:
            return None
        return datetime.combine(day, clock, tzinfo=TZ)
    naive = tabular.parse_datetime(text)
    return naive.replace(tzinfo=TZ) if naive else None


def _parse_clock(text: str) -> time | None:
    for fmt in ("%H:%M:%S", "%H:%M"):
        try:
            return datetime.strptime(text.strip(), fmt).time()
        except ValueError:
            continue
    moment = tabular.parse_datetime(text)
    return moment.time() if moment else None


def machine_ref(township_code: str, person: str, at: datetime, kind: SignInKind) -> str:
    """The key of a punch: same township, person, minute and direction means the same punch."""
    minute = at.astimezone(TZ).strftime("%Y%m%d%H%M")
    digest = hashlib.sha256(f"{township_code}|{person}|{minute}|{kind.value}".encode()).hexdigest()
    return f"m:{township_code}:{digest[:40]}"


@dataclass(frozen=True)
class _Punch:
    line: int
    cadre_id: int
    person: str
    at: datetime
    kind: SignInKind | None


def _cadres_by_name(township: Township) -> dict[str, list[Cadre]]:
    by_name: dict[str, list[Cadre]] = defaultdict(list)
    for cadre in db.session.scalars(select(Cadre).where(Cadre.township_id == township.id)):
        by_name["".join(cadre.name.split())].append(cadre)
    return by_name


def _parse_rows(rows: list[list[str]], mapping: Mapping, township: Township,
                today: date) -> tuple[list[_Punch], list[tabular.RowError]]:
    by_name = _cadres_by_name(township)
    punches: list[_Punch] = []
    errors: list[tabular.RowError] = []
    for line, cells in rows:
        name = "".join(_cell(cells, mapping.name).split())
        if not name:
            errors.append(tabular.RowError(line, _l("姓名"), _l("姓名为空。")))
            continue
        matches = by_name.get(name, [])
        if len(matches) != 1:
            message = _l("花名册里没有“%(name)s”。", name=name) if not matches else _l(
                "花名册里有 %(n)s 个“%(name)s”，无法区分。", n=len(matches), name=name)
            errors.append(tabular.RowError(line, _l("姓名"), message))
            continue
        at = _moment(cells, mapping)
        if at is None:
            errors.append(tabular.RowError(line, _l("时间"), _l("无法识别时间“%(text)s”。",
                                                            text=_cell(cells, mapping.time))))
            continue
        if at.date() > today:
            errors.append(tabular.RowError(line, _l("时间"), _l("时间晚于今天。")))
            continue
        kind = None
        if mapping.direction is not None:
            kind = parse_direction(_cell(cells, mapping.direction))
            if kind is None:
                errors.append(tabular.RowError(line, _l("签到/签退"), _l(
                    "无法识别签到或签退“%(text)s”。", text=_cell(cells, mapping.direction))))
                continue
        person = _cell(cells, mapping.number) or name
        punches.append(_Punch(line, matches[0].id, person, at, kind))
    return punches, errors


def _infer_directions(punches: list[_Punch]) -> list[_Punch]:
    """Without a direction column a person's punches of a day alternate: in, out, in, out."""
    by_day: dict[tuple[int, date], list[_Punch]] = defaultdict(list)
    for punch in punches:
        by_day[(punch.cadre_id, punch.at.date())].append(punch)
    out = []
    for day_punches in by_day.values():
        for i, punch in enumerate(sorted(day_punches, key=lambda p: p.at)):
            kind = punch.kind or (SignInKind.IN if i % 2 == 0 else SignInKind.OUT)
            out.append(_Punch(punch.line, punch.cadre_id, punch.person, punch.at, kind))
    return sorted(out, key=lambda p: p.line)


def import_machine_file(*, township: Township, data: bytes, filename: str, mapping: Mapping,
                        actor: User | None, today: date, commit: bool) -> ImportResult:
    """Import (or, with commit=False, check) the punches of an export; good rows go in."""
    rows = _raw_rows(data, filename)
    index = _header_index(rows)
    numbered = [(i + 1, cells) for i, cells in enumerate(rows) if i > index and any(cells)]
    punches, errors = _parse_rows(numbered, mapping, township, today)
    punches = _infer_directions(punches)
    refs = {machine_ref(township.code, p.person, p.at, p.kind): p for p in punches}
    result = ImportResult(errors=errors, duplicates=len(punches) - len(refs))
    existing: set[str] = set()
    ref_list = list(refs)
    for i in range(0, len(ref_list), 500):
        existing.update(db.session.scalars(
            select(SignIn.machine_ref).where(SignIn.machine_ref.in_(ref_list[i:i + 500]))))
    result.duplicates += len(existing)
    new = [(ref, p) for ref, p in refs.items() if ref not in existing]
    result.added = len(new)
    if not commit:
        return result
    now = utcnow()
    db.session.add_all([
        SignIn(cadre_id=p.cadre_id, township_id=township.id, at=p.at, kind=p.kind,
               place=MACHINE_PLACE, at_township=True, source="machine", machine_ref=ref,
               recorded_by_id=actor.id if actor else None, recorded_at=now)
        for ref, p in new
    ])
    audit.record("attendance.import", actor=actor, object_type="township", object_id=township.code,
                 detail={"file": filename[:100], "added": result.added,
                         "duplicates": result.duplicates, "errors": len(errors)})
    townships.touch(township.id)  # tonight's check-ins show on the board (住镇)
    db.session.commit()
    result.committed = True
    return result
