"""The inspectors' queue: scope, filters, counts per status, keyset pagination.

Keyset (seek) pagination: a page is "the next N after this (time, id)", so page
10,000 costs what page 1 costs; there is no OFFSET anywhere. The newest-first order
walks the index (county_id, submitted_at, id), or (city_id, ...) and (province_id, ...)
for a city's or a province's inspectors; the deadline order covers the open reports only.
The counts per status come from report_tally where the filters allow (portal/services/casework/tally.py).
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import (
    ColumnElement,
    and_,
    false,
    func,
    literal_column,
    or_,
    select,
    true,
    tuple_,
    union_all,
)
from sqlalchemy.orm import joinedload

from portal.extensions import db
from portal.models import (
    Category,
    RegionLevel,
    Report,
    ReportStatus,
    Role,
    Township,
    User,
)
from portal.models.base import utcnow
from portal.models.report import due_of
from portal.rules import lifecycle
from portal.rules.lifecycle import OPEN_STATUSES
from portal.services.casework import tally

SORTS = ("newest", "due")
# Before any deadline this service sets (its reports are filed through it).
EARLIEST_DEADLINE = datetime(2000, 1, 1, tzinfo=UTC)


# The report column that holds the id of a region of each level.
REGION_COLUMNS = {
    RegionLevel.COUNTY: Report.county_id,
    RegionLevel.CITY: Report.city_id,
    RegionLevel.PROVINCE: Report.province_id,
}


def region_condition(user: User) -> ColumnElement[bool] | None:
    """The user's region scope as one equality on a report column (None: no region scope).

    A township belongs to a county, a county to a city, a city to a province (the region
    service refuses anything else), so "the report's county is the region or below it"
    (scope.region_ids_under) is "the report's county, city or province is the region",
    whichever column the region's level names.
    """
    region = user.scope_region
    if region is None:
        return None
    return REGION_COLUMNS[region.level] == region.id


def visible_condition(user: User) -> ColumnElement[bool]:
    """Reports the user may see: of their townships, or routed (or escalated) into their region.

    A report's county is its township's county, so for a region scope this equals
    "township in township_ids_in_scope(user)", in a form the queue's indexes can use.
    """
    if user.role == Role.SYSADMIN:
        return true()
    conditions = []
    township_ids = [t.id for t in user.scope_townships]
    if township_ids:
        conditions.append(Report.township_id.in_(township_ids))
    region = region_condition(user)
    if region is not None:
        conditions.append(region)
    return or_(*conditions) if conditions else false()


def due_expression() -> ColumnElement:
    """The deadline of a report's next step (None once closed): the expression the indexes
    ix_report_{county,city,province}_due hold."""
    return due_of(Report.__table__)


def _overdue(now: datetime, *, in_due_order: bool) -> ColumnElement[bool]:
    """Reports past the deadline of their next step."""
    if in_due_order:
        # The due order walks ix_report_*_due: the overdue reports are the start of its range.
        return due_expression() < now
    # Newest first walks the scope's (..., submitted_at, id) index and drops the reports not
    # overdue on the way; written apart from the due indexes' expression, so that the planner
    # does not take the overdue part of those instead and sort all of it by time.
    # Per deadline column of the life cycle: "status = x AND column < now" (or "status IN").
    late = []
    for column, statuses in lifecycle.deadline_columns():
        status = Report.status == statuses[0] if len(statuses) == 1 else Report.status.in_(statuses)
        late.append(and_(status, getattr(Report, column) < now))
    return or_(*late)


def is_above_county(user: User) -> bool:
    """City and province inspectors: their queue starts with the reports escalated to them."""
    region = user.scope_region
    return region is not None and region.level != RegionLevel.COUNTY


@dataclass
class QueueFilters:
    status: str = ""  # a ReportStatus value, "open", or "" for all
    township: str = ""  # a township code
    category: str = ""
    overdue: bool = False
    mine: bool = False
    escalated: bool = False
    sort: str = "newest"

    def normalized(self) -> QueueFilters:
        """Unknown values are dropped rather than refused: a filter link never errors."""
        statuses = {s.value for s in ReportStatus} | {"open"}
        return QueueFilters(
            status=self.status if self.status in statuses else "",
            township=self.township if self.township.isdigit() and len(self.township) == 9 else "",
            category=self.category if self.category in {c.value for c in Category} else "",
            overdue=bool(self.overdue), mine=bool(self.mine), escalated=bool(self.escalated),
            sort=self.sort if self.sort in SORTS else "newest",
        )


@dataclass
class QueuePage:
    reports: list[Report]
    assignees: dict[int, User]
    next_cursor: str | None
    counts: dict[str, int] = field(default_factory=dict)


def _filtered(user: User, filters: QueueFilters, now: datetime, *, with_status: bool = True,
              scope_condition: ColumnElement[bool] | None = None):
    conditions = [visible_condition(user) if scope_condition is None else scope_condition]
    if filters.township:
        conditions.append(Report.township_id.in_(
            select(Township.id).where(Township.code == filters.township)))
    if filters.category:
        conditions.append(Report.category == Category(filters.category))
    if filters.mine:
        conditions.append(Report.assignee_id == user.id)
    if filters.escalated:
        # Written out, not bound: the partial indexes "WHERE escalation_level > 0" match it.
        conditions.append(Report.escalation_level > literal_column("0"))
    if filters.overdue:
        conditions.append(_overdue(now, in_due_order=filters.sort == "due"))
    if with_status and filters.status == "open":
        conditions.append(Report.status.in_(OPEN_STATUSES))
    elif with_status and filters.status:
        conditions.append(Report.status == ReportStatus(filters.status))
    if with_status and filters.sort == "due" and filters.status not in {"open", *OPEN_STATUSES}:
        conditions.append(Report.status.in_(OPEN_STATUSES))
    return and_(*conditions)


def encode_cursor(at: datetime, report_id: int) -> str:
    raw = f"{at.isoformat()}|{report_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(token: str | None) -> tuple[datetime, int] | None:
    """The (time, id) in a cursor, or None for a missing or malformed one (first page)."""
    if not token or len(token) > 100:
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        at_text, _, id_text = raw.partition("|")
        at = datetime.fromisoformat(at_text)
        if at.tzinfo is None:
            return None
        return at, int(id_text)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None


# Above this many partitions (townships of a supervisor-like scope) a page is one plain query.
MAX_PARTITIONS = 100


def scope_partitions(user: User) -> list[ColumnElement[bool]] | None:
    """The user's scope as equality conditions, one per region or township (None: unlimited).

    Each partition is a range of an index ((county_id | city_id | province_id, submitted_at,
    id) or (township_id, submitted_at)): its newest reports come straight off the index,
    without a sort.
    """
    if user.role == Role.SYSADMIN:
        return None
    parts: list[ColumnElement[bool]] = []
    region = region_condition(user)
    if region is not None:
        parts.append(region)
    parts += [Report.township_id == t.id for t in user.scope_townships]
    return parts


def page_statement(user: User, filters: QueueFilters, cursor: str | None, size: int,
                   now: datetime | None = None):
    """The SELECT of one page (exposed for the query-plan test).

    Newest first: one index range for a county's, a city's or a province's inspector, so
    page 10,000 of a province costs what page 1 of a county costs. Over several partitions
    (a region and townships): the top `size + 1` of each (an index seek each), merged.
    """
    now = now or utcnow()
    filters = filters.normalized()
    seek = decode_cursor(cursor)
    if filters.sort == "due":
        key = due_expression()
        # The start of the index range: closed reports have no deadline, and SQLite puts
        # NULLs first in an ascending index; nor does it seek by a row value that holds an
        # expression, so the row value below only refines this.
        stmt = select(Report).where(_filtered(user, filters, now),
                                    key >= (seek[0] if seek else EARLIEST_DEADLINE))
        if seek:
            stmt = stmt.where(tuple_(key, Report.id) > tuple_(seek[0], seek[1]))
        return stmt.order_by(key.asc(), Report.id.asc()).limit(size + 1)
    newest = (Report.submitted_at.desc(), Report.id.desc())
    seek_condition = (tuple_(Report.submitted_at, Report.id) < tuple_(seek[0], seek[1])) if seek else true()
    parts = scope_partitions(user)
    if parts is None or len(parts) > MAX_PARTITIONS:
        where = _filtered(user, filters, now)
    elif len(parts) <= 1:
        where = _filtered(user, filters, now, scope_condition=parts[0] if parts else false())
    else:
        tops = [
            select(Report.id).where(_filtered(user, filters, now, scope_condition=part), seek_condition)
            .order_by(*newest).limit(size + 1).subquery()
            for part in parts
        ]
        where = Report.id.in_(union_all(*[select(top.c.id) for top in tops]))
    return select(Report).where(where, seek_condition).order_by(*newest).limit(size + 1)


def fetch_page(*, user: User, filters: QueueFilters, cursor: str | None = None, size: int = 50,
               now: datetime | None = None) -> QueuePage:
    """One page of the queue, the cursor of the next, and the counts per status."""
    now = now or utcnow()
    filters = filters.normalized()
    stmt = page_statement(user, filters, cursor, size, now).options(
        joinedload(Report.township), joinedload(Report.cadre)
    )
    rows = list(db.session.scalars(stmt).unique())
    next_cursor = None
    if len(rows) > size:
        rows = rows[:size]
        last = rows[-1]
        key = last.submitted_at
        if filters.sort == "due":
            key = lifecycle.deadline(last.status, last.accept_due, last.conclude_due)
        next_cursor = encode_cursor(key, last.id)
    return QueuePage(rows, assignees_of(rows), next_cursor, status_counts(user, filters, now))


def assignees_of(reports: list[Report]) -> dict[int, User]:
    ids = {r.assignee_id for r in reports if r.assignee_id}
    if not ids:
        return {}
    return {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))}


def status_counts(user: User, filters: QueueFilters, now: datetime | None = None) -> dict[str, int]:
    """How many reports of the scope (and the non-status filters) are in each status."""
    filters = filters.normalized()
    if filters.township or filters.mine or filters.overdue or not tally.covers(user):
        condition = _filtered(user, filters, now or utcnow(), with_status=False)
        rows = db.session.execute(
            select(Report.status, func.count()).where(condition).group_by(Report.status)
        ).all()
    else:
        rows = tally.status_counts(user, category=filters.category, escalated=filters.escalated)
    counts = {s.value: 0 for s in ReportStatus}
    for status, n in rows:
        counts[ReportStatus(status).value] = int(n)
    counts["open"] = sum(counts[s.value] for s in OPEN_STATUSES)
    counts["all"] = sum(counts[s.value] for s in ReportStatus)
    return counts
