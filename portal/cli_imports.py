"""`flask cadres|roster|attendance import FILE...`: the office imports from the command line.

For the county IT office that loads every township at once. Each command takes one or more
files, for the township given by `--township CODE` or, without it, by the 9-digit code each
file name starts with (`990101001-花名册.xlsx`). It prints, file by file and row by row, what
the import adds, changes, leaves, skips and refuses and why (the same preview the clerk sees
on the web), shows a progress bar on large files, and with `--dry-run` writes nothing. The
exit status is non-zero when any row of any file is refused (the cadre and duty-roster
imports then write nothing for that file, as on the web) or a file cannot be read.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from flask_babel import gettext as _

from portal import clock
from portal.rules.calendar import TZ
from portal.services.office import attendance_import, duty_import, roster_import
from portal.services.office.roster import parse_month
from portal.services.office.roster_rows import COLUMN_LABELS
from portal.services.shared import townships
from portal.services.shared.errors import ServiceError, ValidationError

cadres_cli = AppGroup("cadres", help="Township rosters of cadres (花名册).")
roster_cli = AppGroup("roster", help="Duty rosters (值班表).")
attendance_cli = AppGroup("attendance", help="Attendance-machine records (考勤机).")

PROGRESS_FROM = 200  # rows: smaller files are checked before a bar would show
_CODE_PREFIX = re.compile(r"^(\d{9})(?!\d)")
_COLUMN = re.compile(r"^(name|number|time|date|direction)=([A-Za-z]{1,2}|\d{1,2})$")

FILES = click.argument("files", nargs=-1, required=True,
                       type=click.Path(exists=True, dir_okay=False, path_type=Path))
TOWNSHIP = click.option("--township", "code", default=None,
                        help="Township code (9 digits); default: the code each file name starts with.")
DRY_RUN = click.option("--dry-run", is_flag=True, help="Print the preview and write nothing.")
QUIET = click.option("--quiet", is_flag=True, help="Print only refused rows and the summaries.")


class Progress:
    """A progress bar on stderr, shown once a file turns out to have many rows."""

    def __init__(self, label: str) -> None:
        self.label, self.bar, self.shown = label, None, 0

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None and total >= PROGRESS_FROM:
            self.bar = click.progressbar(length=total, label=self.label, file=sys.stderr)
            self.bar.__enter__()
        if self.bar is not None:
            self.bar.update(done - self.shown)
            self.shown = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


class Report:
    """What one file's import prints: a line per row, in line order, then the summary."""

    def __init__(self, quiet: bool) -> None:
        self.quiet, self.lines, self.refused = quiet, [], 0

    def row(self, line: int | str, outcome: str, text: str) -> None:
        if outcome == "refused":
            self.refused += 1
        if not self.quiet or outcome == "refused":
            label = f"row {line}" if isinstance(line, int) else f"rows {line}"
            self.lines.append((_order(line), f"  {label:<11} {outcome:<9} {text}"))

    def print(self) -> None:
        for _key, text in sorted(self.lines, key=lambda item: item[0]):
            click.echo(text)


def _order(line: int | str) -> int:
    return line if isinstance(line, int) else int(re.split(r"\D", line)[0])


def _township(path: Path, code: str | None):
    code = code or (m.group(1) if (m := _CODE_PREFIX.match(path.name)) else None)
    if code is None:
        raise ValidationError(f"{path.name}: no --township given and the file name does not start "
                              "with a 9-digit township code")
    township = townships.get_by_code(code)
    if township is None:
        raise ValidationError(f"{path.name}: no active township has the code {code}")
    return township


def _each_file(files: tuple[Path, ...], code: str | None, one: Callable) -> None:
    """Run `one(path, township)` for every file; exit 1 if any refused a row or failed."""
    failed = False
    with current_app.test_request_context():  # messages in the default language
        for path in files:
            try:
                township = _township(path, code)
                click.echo(f"{township.code} {township.name}: {path.name}")
                failed |= bool(one(path, township))
            except ServiceError as error:  # an unreadable file (TabularError) included
                click.echo(f"  error: {error}", err=True)
                failed = True
    if failed:
        click.get_current_context().exit(1)


def _mask(phone: str) -> str:
    """A personal phone as the terminal shows it: 138****0001."""
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 8 else "****"


