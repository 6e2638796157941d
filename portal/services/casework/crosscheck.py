"""Cross-check at intake: what the records said at the moment a report describes.

For a report that names a cadre and a moment: the whereabouts board (as it could be
seen when the report came in, and as the records say now), the duty roster, approved
leave, sign-ins and village visits of that day. Contradictions are flagged; reports on
the same cadre and day are grouped and counted as corroboration.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, select
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.models import (
    AWAY_STATUSES,
    DutyAssignment,
    DutyRole,
    DutyShift,
    Leave,
    Report,
    SignIn,
    SignInKind,
    Status,
    User,
    VillageVisit,
    Whereabouts,
)
from portal.rules.calendar import TZ, local_date
from portal.services.casework.queue import visible_condition
from portal.services.shared.calendar import official_calendar

FLAG_TEXT = {
    "no_board_entry": _l("该时刻没有去向公示。"),
    "board_changed": _l("举报提交后，该时刻的去向公示被修改过。"),
    "village_without_visit": _l("公示为下村，但当天没有经村民确认的入村记录。"),
    "leave_without_record": _l("公示为请假，但没有覆盖当天的请假记录。"),
    "present_but_signed_out": _l("公示为在岗，但该时刻之前已经签退。"),
    "present_without_sign_in": _l("公示为在岗，但当天没有在乡镇的签到记录。"),
    "on_duty_but_away": _l("值班表安排此时值班，但公示为不在岗。"),
}


@dataclass(frozen=True)
class Flag:
    code: str

    @property
    def text(self) -> str:
        return str(FLAG_TEXT[self.code])


@dataclass
class CrossCheck:
    moment: datetime
    board_then: Whereabouts | None
    board_now: Whereabouts | None
    board_changed: bool
    duties: list[tuple[DutyShift, DutyRole, bool]]  # shift, role, running at the moment
    leave: Leave | None
    sign_ins: list[SignIn]
    visits: list[VillageVisit]
    working_day: bool
    flags: list[Flag] = field(default_factory=list)


def _day_bounds(moment: datetime) -> tuple[datetime, datetime]:
    start = datetime.combine(local_date(moment), time(), TZ)
    return start, start + timedelta(days=1)


def _board_entries(cadre_id: int, moment: datetime) -> list[Whereabouts]:
    return list(db.session.scalars(
        select(Whereabouts)
        .where(Whereabouts.cadre_id == cadre_id, Whereabouts.starts_at <= moment)
        .order_by(Whereabouts.starts_at.desc(), Whereabouts.recorded_at.desc(), Whereabouts.id.desc())
        .limit(50)
    ))


def _board(report: Report, moment: datetime) -> tuple[Whereabouts | None, Whereabouts | None, bool]:
    """(as seen when the report came in, as the records say now, changed after the report)."""
    entries = _board_entries(report.cadre_id, moment)
    now_entry = next((e for e in entries if e.ends_at is None or e.ends_at > moment), None)
    seen = report.submitted_at

    def in_force_then(e: Whereabouts) -> bool:
        if e.recorded_at > seen:
            return False
        closed_later = e.superseded_at is not None and e.superseded_at > seen
        return e.ends_at is None or e.ends_at > moment or closed_later

    then_entry = next((e for e in entries if in_force_then(e)), None)
    changed = (then_entry.id if then_entry else None) != (now_entry.id if now_entry else None)
    return then_entry, now_entry, changed


def _duties(report: Report, moment: datetime) -> list[tuple[DutyShift, DutyRole, bool]]:
    day = local_date(moment)
    rows = db.session.execute(
        select(DutyShift, DutyAssignment.role)
        .join(DutyAssignment, DutyAssignment.shift_id == DutyShift.id)
        .where(DutyShift.township_id == report.township_id, DutyAssignment.cadre_id == report.cadre_id,
               DutyShift.day.in_([day - timedelta(days=1), day]))
        .order_by(DutyShift.starts_at)
    ).all()
    return [(shift, role, shift.starts_at <= moment < shift.ends_at) for shift, role in rows
            if shift.day == day or shift.starts_at <= moment < shift.ends_at]


def check(report: Report) -> CrossCheck | None:
    """The cross-check of a report naming a roster cadre and a moment; None otherwise."""
    if report.cadre_id is None or report.observed_at is None:
        return None
    moment = report.observed_at
    day = local_date(moment)
    start, end = _day_bounds(moment)
    then_entry, now_entry, changed = _board(report, moment)
    leave = db.session.scalar(
        select(Leave).where(Leave.cadre_id == report.cadre_id, Leave.in_force(),
                            Leave.start_date <= day, Leave.end_date >= day).limit(1)
    )
    sign_ins = list(db.session.scalars(
        select(SignIn).where(SignIn.cadre_id == report.cadre_id, SignIn.at >= start, SignIn.at < end)
        .order_by(SignIn.at)
    ))
    visits = list(db.session.scalars(
        select(VillageVisit).where(VillageVisit.cadre_id == report.cadre_id, VillageVisit.day == day)
        .order_by(VillageVisit.id)
    ))
    result = CrossCheck(
        moment=moment, board_then=then_entry, board_now=now_entry, board_changed=changed,
        duties=_duties(report, moment), leave=leave, sign_ins=sign_ins, visits=visits,
        working_day=official_calendar().is_working_day(day),
    )
    result.flags = [Flag(code) for code in _contradictions(result)]
    return result


def _contradictions(c: CrossCheck) -> list[str]:
    codes = []
    board = c.board_then or c.board_now
    if board is None:
        codes.append("no_board_entry")
    if c.board_changed:
        codes.append("board_changed")
    if board is None:
        return codes
    if board.status == Status.VILLAGE and not any(v.confirmed_at for v in c.visits):
        codes.append("village_without_visit")
    if board.status == Status.LEAVE and c.leave is None:
        codes.append("leave_without_record")
    if board.status in (Status.AT_OFFICE, Status.DUTY):
        before = [s for s in c.sign_ins if s.at <= c.moment and s.at_township]
        if before and before[-1].kind == SignInKind.OUT:
            codes.append("present_but_signed_out")
        elif c.working_day and not any(s.kind == SignInKind.IN and s.at_township for s in c.sign_ins):
            codes.append("present_without_sign_in")
    if board.status in AWAY_STATUSES and any(running for _s, _r, running in c.duties):
        codes.append("on_duty_but_away")
    return codes


def same_day_group(*, user: User, report: Report) -> list[Report]:
    """Other reports the user may see about the same cadre (or named person) on the same day."""
    if report.observed_at is None or (report.cadre_id is None and not report.cadre_text):
        return []
    start, end = _day_bounds(report.observed_at)
    if report.cadre_id is not None:
        who = Report.cadre_id == report.cadre_id
    else:
        who = and_(Report.township_id == report.township_id, Report.cadre_text == report.cadre_text)
    return list(db.session.scalars(
        select(Report)
        .where(who, Report.id != report.id, Report.observed_at >= start, Report.observed_at < end,
               visible_condition(user))
        .options(selectinload(Report.messages))
        .order_by(Report.submitted_at)
        .limit(100)
    ))

