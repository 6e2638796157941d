"""One row of a duty-roster file (值班表) read: the day, its shifts and the people on them.

Township offices keep the roster one row a day: 日期 / 星期 / 带班领导 / 值班人员 / 电话, with a
班次 column (白班 / 夜班 / 全天) only when the day and the night differ. A row without a
班次 is the day's whole duty: the night shift, and on a rest day (weekend, holiday) the day
shift too. Dates may leave out the year ("3月1日") when the month is known; names may carry
the post in brackets ("王建国（党委书记）"), which tells two cadres of one name apart.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l

from portal.models import Cadre, ShiftKind
from portal.rules.calendar import OfficialCalendar
from portal.services.office.tabular import Column, Row, RowError, parse_date

DUTY_COLUMNS = [
    Column("date", ("日期", "值班日期", "date")),
    Column("weekday", ("星期", "周", "weekday"), required=False),
    Column("shift", ("班次", "时段", "值班时段", "shift"), required=False),
    Column("leader", ("带班领导", "带班", "带班人", "值班领导", "leader", "duty leader")),
    Column("staff", ("值班人员", "值班人", "值班干部", "staff", "duty staff"), required=False),
]
COLUMN_LABELS = {"date": _l("日期"), "weekday": _l("星期"), "shift": _l("班次"),
                 "leader": _l("带班领导"), "staff": _l("值班人员")}
MAX_STAFF = 6
WEEKDAY_WORDS = {
    0: ("星期一", "周一", "礼拜一", "一", "monday", "mon"),
    1: ("星期二", "周二", "礼拜二", "二", "tuesday", "tue"),
    2: ("星期三", "周三", "礼拜三", "三", "wednesday", "wed"),
    3: ("星期四", "周四", "礼拜四", "四", "thursday", "thu"),
    4: ("星期五", "周五", "礼拜五", "五", "friday", "fri"),
    5: ("星期六", "周六", "礼拜六", "六", "saturday", "sat"),
    6: ("星期日", "星期天", "周日", "周天", "礼拜日", "礼拜天", "日", "天", "sunday", "sun"),
}
WEEKDAY_NAMES = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")
# The same, in the user's language, for what the portal writes (an export, a message).
WEEKDAY_LABELS = (_l("星期一"), _l("星期二"), _l("星期三"), _l("星期四"), _l("星期五"), _l("星期六"),
                  _l("星期日"))
SHIFT_WORDS = {
    "day": ("白班", "白天", "日班", "昼", "day", "dayshift"),
    "night": ("夜班", "晚班", "夜间", "晚上", "夜", "night", "nightshift"),
    "both": ("全天", "全日", "24小时", "昼夜", "白班+夜班", "白班、夜班", "allday"),
}
_NAME_SPLIT = re.compile(r"[、，,/；;\s]+")
_WITH_POST = re.compile(r"^(.+?)[（(](.*?)[)）]$")
_SHORT_DATE = re.compile(r"^(?:(\d{1,2})\s*[月/.\-])?\s*(\d{1,2})\s*日?$")


def _fold(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text or "").lower().split())


def parse_day(text: str, month: tuple[int, int] | None) -> date | None:
    """A date as written: in full, or "3月1日" / "3/1" / "1日" within the known month's year."""
    full = parse_date(text)
    if full is not None:
        return full
    match = _SHORT_DATE.match(unicodedata.normalize("NFKC", text or "").strip())
    if match is None or month is None:
        return None
    try:
        return date(month[0], int(match.group(1) or month[1]), int(match.group(2)))
    except ValueError:
        return None


def parse_weekday(text: str) -> int | None:
    folded = _fold(text)
    return next((day for day, words in WEEKDAY_WORDS.items() if folded in words), None)


def shift_kinds(text: str, day: date, calendar: OfficialCalendar) -> tuple[ShiftKind, ...] | None:
    """The shifts a row stands for; None when the 班次 cannot be read."""
    folded = _fold(text)
    if folded in SHIFT_WORDS["day"]:
        return (ShiftKind.DAY,)
    if folded in SHIFT_WORDS["night"]:
        return (ShiftKind.NIGHT,)
    if folded and folded not in SHIFT_WORDS["both"]:
        return None
    if calendar.is_rest_day(day):
        return (ShiftKind.DAY, ShiftKind.NIGHT)
    return (ShiftKind.NIGHT,)