def _masked_change(old: str, new: str) -> str:
    """A personal phone's change with both numbers masked, yet told apart: when the usual mask
    (138****0001) would print two different numbers alike, the last four digits are masked."""
    if old and _mask(old) == _mask(new) and old != new and len(old) == len(new) >= 8:
        return f"{old[:-4]}**** → {new[:-4]}****"
    return f"{_mask(old) if old else _show(old)} → {_mask(new)}"


def _show(value) -> str:
    if value is True or value is False:
        return _("是") if value else _("否")
    return str(value) if value not in (None, "") else _("（空）")


def _cadre_text(row: roster_import.ImportRow) -> str:
    if row.outcome == "add":
        parts = [row.name, row.post, str(COLUMN_LABELS["leader"]) if row.is_leader else ""]
        parts += [f"{COLUMN_LABELS['office_phone']} {row.office_phone}" if row.office_phone else "",
                  f"{COLUMN_LABELS['personal_phone']} {_mask(row.personal_phone)}"
                  if row.personal_phone else "",
                  f"{COLUMN_LABELS['machine_number']} {row.machine_number}" if row.machine_number else ""]
        return " · ".join(p for p in parts if p)
    changes = [f"{COLUMN_LABELS[c.field]} "
               + (_masked_change(str(c.old or ""), str(c.new)) if c.field == "personal_phone"
                  else f"{_show(c.old)} → {_show(c.new)}") for c in row.changes]
    return " · ".join([row.name, *changes])


def _skipped(report: Report, skipped) -> None:
    for s in skipped:
        report.row(s.line if s.line == s.last_line else s.lines, "skipped", s.reason)


def _read(path: Path) -> bytes:
    return path.read_bytes()


def _cadres_one(path: Path, township, *, dry_run: bool, quiet: bool) -> bool:
    progress = Progress("  checking")
    try:
        preview = roster_import.preview_roster(township=township, data=_read(path),
                                               filename=path.name, progress=progress)
    finally:
        progress.close()
    report = Report(quiet)
    for row in preview.rows:
        report.row(row.line, row.outcome, _cadre_text(row))
        for note in row.notes:
            report.row(row.line, "note", note)
    for error in preview.errors:
        report.row(error.line, "refused", f"{COLUMN_LABELS.get(error.column, '')}: {error.message}")
    _skipped(report, preview.skipped)
    report.print()
    click.echo(f"  {preview.count('add')} to add, {preview.count('change')} to change, "
               f"{preview.count('same')} unchanged, {len(preview.skipped)} skipped, "
               f"{len(preview.refused_lines)} refused (header on row {preview.header_line})")
    if preview.errors or not preview.rows:
        click.echo("  not imported: correct the refused rows and run again")
        return True
    if dry_run:
        click.echo("  dry run: nothing written")
        return False
    done = roster_import.import_roster(user=None, township=township, rows=preview.rows)
    click.echo(f"  imported: {done.added} added, {done.updated} updated, {done.unchanged} unchanged")
    return False


@cadres_cli.command("import")
@FILES
@TOWNSHIP
@DRY_RUN
@QUIET
def cadres_import(files: tuple[Path, ...], code: str | None, dry_run: bool, quiet: bool) -> None:
    """Import rosters of cadres (花名册: .xlsx, .xls, .ods, CSV), one township per file."""
    _each_file(files, code, lambda path, t: _cadres_one(path, t, dry_run=dry_run, quiet=quiet))


def _duty_one(path: Path, township, *, month, dry_run: bool, quiet: bool) -> bool:
    progress = Progress("  checking")
    try:
        preview = duty_import.preview_duty(township=township, data=_read(path), filename=path.name,
                                           month=month, progress=progress)
    finally:
        progress.close()
    report = Report(quiet)
    for slot in preview.slots:
        kind = _("白班") if slot.kind.value == "day" else _("夜班")
        who = f"{_('带班')} {preview.name_list(slot.leader_id)}" if slot.leader_id else ""
        who += f" {_('值班')} {preview.name_list(slot.staff_ids)}" if slot.staff_ids else ""
        if slot.outcome == "change":
            before = preview.name_list([slot.before_leader_id] if slot.before_leader_id else [])
            who += (f" (was {_('带班')} {before or '-'} {_('值班')} "
                    f"{preview.name_list(slot.before_staff_ids) or '-'})")
        report.row(slot.line, slot.outcome, f"{slot.day.isoformat()} {kind} {who.strip()}")
    for error in preview.errors:
        report.row(error.line, "refused",
                   f"{duty_import.COLUMN_LABELS.get(error.column, '')}: {error.message}")
    _skipped(report, preview.skipped)
    report.print()
    click.echo(f"  {preview.count('add')} shifts to fill, {preview.count('change')} to change, "
               f"{preview.count('same')} unchanged, {len(preview.skipped)} skipped, "
               f"{len({e.line for e in preview.errors})} refused")
    if preview.errors or not preview.slots:
        click.echo("  not imported: correct the refused rows and run again")
        return True
    if dry_run:
        click.echo("  dry run: nothing written")
        return False
    changed = duty_import.import_duty(user=None, township=township, slots=preview.slots)
    click.echo(f"  imported: {changed} shifts changed")
    return False


