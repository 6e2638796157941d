"""Duty-roster import (值班表): an office's Excel / WPS / CSV roster checked row by row, then written.

The file is read as the office keeps it (`duty_rows`: 日期 / 星期 / 带班领导 / 值班人员 / 电话, an
optional 班次). The preview gives the same per-row account as the cadre import: which shifts
a row fills (new), changes (with who was on them before) or leaves as they are, which rows
are skipped (blank, footer, a day with nobody named) and which are refused and why. Nothing is
written while any row is refused; each confirmed slot carries who was on it at the preview,
and a slot changed by someone else in between is not overwritten.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l

from portal.extensions import db
from portal.models import Cadre, DutyRole, ShiftKind, Township, User
from portal.services.office import duty
from portal.services.office.duty_rows import COLUMN_LABELS, DUTY_COLUMNS, People, read_row
from portal.services.office.tabular import RowError, SkippedRow, merge_skipped, read_table
from portal.services.shared import audit, townships
from portal.services.shared.calendar import official_calendar
from portal.services.shared.errors import ValidationError

__all__ = ["COLUMN_LABELS", "DutyPreview", "PlannedSlot", "preview_duty", "import_duty",
           "month_of_title"]

MAX_ROWS = 800
_TITLE_MONTH = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月")


@dataclass(frozen=True)
class PlannedSlot:
    """A shift the import sets, who will be on it, and who was on it at the preview."""

    line: int
    day: date
    kind: ShiftKind
    leader_id: int | None
    staff_ids: tuple[int, ...]
    before_leader_id: int | None = None
    before_staff_ids: tuple[int, ...] = ()

    @property
    def outcome(self) -> str:
        """add (nobody was on it) | change | same."""
        before = (self.before_leader_id, tuple(sorted(self.before_staff_ids)))
        if before == (None, ()):
            return "add"
        return "same" if before == (self.leader_id, tuple(sorted(self.staff_ids))) else "change"


@dataclass
class DutyPreview:
    """What an import of the file would do, slot by slot."""

    slots: list[PlannedSlot]
    errors: list[RowError]
    skipped: list[SkippedRow]
    ignored_headers: list[str]
    names: dict[int, str] = field(default_factory=dict)
    header_line: int = 1

    @property
    def valid(self) -> bool:
        return bool(self.slots) and not self.errors

    def count(self, outcome: str) -> int:
        return sum(1 for s in self.slots if s.outcome == outcome)

    def name_list(self, ids) -> str:
        """"王建国、孙伟" for cadre ids (or one id)."""
        ids = [ids] if isinstance(ids, int) else list(ids or ())
        return "、".join(self.names.get(i, "?") for i in ids)

    @property
    def span(self) -> tuple[date, date] | None:
        days = [s.day for s in self.slots]
        return (min(days), max(days)) if days else None


def month_of_title(data_titles: list[str]) -> tuple[int, int] | None:
    """The month a title such as "大庄镇2026年3月值班表" names."""
    for text in data_titles:
        match = _TITLE_MONTH.search(text or "")
        if match and 1 <= int(match.group(2)) <= 12:
            return int(match.group(1)), int(match.group(2))
    return None


def _staffing_of(shift) -> tuple[int | None, tuple[int, ...]]:
    if shift is None:
        return None, ()
    leader = next((a.cadre_id for a in shift.assignments if a.role == DutyRole.LEADER), None)
    return leader, tuple(a.cadre_id for a in shift.assignments if a.role == DutyRole.STAFF)


def _title_month(data: bytes, filename: str) -> tuple[int, int] | None:
    from portal.services.office.tabular_files import read_rows

    rows = read_rows(data, filename, max_rows=None).rows[:5]
    return month_of_title([" ".join(r) for r in rows])


def preview_duty(*, township: Township, data: bytes, filename: str,
                 month: tuple[int, int] | None = None,
                 progress: Callable[[int, int], None] | None = None) -> DutyPreview:
    """Read a duty-roster file and check every row; TabularError when the file is unreadable."""
    table = read_table(data, filename=filename, columns=DUTY_COLUMNS, max_rows=MAX_ROWS)
    month = month or _title_month(data, filename)
    cadres = list(db.session.scalars(db.select(Cadre).where(
        Cadre.township_id == township.id, Cadre.active.is_(True))))
    people, calendar = People(cadres), official_calendar()
    read, errors, skipped = [], [], list(table.skipped)
    for done, row in enumerate(table.rows, 1):
        got = read_row(row, month=month, people=people, calendar=calendar)
        if progress:
            progress(done, len(table.rows))
        if got.errors:
            errors.extend(got.errors)
        elif got.leader is None and not got.staff:
            skipped.append(SkippedRow(row.line, row.line, str(_l("这一天没有填人"))))
        else:
            read.append(got)
    slots = _plan(township, read, errors)
    if not table.rows:
        errors.append(RowError(table.header_line, "", str(_l("表头下面没有数据行。"))))
    errors.sort(key=lambda e: e.line)
    return DutyPreview(slots=slots, errors=errors, skipped=merge_skipped(skipped),
                       ignored_headers=table.ignored_headers,
                       names={c.id: c.name for c in cadres}, header_line=table.header_line)


def _plan(township: Township, rows: list, errors: list[RowError]) -> list[PlannedSlot]:
    """One planned slot per shift a row fills, compared with what the roster has now."""
    if not rows:
        return []
    days = [r.day for r in rows]
    existing = duty.load_shifts(township.id, min(days), max(days))
    first_line: dict[tuple[date, ShiftKind], int] = {}
    slots = []
    for row in rows:
        for kind in row.kinds:
            key = (row.day, kind)
            if key in first_line:
                errors.append(RowError(row.line, "date", str(_l(
                    "%(day)s 的%(shift)s与第 %(line)s 行重复。", day=row.day.isoformat(),
                    shift=_l("白班") if kind == ShiftKind.DAY else _l("夜班"), line=first_line[key]))))
                continue
            first_line[key] = row.line
            leader, staff = _staffing_of(existing.get(key))
            slots.append(PlannedSlot(row.line, row.day, kind, row.leader.id if row.leader else None,
                                     tuple(c.id for c in row.staff), leader, staff))
    return slots


def import_duty(*, user: User | None, township: Township, slots: list[PlannedSlot]) -> int:
    """Write checked slots in one transaction; returns how many shifts changed."""
    if not slots:
        raise ValidationError(_l("没有可导入的班次。"))
    days = [s.day for s in slots]
    existing = duty.load_shifts(township.id, min(days), max(days))
    stale = sorted({s.day.isoformat() for s in slots if _staffing_of(existing.get((s.day, s.kind)))
                    != (s.before_leader_id, tuple(s.before_staff_ids))})
    if stale:
        raise ValidationError(_l("预览之后，%(days)s 的值班已有改动：请重新上传文件检查后再导入。",
                                 days="、".join(stale[:5])))
    changed = duty.set_slots(user=user, township=township, slots={
        (s.day, s.kind): duty.Staffing(s.leader_id, s.staff_ids) for s in slots})
    audit.record("roster.import", actor=user, object_type="township", object_id=township.code,
                 detail={"from": min(days).isoformat(), "to": max(days).isoformat(),
                         "slots": len(slots), "changed": changed})
    townships.touch(township.id)
    db.session.commit()
    return changed
