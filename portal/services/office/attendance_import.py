"""The import of attendance-machine records (考勤机) into sign-in records.

The clerk says which column holds the person (the attendance-machine number, the name, or
both), the time (or a date and a time column) and, if the machine records it, the direction
(in/out); `attendance_read` guesses it. A punch is matched to a cadre by the number on the
cadre's record (考勤机号) when there is one, else by the name. Every punch gets a
`machine_ref` from the township, the cadre, the minute and the direction, and a punch the
township already has (from this file or an earlier one, in whatever format) is a duplicate
and is skipped; rows that cannot be read are refused by line. Good rows go in.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.extensions import db
from portal.models import Cadre, SignIn, SignInKind, Township, User
from portal.models.base import utcnow
from portal.rules.calendar import TZ
from portal.services.office import tabular
from portal.services.office.attendance_read import (
    GUESSES,
    MAX_IMPORT_BYTES,
    MAX_IMPORT_ROWS,
    RawSheet,
    read_sheet,
)
from portal.services.office.cadres import normalize_machine_number
from portal.services.shared import audit, townships
from portal.services.shared.errors import ValidationError

__all__ = ["GUESSES", "MAX_IMPORT_BYTES", "MAX_IMPORT_ROWS", "RawSheet", "read_sheet", "Mapping",
           "ImportResult", "RowOutcome", "parse_direction", "machine_ref", "import_machine_file"]

MACHINE_PLACE = "考勤机"
_IN_WORDS = {"in", "c/in", "checkin", "check-in", "签到", "上班", "上班签到", "进", "进门", "入", "0",
             "i", "上午签到", "下午签到", "3", "4", "外出返回", "加班签到"}
_OUT_WORDS = {"out", "c/out", "checkout", "check-out", "签退", "下班", "下班签退", "出", "出门", "离",
              "1", "o", "上午签退", "下午签退", "2", "5", "外出", "加班签退"}
# States a machine writes when it does not know (ZKTeco: 255): the day's order decides.
_UNKNOWN_STATES = {"255", "-1", ""}


@dataclass(frozen=True)
class Mapping:
    """Which column (0-based index) holds what; None when the file has no such column."""

    name: int | None
    time: int
    number: int | None = None
    date: int | None = None
    direction: int | None = None


@dataclass(frozen=True)
class RowOutcome:
    """What the import does with one line: add, duplicate (skipped) or refused (with why)."""

    line: int
    outcome: str
    cadre: str = ""
    at: datetime | None = None
    kind: SignInKind | None = None
    message: str = ""


@dataclass
class ImportResult:
    """What an import did (or, on a check, would do)."""

    added: int = 0
    duplicates: int = 0
    errors: list[tabular.RowError] = field(default_factory=list)
    committed: bool = False
    rows: list[RowOutcome] = field(default_factory=list)
    skipped: list[tabular.SkippedRow] = field(default_factory=list)


def _cell(cells: list[str], index: int | None) -> str:
    if index is None or index >= len(cells):
        return ""
    return cells[index].strip()


def parse_direction(text: str) -> SignInKind | None:
    """签到/签退, In/Out, C/In, ZKTeco's states 0–5 and the like; None when unreadable."""
    folded = "".join(unicodedata.normalize("NFKC", text).lower().split())
    if folded in _IN_WORDS:
        return SignInKind.IN
    if folded in _OUT_WORDS:
        return SignInKind.OUT
    return None


def _parse_clock(text: str) -> time | None:
    for fmt in ("%H:%M:%S", "%H:%M"):
        try:
            return datetime.strptime(text.strip(), fmt).time()
        except ValueError:
            continue
    moment = tabular.parse_datetime(text)
    return moment.time() if moment else None


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


def machine_ref(township_code: str, cadre_key: str, at: datetime, kind: SignInKind) -> str:
    """The key of a punch: same township, cadre, minute and direction means the same punch."""
    minute = at.astimezone(TZ).strftime("%Y%m%d%H%M")
    digest = hashlib.sha256(f"{township_code}|{cadre_key}|{minute}|{kind.value}".encode()).hexdigest()
    return f"m:{township_code}:{digest[:40]}"


@dataclass(frozen=True)
class _Punch:
    line: int
    cadre: Cadre
    at: datetime
    kind: SignInKind | None


class _Cadres:
    """The township's cadres by attendance-machine number and by name."""

    def __init__(self, township: Township) -> None:
        self.by_number: dict[str, Cadre] = {}
        self.by_name: dict[str, list[Cadre]] = defaultdict(list)
        for cadre in db.session.scalars(select(Cadre).where(Cadre.township_id == township.id)):
            if cadre.machine_number:
                self.by_number[cadre.machine_number] = cadre
            self.by_name["".join(cadre.name.split())].append(cadre)

    def find(self, number: str, name: str) -> tuple[Cadre | None, tabular.RowError | None]:
        try:
            key = normalize_machine_number(number)
        except ValidationError:
            key = None
        if key and key in self.by_number:
            return self.by_number[key], None
        matches = self.by_name.get(name, []) if name else []
        if len(matches) == 1:
            return matches[0], None
        if not name:
            column, message = _l("考勤机号"), _l(
                "没有考勤机号为 %(number)s 的干部：请在干部名册中填写每人的考勤机号。", number=number)
        elif not matches:
            column, message = _l("姓名"), _l("花名册里没有“%(name)s”。", name=name)
        else:
            column, message = _l("姓名"), _l("花名册里有 %(n)s 个“%(name)s”，无法区分。",
                                             n=len(matches), name=name)
        return None, tabular.RowError(0, str(column), str(message))