@roster_cli.command("import")
@FILES
@TOWNSHIP
@click.option("--month", default=None, help="YYYY-MM, for dates written without a year.")
@DRY_RUN
@QUIET
def roster_import_command(files: tuple[Path, ...], code: str | None, month: str | None,
                          dry_run: bool, quiet: bool) -> None:
    """Import duty rosters (值班表: 日期 / 星期 / 带班领导 / 值班人员), one township per file."""
    parsed = parse_month(month) if month else None
    if month and parsed is None:
        raise click.BadParameter("use YYYY-MM", param_hint="--month")
    _each_file(files, code, lambda path, t: _duty_one(path, t, month=parsed, dry_run=dry_run,
                                                         quiet=quiet))


def _column_index(text: str) -> int:
    if text.isdigit():
        return int(text) - 1
    index = 0
    for letter in text.upper():
        index = index * 26 + ord(letter) - 64
    return index - 1


def _mapping(sheet, columns: tuple[str, ...]) -> attendance_import.Mapping:
    chosen = dict(sheet.guesses)
    for item in columns:
        match = _COLUMN.match(item.strip())
        if match is None:
            raise click.BadParameter(f"{item!r}: use KEY=COLUMN, such as name=B or time=3",
                                     param_hint="--column")
        chosen[match.group(1)] = _column_index(match.group(2))
    if chosen.get("time") is None or (chosen.get("name") is None and chosen.get("number") is None):
        raise ValidationError("cannot tell which column holds the time and the name or machine "
                              "number: give them with --column time=C --column name=B")
    return attendance_import.Mapping(**chosen)


def _attendance_one(path: Path, township, *, columns, dry_run: bool, quiet: bool) -> bool:
    data = _read(path)
    sheet = attendance_import.read_sheet(data, path.name)
    mapping = _mapping(sheet, columns)
    progress = Progress("  checking")
    try:
        result = attendance_import.import_machine_file(
            township=township, data=data, filename=path.name, mapping=mapping, actor=None,
            today=clock.today(), commit=not dry_run, progress=progress)
    finally:
        progress.close()
    report = Report(quiet)
    for row in result.rows:
        text = row.message if row.outcome == "refused" else (
            f"{row.cadre} {row.at.astimezone(TZ):%Y-%m-%d %H:%M} "
            f"{_('签到') if row.kind.value == 'in' else _('签退')}")
        report.row(row.line, row.outcome, text)
    _skipped(report, result.skipped)
    report.print()
    verb = "added" if result.committed else "to add"
    click.echo(f"  {result.added} {verb}, {result.duplicates} duplicates skipped, "
               f"{len(result.errors)} refused" + ("" if result.committed else "; dry run: nothing written"))
    return bool(result.errors)


@attendance_cli.command("import")
@FILES
@TOWNSHIP
@click.option("--column", "columns", multiple=True, metavar="KEY=COLUMN",
              help="Which column holds name, number, time, date or direction (letter or "
                   "number), where the guess is wrong; repeatable.")
@DRY_RUN
@QUIET
def attendance_import_command(files: tuple[Path, ...], code: str | None, columns: tuple[str, ...],
                              dry_run: bool, quiet: bool) -> None:
    """Import attendance-machine records (.xlsx, .xls, CSV exports or attlog.dat)."""
    _each_file(files, code, lambda path, t: _attendance_one(path, t, columns=columns,
                                                               dry_run=dry_run, quiet=quiet))


def register(app: Flask) -> None:
    for group in (cadres_cli, roster_cli, attendance_cli):
        app.cli.add_command(group)
