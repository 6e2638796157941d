"""请假: requested, approved under 干部管理权限, closed by 销假; cancelled, never deleted.

The township office approves its cadres' leave (recording who signed the 请假条); a
leadership member's leave waits for the county (组织部). A cadre with weekend or holiday
duty during the leave needs a substitute (替班) before it is approved.

Only approved leave shows on the whereabouts board (a 请假 entry for its days), excuses its
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
    LeaveState,
    Role,
    Status,
    Township,
    User,
    Whereabouts,
)
from portal.models.base import utcnow
from portal.rules.calendar import local_date
from portal.sanitize import clean_text
from portal.services.office import duty_changes
from portal.services.office.whereabouts import StatusChange, add_entry, local_dt, validate_change
from portal.services.shared import audit, calendar, townships
from portal.services.shared.errors import NotFoundError, ValidationError
from portal.services.shared.scope import township_ids_in_scope

MAX_DAYS = 180
# 干部管理权限: the county approves leadership members' leave; the township office the others'.
COUNTY_ROLES = frozenset({Role.COUNTY_ADMIN, Role.SYSADMIN})
EDITOR_ROLES = frozenset({Role.CLERK, Role.COUNTY_ADMIN, Role.SYSADMIN})


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
        stmt = stmt.where(Leave.in_force())
    return list(db.session.scalars(stmt.order_by(Leave.start_date, Leave.id)))


def approves_at_county(cadre: Cadre) -> bool:
    """干部管理权限: a leadership member's leave is approved at county level."""
    return cadre.is_leader or cadre.chief_role is not None


def may_decide(user: User, leave: Leave) -> bool:
    """Whether the user may approve or refuse this leave (the county for leaders' leave)."""
    if approves_at_county(leave.cadre):
        return user.role in COUNTY_ROLES
    return user.role in EDITOR_ROLES


def rest_day_duty(cadre_id: int, township_id: int, start: date, end: date) -> list[DutyAssignment]:
    """The cadre's duty shifts on weekends and holidays from start to end (a 替班 is needed)."""
    rows = db.session.scalars(
        select(DutyAssignment).join(DutyShift, DutyShift.id == DutyAssignment.shift_id)
        .where(DutyAssignment.cadre_id == cadre_id, DutyShift.township_id == township_id,
               DutyShift.day >= start, DutyShift.day <= end)
        .options(selectinload(DutyAssignment.shift))
        .order_by(DutyShift.day, DutyShift.kind)
    )
    return [a for a in rows if not calendar.is_working_day(a.shift.day)]


def request_leave(*, user: User, cadre: Cadre, kind: LeaveKind, start_date: date, end_date: date,
                  substitute: Cadre | None = None, reason: str = "", approver: str = "") -> Leave:
    """Record a leave request; with `approver` (a signed 请假条) and the right to approve, approved at once.

    A leadership member's leave always waits for the county, whoever records it.
    """
    if not cadre.active:
        raise ValidationError(_l("该干部已停用。"))
    if end_date < start_date:
        raise ValidationError(_l("结束日期不能早于开始日期。"))
    if (end_date - start_date).days >= MAX_DAYS:
        raise ValidationError(_l("一次请假最长 %(days)s 天。", days=MAX_DAYS))
    if substitute is not None and substitute.id == cadre.id:
        raise ValidationError(_l("替班人不能是本人。"))
    overlapping = db.session.scalar(
        select(Leave).where(Leave.cadre_id == cadre.id, Leave.cancelled.is_(False),
                            Leave.state != LeaveState.REJECTED,
                            Leave.start_date <= end_date, Leave.end_date >= start_date)
    )
    if overlapping is not None:
        raise ValidationError(_l("与已登记的请假（%(start)s 至 %(end)s）重叠。",
                                 start=overlapping.start_date, end=overlapping.end_date))
    leave = Leave(cadre=cadre, township_id=cadre.township_id, kind=kind, state=LeaveState.REQUESTED,
                  start_date=start_date, end_date=end_date, approver="",
                  substitute_id=substitute.id if substitute else None, substitute=substitute,
                  reason=clean_text(reason, 200, multiline=False), recorded_by_id=user.id)
    approver = clean_text(approver, 64, multiline=False)
    db.session.add(leave)
    db.session.flush()
    audit.record("leave.request", actor=user, object_type="cadre", object_id=cadre.public_id,
                 detail={"leave": leave.id, "kind": kind.value, "from": start_date, "to": end_date})
    if approver and may_decide(user, leave):
        _approve(user, leave, approver)
    townships.touch(cadre.township_id)
    db.session.commit()
    return leave