def _parse_row(line: int, cells: list[str], mapping: Mapping, cadres: _Cadres,
               today: date) -> _Punch | tabular.RowError:
    name = "".join(_cell(cells, mapping.name).split())
    number = _cell(cells, mapping.number)
    if not name and not number:
        return tabular.RowError(line, str(_l("姓名")), str(_l("姓名和考勤机号都是空的。")))
    cadre, problem = cadres.find(number, name)
    if problem is not None:
        return tabular.RowError(line, problem.column, problem.message)
    at = _moment(cells, mapping)
    if at is None:
        return tabular.RowError(line, str(_l("时间")), str(_l(
            "无法识别时间“%(text)s”。", text=_cell(cells, mapping.time))))
    if at.date() > today:
        return tabular.RowError(line, str(_l("时间")), str(_l("时间晚于今天。")))
    kind = None
    state = _cell(cells, mapping.direction)
    if mapping.direction is not None and state not in _UNKNOWN_STATES:
        kind = parse_direction(state)
        if kind is None:
            return tabular.RowError(line, str(_l("签到/签退")), str(_l(
                "无法识别签到或签退“%(text)s”。", text=state)))
    return _Punch(line, cadre, at, kind)


def _infer_directions(punches: list[_Punch]) -> list[_Punch]:
    """Without a direction a person's punches of a day alternate: in, out, in, out."""
    by_day: dict[tuple[int, date], list[_Punch]] = defaultdict(list)
    for punch in punches:
        by_day[(punch.cadre.id, punch.at.date())].append(punch)
    out = []
    for day_punches in by_day.values():
        for i, punch in enumerate(sorted(day_punches, key=lambda p: p.at)):
            kind = punch.kind or (SignInKind.IN if i % 2 == 0 else SignInKind.OUT)
            out.append(_Punch(punch.line, punch.cadre, punch.at, kind))
    return sorted(out, key=lambda p: p.line)


def _minute(at: datetime) -> str:
    return at.astimezone(TZ).strftime("%Y%m%d%H%M")


def _already_there(punches: list[_Punch]) -> set[tuple[int, str, SignInKind]]:
    """(cadre, minute, direction) of the machine punches the township has in the file's span."""
    if not punches:
        return set()
    first = min(p.at for p in punches)
    last = max(p.at for p in punches) + timedelta(minutes=1)
    ids = sorted({p.cadre.id for p in punches})
    found: set[tuple[int, str, SignInKind]] = set()
    for i in range(0, len(ids), 500):
        found.update((cid, _minute(at), kind) for cid, at, kind in db.session.execute(
            select(SignIn.cadre_id, SignIn.at, SignIn.kind).where(
                SignIn.cadre_id.in_(ids[i:i + 500]), SignIn.source == "machine",
                SignIn.at >= first, SignIn.at < last)))
    return found


def _sort(punches: list[_Punch], township: Township) -> tuple[list[tuple[str, _Punch]], list[RowOutcome]]:
    """The punches to add (with their ref), and an outcome for every punch."""
    there = _already_there(punches)
    seen: set[str] = set()
    new, outcomes = [], []
    for p in punches:
        ref = machine_ref(township.code, p.cadre.public_id, p.at, p.kind)
        duplicate = ref in seen or (p.cadre.id, _minute(p.at), p.kind) in there
        seen.add(ref)
        outcomes.append(RowOutcome(p.line, "duplicate" if duplicate else "add", p.cadre.name, p.at,
                                   p.kind))
        if not duplicate:
            new.append((ref, p))
    return new, outcomes


def import_machine_file(*, township: Township, data: bytes, filename: str, mapping: Mapping,
                        actor: User | None, today: date, commit: bool,
                        progress: Callable[[int, int], None] | None = None) -> ImportResult:
    """Import (or, with commit=False, check) the punches of a file; good rows go in."""
    sheet = read_sheet(data, filename)
    cadres = _Cadres(township)
    punches, errors = [], []
    for done, (line, cells) in enumerate(sheet.body, 1):
        parsed = _parse_row(line, cells, mapping, cadres, today)
        (errors if isinstance(parsed, tabular.RowError) else punches).append(parsed)
        if progress:
            progress(done, len(sheet.body))
    new, outcomes = _sort(_infer_directions(punches), township)
    outcomes += [RowOutcome(e.line, "refused", message=e.message) for e in errors]
    result = ImportResult(added=len(new), duplicates=len(punches) - len(new), errors=errors,
                          rows=sorted(outcomes, key=lambda o: o.line), skipped=sheet.skipped)
    if not commit:
        return result
    now = utcnow()
    db.session.add_all([
        SignIn(cadre_id=p.cadre.id, township_id=township.id, at=p.at, kind=p.kind,
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
