"""Builders and probes for the public-side tests (boards, rosters, API)."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date, datetime, time, timedelta

from sqlalchemy import event

from portal.extensions import db
from portal.models import (
    ChiefRole,
    DutyAssignment,
    DutyRole,
    DutyShift,
    Leave,
    LeaveKind,
    ShiftKind,
    Status,
    Whereabouts,
)
from portal.models.base import utcnow
from portal.rules.calendar import TZ
from tests import factories


def local(d: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(d, time(hour, minute), TZ)


def today_local() -> date:
    return utcnow().astimezone(TZ).date()


def township_with_cadres(n_staff: int = 3, **fields):
    """A township with a secretary, a head, one more leader and `n_staff` staff."""
    t = factories.township(**fields)
    secretary = factories.cadre(t, "书记甲", "党委书记", True, ChiefRole.SECRETARY, sort_order=0)
    head = factories.cadre(t, "镇长乙", "镇长", True, ChiefRole.HEAD, sort_order=1)
    deputy = factories.cadre(t, "副镇长丙", "副镇长", True, sort_order=2)
    staff = [factories.cadre(t, f"干事{i:02d}", "干事", sort_order=100 + i) for i in range(n_staff)]
    return t, secretary, head, deputy, staff


def entry(cadre, status: Status, starts_at: datetime, ends_at: datetime | None = None,
          village: str = "", substitute=None, note: str = "") -> Whereabouts:
    obj = Whereabouts(cadre_id=cadre.id, township_id=cadre.township_id, status=status,
                      village=village, starts_at=starts_at, ends_at=ends_at, note=note,
                      substitute_id=substitute.id if substitute else None)
    db.session.add(obj)
    db.session.flush()
    return obj


def leave(cadre, first: date, last: date, substitute=None, reason: str = "") -> Leave:
    obj = Leave(cadre_id=cadre.id, township_id=cadre.township_id, kind=LeaveKind.PERSONAL,
                start_date=first, end_date=last, reason=reason,
                substitute_id=substitute.id if substitute else None)
    db.session.add(obj)
    db.session.flush()
    return obj


def shift(township, day: date, kind: ShiftKind, leaders=(), staff=(), replaces=None) -> DutyShift:
    """A shift at the usual times; `replaces` maps a cadre on duty to the cadre they replace."""
    if kind == ShiftKind.DAY:
        start, end = local(day, 8, 30), local(day, 17, 30)
    else:
        start, end = local(day, 17, 30), local(day + timedelta(days=1), 8, 30)
    obj = DutyShift(township_id=township.id, day=day, kind=kind, starts_at=start, ends_at=end)
    replaces = replaces or {}
    for role, people in ((DutyRole.LEADER, leaders), (DutyRole.STAFF, staff)):
        for cadre in people:
            replaced = replaces.get(cadre.id)
            obj.assignments.append(DutyAssignment(
                cadre_id=cadre.id, role=role, replaces_id=replaced.id if replaced else None))
    db.session.add(obj)
    db.session.flush()
    return obj


@contextmanager
def count_statements(app):
    """Count the SQL statements the app's engine runs inside the block."""
    statements: list[str] = []
    with app.app_context():
        engine = db.engine

    def before(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)