def record_leave(*, user: User, cadre: Cadre, kind: LeaveKind, start_date: date, end_date: date,
                 approver: str, substitute: Cadre | None = None, reason: str = "") -> Leave:
    """Record leave already approved by `approver` (a leader's leave still waits for the county)."""
    return request_leave(user=user, cadre=cadre, kind=kind, start_date=start_date, end_date=end_date,
                         substitute=substitute, reason=reason, approver=approver)


def approve_leave(*, user: User, leave: Leave, approver: str = "", note: str = "") -> Leave:
    """Approve a requested leave: it shows on the board and counts from now on."""
    if not may_decide(user, leave):
        raise ValidationError(_l("领导班子成员的请假由县级审批。") if approves_at_county(leave.cadre)
                              else _l("你无权审批这条请假。"))
    if leave.cancelled or leave.state != LeaveState.REQUESTED:
        raise ValidationError(_l("这条请假不在待批准状态。"))
    approver = clean_text(approver, 64, multiline=False) or user.display_name or user.username
    _approve(user, leave, approver, clean_text(note, 200, multiline=False))
    townships.touch(leave.township_id)
    db.session.commit()
    return leave


def _approve(user: User, leave: Leave, approver: str, note: str = "") -> None:
    if not leave.cadre.active:
        raise ValidationError(_l("该干部已停用。"))
    duty = rest_day_duty(leave.cadre_id, leave.township_id, leave.start_date, leave.end_date)
    if duty and leave.substitute_id is None:
        raise ValidationError(_l("%(name)s 在请假期间有周末或节假日值班（%(days)s），批准前须先指定替班人。",
                                 name=leave.cadre.name,
                                 days="、".join(sorted({a.shift.day.isoformat() for a in duty}))))
    leave.state, leave.approver, leave.decision_note = LeaveState.APPROVED, approver, note
    leave.decided_by_id, leave.decided_at = user.id, utcnow()
    starts_at, ends_at = span(leave)
    change = validate_change(leave.cadre, StatusChange(Status.LEAVE, starts_at, ends_at,
                                                       substitute_id=leave.substitute_id))
    add_entry(user=user, cadre=leave.cadre, change=change)
    db.session.flush()
    audit.record("leave.approve", actor=user, object_type="cadre", object_id=leave.cadre.public_id,
                 detail={"leave": leave.id, "approver": approver})


def reject_leave(*, user: User, leave: Leave, note: str = "") -> Leave:
    """Refuse a requested leave, with the reason given to the office."""
    if not may_decide(user, leave):
        raise ValidationError(_l("领导班子成员的请假由县级审批。") if approves_at_county(leave.cadre)
                              else _l("你无权审批这条请假。"))
    if leave.cancelled or leave.state != LeaveState.REQUESTED:
        raise ValidationError(_l("这条请假不在待批准状态。"))
    leave.state, leave.decision_note = LeaveState.REJECTED, clean_text(note, 200, multiline=False)
    leave.decided_by_id, leave.decided_at = user.id, utcnow()
    leave.approver = user.display_name or user.username
    audit.record("leave.reject", actor=user, object_type="cadre", object_id=leave.cadre.public_id,
                 detail={"leave": leave.id})
    townships.touch(leave.township_id)
    db.session.commit()
    return leave


