"""The inspector's queue as CSV or XLSX: scope-filtered, the queue's own filters, audited.

No reporter identity, description or message leaves through an export: only what the
queue shows (township, category, status, dates, deadline, assignee). The files are written
by `shared.spreadsheets` (real date cells, widths, a frozen header with a filter; CSV with
a byte-order mark).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from portal.extensions import db
from portal.models import Report, User, labels
from portal.models.base import utcnow
from portal.rules import deadlines, lifecycle
from portal.services.casework import case_numbers
from portal.services.casework.queue import QueueFilters, assignees_of, encode_cursor, page_statement
from portal.services.shared import audit, spreadsheets
from portal.services.shared.calendar import official_calendar
from portal.services.shared.spreadsheets import Column

MAX_ROWS = 100_000
BATCH = 1000


def columns() -> list[Column]:
    """The export's columns; times are date cells in the spreadsheet, local time in the CSV."""
    return [Column(_("编号")), Column(_("案件编号")), Column(_("乡镇")), Column(_("类别")), Column(_("状态")),
            Column(_("被举报干部")), Column(_("提交时间"), "datetime"), Column(_("已过工作日"), "int"),
            Column(_("当前期限"), "datetime"), Column(_("是否逾期")), Column(_("已上报上级")),
            Column(_("承办人"))]


# Text a spreadsheet would run as a formula is prefixed (CSV injection).
_safe = spreadsheets.safe


def _sort_key(report: Report, filters: QueueFilters) -> datetime:
    if filters.normalized().sort == "due":
        return _due(report)
    return report.submitted_at


def _due(report: Report) -> datetime | None:
    return lifecycle.deadline(report.status, report.accept_due, report.conclude_due)


def iter_rows(*, user: User, filters: QueueFilters, now: datetime | None = None) -> Iterator[list]:
    """The rows of every page of the filtered queue, in queue order (keyset, batch by batch)."""
    now = now or utcnow()
    calendar = official_calendar()
    cursor, sent = None, 0
    while sent < MAX_ROWS:
        stmt = page_statement(user, filters, cursor, BATCH, now).options(
            joinedload(Report.township), joinedload(Report.cadre))
        rows = list(db.session.scalars(stmt).unique())
        batch, more = rows[:BATCH], len(rows) > BATCH
        people = assignees_of(batch)
        numbers = case_numbers.numbers_of(batch)
        for r in batch:
            due = _due(r)
            assignee = people.get(r.assignee_id)
            yield [
                r.public_id, _safe(numbers[r.id]), _safe(r.township.name), str(labels.CATEGORY[r.category]),
                str(labels.REPORT_STATUS[r.status]), _safe(r.cadre.name if r.cadre else r.cadre_text),
                r.submitted_at, deadlines.age_in_working_days(r.submitted_at, now, calendar),
                due, _("是") if lifecycle.past_due(due, now) else _("否"),
                _("是") if r.escalation_level else _("否"),
                _safe(assignee.display_name or assignee.username) if assignee else "",
            ]
            sent += 1
        if not more:
            break
        cursor = encode_cursor(_sort_key(batch[-1], filters), batch[-1].id)


def _audit(user: User, fmt: str, filters: QueueFilters, rows: int) -> None:
    audit.record("reports.exported", actor=user, object_type="queue", object_id=fmt,
                 detail={"format": fmt, "rows": rows, "filters": asdict(filters.normalized())})
    db.session.commit()


def _counted(rows: Iterator[list], counter: list[int]) -> Iterator[list]:
    for row in rows:
        counter[0] += 1
        yield row


def export_csv(*, user: User, filters: QueueFilters, now: datetime | None = None) -> bytes:
    """UTF-8 with a byte-order mark, so that Excel opens the Chinese text correctly."""
    n = [0]
    body = spreadsheets.csv_bytes(columns(), _counted(iter_rows(user=user, filters=filters, now=now), n))
    _audit(user, "csv", filters, n[0])
    return body


def export_xlsx(*, user: User, filters: QueueFilters, now: datetime | None = None) -> bytes:
    """The same rows as a one-sheet workbook, written row by row."""
    n = [0]
    rows = _counted(iter_rows(user=user, filters=filters, now=now), n)
    body = spreadsheets.xlsx_bytes([spreadsheets.Sheet(_("举报"), columns(), rows)])
    _audit(user, "xlsx", filters, n[0])
    return body