@dataclass(frozen=True)
class Named:
    """A name as written in a cell, and the post in brackets after it, if any."""

    name: str
    post: str = ""


def names_in(text: str) -> list[Named]:
    out = []
    for part in _NAME_SPLIT.split(unicodedata.normalize("NFKC", text or "").strip()):
        if not part:
            continue
        match = _WITH_POST.match(part)
        out.append(Named(match.group(1), match.group(2)) if match else Named(part))
    return out


class People:
    """The township's active cadres, found by name (and post when two share a name)."""

    def __init__(self, cadres: list[Cadre]) -> None:
        self.by_name: dict[str, list[Cadre]] = {}
        for cadre in cadres:
            self.by_name.setdefault("".join(cadre.name.split()), []).append(cadre)

    def find(self, named: Named) -> tuple[Cadre | None, str | None]:
        matches = self.by_name.get(named.name, [])
        if named.post and len(matches) > 1:
            matches = [c for c in matches if c.post == named.post]
        if len(matches) == 1:
            return matches[0], None
        if not matches:
            return None, str(_l("本乡镇在册干部里没有“%(name)s”。", name=named.name))
        return None, str(_l("在册干部里有 %(n)s 个“%(name)s”：请写成“%(name)s（职务）”。",
                            n=len(matches), name=named.name))


@dataclass(frozen=True)
class ReadRow:
    """A row read: its day and shifts, the leader and staff found, or its errors."""

    line: int
    day: date | None
    kinds: tuple[ShiftKind, ...]
    leader: Cadre | None
    staff: tuple[Cadre, ...]
    errors: tuple[RowError, ...]


def _day_of(row: Row, month, refuse) -> date | None:
    day = parse_day(row["date"], month)
    if day is None:
        refuse("date", _l("日期没有年份：请写全（如 2026-03-01）或选择月份。") if parse_day(
            row["date"], (2000, 1)) else _l("无法识别日期“%(text)s”。", text=row["date"]))
        return None
    weekday = parse_weekday(row["weekday"]) if row["weekday"] else day.weekday()
    if weekday is None or weekday != day.weekday():
        refuse("weekday", _l("%(day)s 是%(weekday)s，不是“%(text)s”。", day=day.isoformat(),
                             weekday=WEEKDAY_LABELS[day.weekday()], text=row["weekday"]))
    return day


def _leader_of(row: Row, people: People, refuse) -> Cadre | None:
    named = names_in(row["leader"])
    if len(named) > 1:
        refuse("leader", _l("每个班次只能有一名带班领导，这里写了 %(n)s 人。", n=len(named)))
        return None
    if not named:
        return None
    leader, problem = people.find(named[0])
    if problem:
        refuse("leader", problem)
    elif not leader.is_leader:
        refuse("leader", _l("%(name)s 不是班子成员，不能带班。", name=leader.name))
    return leader


def read_row(row: Row, *, month: tuple[int, int] | None, people: People,
             calendar: OfficialCalendar) -> ReadRow:
    """Read one data row of a duty-roster file."""
    errors: list[RowError] = []

    def refuse(column: str, message) -> None:
        errors.append(RowError(row.line, column, str(message)))

    day = _day_of(row, month, refuse)
    kinds = shift_kinds(row["shift"], day, calendar) if day else ()
    if day and kinds is None:
        refuse("shift", _l("班次应为白班、夜班或全天，而不是“%(text)s”。", text=row["shift"]))
    leader = _leader_of(row, people, refuse)
    staff: list[Cadre] = []
    for named in names_in(row["staff"]):
        cadre, problem = people.find(named)
        if problem:
            refuse("staff", problem)
        elif leader is not None and cadre.id == leader.id:
            refuse("staff", _l("%(name)s 不能既带班又值班。", name=cadre.name))
        elif cadre not in staff:
            staff.append(cadre)
    if len(staff) > MAX_STAFF:
        refuse("staff", _l("一个班次最多 %(n)s 名值班人员。", n=MAX_STAFF))
    return ReadRow(row.line, day, kinds or (), leader, tuple(staff), tuple(errors))
