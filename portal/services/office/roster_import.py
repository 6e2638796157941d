"""Roster import (花名册): a clerk's Excel / WPS / CSV file checked row by row, then written in one go.

The preview says, per row, what the import would do: add a cadre, change one (each changed
field with its stored and its new value, so that no phone number is replaced unseen), leave
one as it is, or refuse the row and why; and which rows it skips (blank, footer, repeated
header). Numbers Excel mangled are repaired and shown: a landline typed as a number lost its
leading 0 and gets it back with its area code. Nothing is written while any row is refused;
the confirmed rows carry the values the preview showed, and a cadre changed by someone else
in between is not overwritten.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from portal import clock
from portal.extensions import db
from portal.models import Cadre, ChiefRole, Township, User
from portal.rules import phones
from portal.services.office.cadres import chief_label, infer_chief_role, list_cadres
from portal.services.office.roster_rows import ROSTER_COLUMNS, Change, RowCheck, check_row
from portal.services.office.tabular import RowError, SkippedRow, read_table
from portal.services.shared import audit, townships
from portal.services.shared.errors import ValidationError

__all__ = ["ROSTER_COLUMNS", "Change", "ImportRow", "RosterPreview", "ImportSummary",
           "preview_roster", "import_roster"]

MAX_ROWS = 500
# The fields an import writes, in the order the preview lists their changes.
FIELDS = ("post", "is_leader", "office_phone", "personal_phone", "machine_number")


@dataclass(frozen=True)
class ImportRow:
    """A valid row of a roster file, and whether it adds a cadre or changes one (and how)."""

    line: int
    name: str
    post: str
    is_leader: bool
    office_phone: str
    personal_phone: str = ""
    machine_number: str | None = None
    existing_id: int | None = None
    changes: tuple[Change, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def is_new(self) -> bool:
        return self.existing_id is None

    @property
    def outcome(self) -> str:
        """add | change | same."""
        if self.is_new:
            return "add"
        return "change" if self.changes else "same"


@dataclass
class RosterPreview:
    """What an import of the file would do, row by row."""

    rows: list[ImportRow]
    errors: list[RowError]
    ignored_headers: list[str]
    skipped: list[SkippedRow] = field(default_factory=list)
    header_line: int = 1
    format: str = "csv"

    @property
    def valid(self) -> bool:
        return bool(self.rows) and not self.errors

    def count(self, outcome: str) -> int:
        return sum(1 for r in self.rows if r.outcome == outcome)

    @property
    def refused_lines(self) -> list[int]:
        return sorted({e.line for e in self.errors})


@dataclass(frozen=True)
class ImportSummary:
    added: int
    updated: int
    unchanged: int


def _area_hint(township: Township) -> str | None:
    from portal.rules.phones import area_code

    return area_code(township.office_phone or "")


def _as_row(check: RowCheck, current: Cadre | None) -> ImportRow:
    values = check.values
    changes: list[Change] = []
    if current is not None:
        for key in FIELDS:
            new = values[key]
            old = getattr(current, key)
            if key == "is_leader" and check.leader_inferred:
                new = old  # the file did not say: a stored choice stands
            if key in ("office_phone", "personal_phone") and phones.same_number(new, old or ""):
                continue  # the same number written another way: the stored one stands
            if new not in (None, "") and new != old:
                changes.append(Change(key, old, new))
    is_leader = values["is_leader"] if current is None or not check.leader_inferred else (
        current.is_leader)
    notes = check.notes if current is None or not check.leader_inferred else tuple(
        n for n in check.notes if n != check.leader_note)
    return ImportRow(check.line, values["name"], values["post"], is_leader,
                     values["office_phone"], values["personal_phone"], values["machine_number"],
                     current.id if current else None, tuple(changes), notes)


def _machine_errors(rows: list[ImportRow], cadres: list[Cadre]) -> list[RowError]:
    """An attendance-machine number held twice in the file, or by another cadre already."""
    errors: list[RowError] = []
    held = {c.machine_number: c for c in cadres if c.machine_number}
    first: dict[str, int] = {}
    for row in rows:
        number = row.machine_number
        if not number:
            continue
        if number in first:
            errors.append(RowError(row.line, "machine_number", str(_l(
                "考勤机号 %(number)s 与第 %(line)s 行重复。", number=number, line=first[number]))))
        first.setdefault(number, row.line)
        holder = held.get(number)
        if holder is not None and holder.id != row.existing_id:
            errors.append(RowError(row.line, "machine_number", str(_l(
                "考勤机号 %(number)s 已是 %(name)s 的。", number=number, name=holder.name))))
    return errors


def preview_roster(*, township: Township, data: bytes, filename: str,
                   progress: Callable[[int, int], None] | None = None) -> RosterPreview:
    """Read a roster file and check every row; raises TabularError when the file is unreadable."""
    table = read_table(data, filename=filename, columns=ROSTER_COLUMNS, max_rows=MAX_ROWS)
    cadres = list_cadres(township.id)
    existing = {c.name: c for c in cadres}
    hint = _area_hint(township)
    rows: list[ImportRow] = []
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    for done, row in enumerate(table.rows, 1):
        check = check_row(row, seen, area_hint=hint, has_leader_column="leader" in table.headers)
        errors.extend(check.errors)
        if not check.errors:
            rows.append(_as_row(check, existing.get(check.values["name"])))
        if progress:
            progress(done, len(table.rows))
    errors.extend(_chief_errors(rows))
    errors.extend(_machine_errors(rows, cadres))
    if not table.rows:
        errors.append(RowError(table.header_line, "", str(_l("表头下面没有数据行。"))))
    errors.sort(key=lambda e: e.line)
    return RosterPreview(rows=rows, errors=errors, ignored_headers=table.ignored_headers,
                         skipped=table.skipped, header_line=table.header_line, format=table.format)


def _chief_errors(rows: list[ImportRow]) -> list[RowError]:
    errors = []
    for role in ChiefRole:
        lines = [r.line for r in rows if infer_chief_role(r.post) == role]
        for line in lines[1:]:
            errors.append(RowError(line, "post", str(_l("文件中有不止一位%(role)s（另见第 %(first)s 行）。",
                                                      role=chief_label(role), first=lines[0]))))
    return errors


def _stale(row: ImportRow, cadre: Cadre | None) -> bool:
    """The record is no longer what the preview showed (someone changed it in between)."""
    if row.existing_id is None:
        return cadre is not None
    if cadre is None or cadre.id != row.existing_id:
        return True
    return any(getattr(cadre, c.field) != c.old for c in row.changes)


def import_roster(*, user: User | None, township: Township, rows: list[ImportRow]) -> ImportSummary:
    """Write a checked roster in one transaction: new cadres added, changed ones updated.

    Cadres missing from the file are left as they are: leaving the township is a deliberate
    deactivation, not a side effect of an import. A new cadre, or one who had left and is on
    the file again, joins today (a new service period: the old record keeps the earlier
    period's history). Refused as a whole when a record changed since the preview.
    """
    if not rows:
        raise ValidationError(_l("没有可导入的行。"))
    existing = {c.name: c for c in list_cadres(township.id)}
    stale = [r.name for r in rows if _stale(r, existing.get(r.name))]
    if stale:
        raise ValidationError(_l("预览之后，%(names)s 的记录已有改动：请重新上传文件检查后再导入。",
                                 names="、".join(stale[:5])))
    added = updated = 0
    for order, row in enumerate(rows):
        cadre = existing.get(row.name)
        if cadre is None:
            cadre = Cadre(township_id=township.id, name=row.name, sort_order=(0 if row.is_leader
                          else 100) + order, joined_on=clock.today())
            db.session.add(cadre)
            added += 1
            cadre.post, cadre.is_leader = row.post, row.is_leader
            for key in ("office_phone", "personal_phone", "machine_number"):
                setattr(cadre, key, getattr(row, key) or (None if key == "machine_number" else ""))
            cadre.chief_role = infer_chief_role(cadre.post)
        elif row.changes:
            updated += 1
            for change in row.changes:
                setattr(cadre, change.field, change.new)
            if any(c.field == "post" for c in row.changes):
                cadre.chief_role = infer_chief_role(cadre.post)
    db.session.flush()
    _check_chiefs_after(township)
    audit.record("cadre.import", actor=user, object_type="township", object_id=township.code,
                 detail={"added": added, "updated": updated, "unchanged": len(rows) - added - updated})
    townships.touch(township.id)
    db.session.commit()
    return ImportSummary(added, updated, len(rows) - added - updated)


def _check_chiefs_after(township: Township) -> None:
    holders = {}
    for cadre in list_cadres(township.id):
        if cadre.chief_role and holders.setdefault(cadre.chief_role, cadre.id) != cadre.id:
            db.session.rollback()
            raise ValidationError(_l("导入后会有两位%(role)s，请先修改现有记录。",
                                     role=chief_label(cadre.chief_role)))
