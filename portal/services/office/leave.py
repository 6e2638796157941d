"""请假: leave recorded with dates, kind, approver and substitute; cancelled, never deleted.

Approved leave shows on the whereabouts board (a 请假 entry for its days) and excuses its
days in the 5-4-3 figures (`leave_days`). A cadre on leave does not count on the duty
shifts of its days: `clashes` finds them, `cover_with_substitute` hands one to the leave's
substitute as a recorded replacement (替班).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, time, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.models import (
    Cadre,
    DutyAssignment,
    DutyShift,
    Leave,
    LeaveKind,
    Status,
    Township,
    User,
    Whereabouts,
)
from portal.models.base import utcnow
from portal.sanitize import clean_text
from portal.services.office import duty_changes
from portal.services.office.whereabouts import StatusChange, add_entry, local_dt, validate_change
from portal.services.shared import audit, townships
from portal.services.shared.errors import NotFoundError, ValidationError
from portal.services.shared.scope import township_ids_in_scope

MAX_DAYS = 180


def span(leave: Leave) -> tuple:
    """The board span of a leave: from its first day 00:00 to the day after its last, local."""
    return local_dt(leave.start_date, time(0)), local_dt(leave.end_date + timedelta(days=1), time(0))


def get_leave(user: User, public_key: int) -> Leave:
    """A leave record of a township in the user's scope, or NotFoundError."""
    leave = db.session.scalar(
        select(Leave).where(Leave.id == public_key, Leave.township_id.in_(township_ids_in_scope(user)))
    )
    if leave is None:
        raise NotFoundError(str(public_key))
    return leave


def list_leave(township_id: int, *, since: date, include_cancelled: bool = True) -> list[Leave]:
    """Leave ending on or after `since`, earliest first."""
    stmt = select(Leave).where(Leave.township_id == township_id, Leave.end_date >= since)
    if not include_cancelled:
        stmt = stmt.where(Leave.cancelled.is_(False))
    return list(db.session.scalars(stmt.order_by(Leave.start_date, Leave.id)))


def record_leave(*, user: User, cadre: Cadre, kind: LeaveKind, start_date: date, end_date: date,
                 approver: str, substitute: Cadre | None = None, reason: str = "") -> Leave:
    """Record approved leave; it shows on the board for its days at once."""
    approver = clean_text(approver, 64, multiline=False)
    if not cadre.active:
        raise ValidationError(_l("该干部已停用。"))
    if end_date < start_date:
        raise ValidationError(_l("结束日期不能早于开始日期。"))
    if (end_date - start_date).days >= MAX_DAYS:
        raise ValidationError(_l("一次请假最长 %(days)s 天。", days=MAX_DAYS))
    if not approver:
        raise ValidationError(_l("请填写批准人。"))
    overlapping = db.session.scalar(
        select(Leave).where(Leave.cadre_id == cadre.id, Leave.cancelled.is_(False),
                            Leave.start_date <= end_date, Leave.end_date >= start_date)
    )
    if overlapping is not None:
        raise ValidationError(_l("与已登记的请假（%(start)s 至 %(end)s）重叠。",
                                 start=overlapping.start_date, end=overlapping.end_date))
    leave = Leave(cadre_id=cadre.id, township_id=cadre.township_id, kind=kind,
                  start_date=start_date, end_date=end_date, approver=approver,
                  substitute_id=substitute.id if substitute else None,
                  reason=clean_text(reason, 200, multiline=False), recorded_by_id=user.id)
    starts_at, ends_at = span(leave)
    change = validate_change(cadre, StatusChange(Status.LEAVE, starts_at, ends_at,
                                           substitute_id=leave.substitute_id))
    db.session.add(leave)
    add_entry(user=user, cadre=cadre, change=change)
    db.session.flush()
    audit.record("leave.record", actor=user, object_type="cadre", object_id=cadre.public_id,
                 detail={"leave": leave.id, "kind": kind.value, "from": start_date, "to": end_date,
                         "approver": approver})
    townships.touch(cadre.township_id)
    db.session.commit()
    return leave


