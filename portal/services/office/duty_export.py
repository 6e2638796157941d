"""The duty roster of a month as an Excel sheet, in the layout township offices use.

日期 / 星期 / 带班领导 / 值班人员 / 电话, one row a day, every day of the month (an empty row is
a shift still to fill); a 班次 column (白班 / 夜班 / 全天) appears only when some day's day
and night shifts are staffed differently. The sheet imports back unchanged (`duty_import`).
Names are written alone, or with the post in brackets where two active cadres share a name.
"""

from __future__ import annotations

from collections import Counter

from flask_babel import gettext as _

from portal.extensions import db
from portal.models import Cadre, ShiftKind, Township
from portal.services.office import duty
from portal.services.office.duty_rows import WEEKDAY_LABELS
from portal.services.shared.calendar import official_calendar
from portal.services.shared.spreadsheets import Column, Sheet


def _names(cadres: dict[int, Cadre]) -> dict[int, str]:
    counts = Counter(c.name for c in cadres.values() if c.active)
    return {cid: f"{c.name}（{c.post}）" if counts[c.name] > 1 else c.name
            for cid, c in cadres.items()}


def _people(cell: duty.ShiftCell) -> tuple[tuple[int, ...], tuple[int, ...]]:
    return tuple(cell.leader_ids[:1]), tuple(cell.staff_ids)


def _day_rows(row: duty.DayRow, rest: bool) -> list[tuple[str, duty.ShiftCell]]:
    """(班次, cell) pairs for a day: one "全天"/夜班 row when that says it all, else one a shift."""
    day, night = row.cells[ShiftKind.DAY], row.cells[ShiftKind.NIGHT]
    if rest and _people(day) == _people(night):
        return [(_("全天"), night)]
    if rest or day.leader_ids or day.staff_ids:
        return [(_("白班"), day), (_("夜班"), night)]
    return [(_("夜班"), night)]


def month_sheet(township: Township, year: int, month: int) -> Sheet:
    """The month's roster as a sheet for `spreadsheets.xlsx_bytes`."""
    roster = duty.month_roster(township.id, year, month)
    cadres = {c.id: c for c in db.session.scalars(
        db.select(Cadre).where(Cadre.township_id == township.id))}
    names = _names(cadres)
    calendar = official_calendar()
    by_day = [(row.day.date, _day_rows(row, calendar.is_rest_day(row.day.date)))
              for row in roster.days]
    # A 班次 column only when some day needs two rows (its day and night differ).
    split = any(len(pairs) > 1 for _day, pairs in by_day)
    planned = [(day, label, cell) for day, pairs in by_day for label, cell in pairs]
    columns = [Column(_("日期"), "date"), Column(_("星期"))]
    columns += [Column(_("班次"))] if split else []
    columns += [Column(_("带班领导")), Column(_("值班人员")), Column(_("电话"))]
    rows = []
    for day, label, cell in planned:
        ids = cell.leader_ids[:1] + cell.staff_ids
        phones = list(dict.fromkeys(cadres[i].office_phone for i in ids if cadres[i].office_phone))
        row = [day, str(WEEKDAY_LABELS[day.weekday()])] + ([label] if split else [])
        row += ["、".join(names[i] for i in cell.leader_ids[:1]),
                "、".join(names[i] for i in cell.staff_ids), "、".join(phones)]
        rows.append(row)
    title = _("%(township)s%(year)s年%(month)s月值班表", township=township.name, year=year,
              month=month)
    return Sheet(name=_("值班表"), columns=columns, rows=rows, title=title)