def return_from_leave(*, user: User, leave: Leave, back_on: date) -> Leave:
    """销假: the cadre is back at work on `back_on`; an early return ends the leave before it."""
    if not leave.counts:
        raise ValidationError(_l("只有已批准的请假才能销假。"))
    if leave.returned_on is not None:
        raise ValidationError(_l("这条请假已经销假。"))
    if back_on <= leave.start_date:
        raise ValidationError(_l("销假日期须晚于请假开始日期；尚未开始的请假请直接取消。"))
    if back_on > local_date(utcnow()):
        raise ValidationError(_l("销假日期不能晚于今天。"))
    leave.returned_on, leave.returned_recorded_by_id = back_on, user.id
    if back_on <= leave.end_date:
        starts_at, _ends_at = span(leave)
        leave.planned_end_date, leave.end_date = leave.end_date, back_on - timedelta(days=1)
        _end_board_entry(leave, starts_at, max(utcnow(), local_dt(back_on, time(0))))
    audit.record("leave.return", actor=user, object_type="cadre", object_id=leave.cadre.public_id,
                 detail={"leave": leave.id, "back_on": back_on})
    townships.touch(leave.township_id)
    db.session.commit()
    return leave


def overstayed_days(leave: Leave) -> int:
    """Working days between the leave's last day and the day the cadre came back (超假)."""
    if leave.returned_on is None or leave.returned_on <= leave.end_date + timedelta(days=1):
        return 0
    return len(calendar.working_days(leave.end_date + timedelta(days=1),
                                     leave.returned_on - timedelta(days=1)))


def pending_for(user: User, township_ids: Iterable[int]) -> list[Leave]:
    """Requested leave the user may decide on, in the given townships, earliest first."""
    rows = db.session.scalars(
        select(Leave).where(Leave.township_id.in_(list(township_ids)), Leave.cancelled.is_(False),
                            Leave.state == LeaveState.REQUESTED)
        .order_by(Leave.start_date, Leave.id))
    return [x for x in rows if may_decide(user, x)]


def _end_board_entry(leave: Leave, starts_at, at) -> None:
    for entry in db.session.scalars(
        select(Whereabouts).where(
            Whereabouts.cadre_id == leave.cadre_id, Whereabouts.status == Status.LEAVE,
            Whereabouts.starts_at == starts_at, Whereabouts.superseded_at.is_(None),
            or_(Whereabouts.ends_at.is_(None), Whereabouts.ends_at > at))
    ):
        entry.ends_at = max(entry.starts_at, at)
        entry.superseded_at = utcnow()


def cancel_leave(*, user: User, leave: Leave) -> Leave:
    """Cancel a leave: its 请假 board entry ends now (or never starts, if still ahead)."""
    if leave.cancelled:
        raise ValidationError(_l("这条请假已经取消。"))
    if leave.returned_on is not None:
        raise ValidationError(_l("这条请假已经销假。"))
    starts_at, _ends_at = span(leave)
    if leave.state == LeaveState.APPROVED:
        _end_board_entry(leave, starts_at, utcnow())
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
        select(Leave).where(Leave.cadre_id == cadre_id, Leave.in_force(),
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
    leaves = [x for x in leaves if x.counts]
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
    if not leave.counts or leave.township_id != township.id:
        raise ValidationError(_l("这条请假已经取消。"))
    if leave.substitute_id is None:
        raise ValidationError(_l("这条请假没有登记替班人，请在值班表上登记替班。"))
    day = assignment.shift.day
    if assignment.cadre_id != leave.cadre_id or not leave.start_date <= day <= leave.end_date:
        raise ValidationError(_l("这个班次与该请假无关。"))
    duty_changes.substitute(user=user, township=township, assignment=assignment,
                    cadre_id=leave.substitute_id, note=str(_l("请假替班")))
