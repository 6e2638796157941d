"""The inspector's queue as CSV or XLSX: scope-filtered, the queue's own filters, audited.

No reporter identity, description or message leaves through an export: only what the
queue shows (township, category, status, dates, deadline, assignee).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import asdict
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from portal.extensions import db
from portal.models import Report, User, labels
from portal.models.base import utcnow
from portal.rules import deadlines, lifecycle
from portal.rules.calendar import TZ
from portal.services.casework.queue import QueueFilters, assignees_of, encode_cursor, page_statement
from portal.services.shared import audit
from portal.services.shared.calendar import official_calendar

MAX_ROWS = 100_000
BATCH = 1000
# A cell starting with one of these is a formula to a spreadsheet: prefix it (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def headers() -> list[str]:
    return [_("编号"), _("乡镇"), _("类别"), _("状态"), _("被举报干部"), _("提交时间"),
            _("已过工作日"), _("当前期限"), _("是否逾期"), _("已上报上级"), _("承办人")]


def _local(at: datetime | None) -> str:
    return at.astimezone(TZ).strftime("%Y-%m-%d %H:%M") if at else ""


def _safe(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


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
        for r in batch:
            due = _due(r)
            assignee = people.get(r.assignee_id)
            yield [
                r.public_id, _safe(r.township.name), str(labels.CATEGORY[r.category]),
                str(labels.REPORT_STATUS[r.status]), _safe(r.cadre.name if r.cadre else r.cadre_text),
                _local(r.submitted_at), deadlines.age_in_working_days(r.submitted_at, now, calendar),
                _local(due), _("是") if lifecycle.past_due(due, now) else _("否"),
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


def export_csv(*, user: User, filters: QueueFilters, now: datetime | None = None) -> bytes:
    """UTF-8 with a byte-order mark, so that Excel opens the Chinese text correctly."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers())
    n = 0
    for row in iter_rows(user=user, filters=filters, now=now):
        writer.writerow(row)
        n += 1
    _audit(user, "csv", filters, n)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def export_xlsx(*, user: User, filters: QueueFilters, now: datetime | None = None) -> bytes:
    """The same rows as a one-sheet workbook (openpyxl is loaded only here)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("举报"))
    sheet.append(headers())
    n = 0
    for row in iter_rows(user=user, filters=filters, now=now):
        sheet.append(row)
        n += 1
    buffer = io.BytesIO()
    workbook.save(buffer)
    _audit(user, "xlsx", filters, n)
    return buffer.getvalue()