def cancel_leave(*, user: User, leave: Leave) -> Leave:
    """Cancel a leave: its 请假 board entry ends now (or never starts, if still ahead)."""
    if leave.cancelled:
        raise ValidationError(_l("这条请假已经取消。"))
    now = utcnow()
    starts_at, ends_at = span(leave)
    for entry in db.session.scalars(
        select(Whereabouts).where(
            Whereabouts.cadre_id == leave.cadre_id, Whereabouts.status == Status.LEAVE,
            Whereabouts.starts_at == starts_at, Whereabouts.superseded_at.is_(None),
            or_(Whereabouts.ends_at.is_(None), Whereabouts.ends_at > now))
    ):
        entry.ends_at = max(entry.starts_at, now)
        entry.superseded_at = now
    leave.cancelled = True
    audit.record("leave.cancel", actor=user, object_type="cadre", object_id=leave.cadre.public_id,
                 detail={"leave": leave.id})
    townships.touch(leave.township_id)
    db.session.commit()
    return leave


def leave_days(cadre_id: int, start: date, end: date) -> set[date]:
    """The dates from start to end covered by the cadre's approved, not cancelled leave."""
    days: set[date] = set()
    for leave in db.session.scalars(
        select(Leave).where(Leave.cadre_id == cadre_id, Leave.cancelled.is_(False),
                            Leave.start_date <= end, Leave.end_date >= start)
    ):
        d = max(leave.start_date, start)
        while d <= min(leave.end_date, end):
            days.add(d)
            d += timedelta(days=1)
    return days


# --- leave against the roster --------------------------------------------------------------


def clashes(leaves: Iterable[Leave]) -> dict[int, list[DutyAssignment]]:
    """For each leave (not cancelled), the duty shifts its cadre is still rostered on during it
    with the leave's substitute not on them.

    One statement for all the leaves; the shifts come with their assignments loaded.
    """
    leaves = [x for x in leaves if not x.cancelled]
    result: dict[int, list[DutyAssignment]] = {x.id: [] for x in leaves}
    if not leaves:
        return result
    rows = db.session.scalars(
        select(DutyAssignment).join(DutyShift, DutyShift.id == DutyAssignment.shift_id)
        .where(DutyAssignment.cadre_id.in_({x.cadre_id for x in leaves}),
               DutyShift.township_id.in_({x.township_id for x in leaves}),
               DutyShift.day >= min(x.start_date for x in leaves),
               DutyShift.day <= max(x.end_date for x in leaves))
        .options(selectinload(DutyAssignment.shift).selectinload(DutyShift.assignments))
        .order_by(DutyShift.day, DutyShift.kind, DutyAssignment.id)
    ).all()
    for leave in leaves:
        result[leave.id] = [a for a in rows if a.cadre_id == leave.cadre_id
                            and a.shift.township_id == leave.township_id
                            and leave.start_date <= a.shift.day <= leave.end_date
                            and not _stands_in(leave, a.shift)]
    return result


def _stands_in(leave: Leave, shift: DutyShift) -> bool:
    # The leave's substitute already on the shift covers it (portal/rules/coverage.py).
    return leave.substitute_id is not None and any(
        a.cadre_id == leave.substitute_id for a in shift.assignments)


def cover_with_substitute(*, user: User, township: Township, leave: Leave,
                          assignment: DutyAssignment) -> None:
    """The leave's substitute takes the clashing shift; the roster records whom they replace."""
    if leave.cancelled or leave.township_id != township.id:
        raise ValidationError(_l("这条请假已经取消。"))
    if leave.substitute_id is None:
        raise ValidationError(_l("这条请假没有登记替班人，请在值班表上登记替班。"))
    day = assignment.shift.day
    if assignment.cadre_id != leave.cadre_id or not leave.start_date <= day <= leave.end_date:
        raise ValidationError(_l("这个班次与该请假无关。"))
    duty_changes.substitute(user=user, township=township, assignment=assignment,
                    cadre_id=leave.substitute_id, note=str(_l("请假替班")))
