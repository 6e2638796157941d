"""明察暗访: record a spot check, compare each finding with the board, turn a mismatch into a report.

A finding says whether a cadre was present, absent, or away on recorded business at the
moment of the check. It is compared with what the board, the roster and leave said at that
moment, as known then (`board_at`): an entry recorded after the check does not count.

Mismatches (stored in `SpotCheckFinding.mismatch`, one per finding, most serious first):
- `shift_unstaffed`: the cadre was rostered on a running duty shift and was not there;
- `false_board`: absent while the board said the cadre was working (在岗, 值班, 下村, 会议, 出差);
- `absent_without_leave`: absent in working hours of a working day with no approved leave.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.models import (
    Cadre,
    Category,
    DutyRole,
    Presence,
    Report,
    Role,
    Source,
    SpotCheck,
    SpotCheckFinding,
    Status,
    Township,
    User,
    labels,
)
from portal.models.base import utcnow
from portal.rules.calendar import TZ, OfficialCalendar
from portal.services.casework.reports import create_report
from portal.services.oversight import board_at
from portal.services.shared import audit
from portal.services.shared.calendar import official_calendar
from portal.services.shared.errors import ConflictError, NotFoundError, ValidationError
from portal.services.shared.scope import township_ids_in_scope

SHIFT_UNSTAFFED = "shift_unstaffed"
FALSE_BOARD = "false_board"
ABSENT_WITHOUT_LEAVE = "absent_without_leave"

MISMATCH_LABELS = {
    SHIFT_UNSTAFFED: _l("值班无人在岗"),
    FALSE_BOARD: _l("去向公示不实"),
    ABSENT_WITHOUT_LEAVE: _l("无假缺岗"),
}

# Office hours of a working day, local time: absence outside them needs no leave.
OFFICE_OPENS = time(8, 0)
OFFICE_CLOSES = time(18, 0)
# A check may be recorded a little ahead of the server clock, never in the future.
CLOCK_SLACK = timedelta(minutes=5)

# What the board claims about where a cadre is.
AT_TOWNSHIP = frozenset({Status.AT_OFFICE, Status.DUTY})
ON_BUSINESS = frozenset({Status.VILLAGE, Status.MEETING, Status.TRIP})
NOT_WORKING = frozenset({Status.LEAVE, Status.OFF})


@dataclass(frozen=True)
class FindingInput:
    """What the checker found of one cadre."""

    cadre_id: int
    presence: Presence
    note: str = ""


def matches_board(presence: Presence | str, board_status: Status | str | None) -> bool:
    """Whether what was found agrees with what the board said (the board accuracy measure)."""
    if not board_status:
        return False
    status = Status(board_status)
    presence = Presence(presence)
    if presence == Presence.PRESENT:
        return status in AT_TOWNSHIP
    if presence == Presence.AWAY_ON_BUSINESS:
        return status in ON_BUSINESS
    return status in NOT_WORKING


def in_office_hours(at: datetime, calendar: OfficialCalendar) -> bool:
    """Whether the moment falls in office hours of a working day (local time)."""
    local = at.astimezone(TZ)
    return calendar.is_working_day(local.date()) and OFFICE_OPENS <= local.time() < OFFICE_CLOSES


def mismatch_of(presence: Presence, said: board_at.CadreAt, at: datetime,
                calendar: OfficialCalendar) -> str:
    """The most serious mismatch between a finding and the records, or "" when none."""
    if presence == Presence.PRESENT:
        return ""
    if said.duty_role is not None:
        return SHIFT_UNSTAFFED
    if presence != Presence.ABSENT:
        return ""
    status = said.status
    if status is not None and status not in NOT_WORKING:
        return FALSE_BOARD
    if said.leave is None and in_office_hours(at, calendar):
        return ABSENT_WITHOUT_LEAVE
    return ""


def _validate(township: Township, at: datetime, findings: Sequence[FindingInput]) -> None:
    if at.tzinfo is None:
        raise ValidationError(_l("检查时间无效。"))
    if at > utcnow() + CLOCK_SLACK:
        raise ValidationError(_l("检查时间不能晚于现在。"))
    if not findings:
        raise ValidationError(_l("请至少记录一名干部的在岗情况。"))
    ids = [f.cadre_id for f in findings]
    if len(ids) != len(set(ids)):
        raise ValidationError(_l("同一名干部只能记录一次。"))
    known = set(db.session.scalars(
        select(Cadre.id).where(Cadre.id.in_(ids), Cadre.township_id == township.id)
    ))
    if known != set(ids):
        raise ValidationError(_l("所记录的干部不属于该乡镇。"))


def in_scope_township(user: User, township_id: int) -> Township:
    """The township if it is in the user's scope, else NotFoundError."""
    township = db.session.scalar(
        select(Township).where(Township.id == township_id,
                               Township.id.in_(township_ids_in_scope(user)))
    )
    if township is None:
        raise NotFoundError("township")
    return township


def cadres_to_check(township_id: int) -> list[Cadre]:
    """The township's active cadres, in the order of the check form."""
    return list(db.session.scalars(select(Cadre).where(
        Cadre.township_id == township_id, Cadre.active.is_(True)).order_by(Cadre.sort_order, Cadre.id)))


def record_spot_check(*, checker: User, township_id: int, at: datetime,
                      findings: Sequence[FindingInput], note: str = "") -> SpotCheck:
    """Record a spot check and its findings, each compared with the board as known at `at`."""
    township = in_scope_township(checker, township_id)
    _validate(township, at, findings)
    said = board_at.township_at(township.id, at, cadre_ids=[f.cadre_id for f in findings])
    calendar = official_calendar()
    check = SpotCheck(township_id=township.id, at=at, checker_id=checker.id, note=note)
    for item in findings:
        cadre_said = said.cadres[item.cadre_id]
        check.findings.append(SpotCheckFinding(
            cadre_id=item.cadre_id, presence=item.presence, note=item.note,
            board_status=cadre_said.status.value if cadre_said.status else "",
            mismatch=mismatch_of(item.presence, cadre_said, at, calendar),
        ))
    db.session.add(check)
    db.session.flush()
    audit.record(
        "spot_check.record", actor=checker, object_type="spot_check", object_id=check.public_id,
        detail={"township": township.code, "at": at.isoformat(), "findings": len(findings),
                "mismatches": sum(1 for f in check.findings if f.mismatch)},
    )
    db.session.commit()
    return check


def visible_checks(user: User):
    """A SELECT of the spot checks the user may see: in scope; a supervisor sees only their own."""
    stmt = select(SpotCheck).where(SpotCheck.township_id.in_(township_ids_in_scope(user)))
    if user.role == Role.SUPERVISOR:
        stmt = stmt.where(SpotCheck.checker_id == user.id)
    return stmt


def list_checks(user: User, limit: int = 100) -> list[SpotCheck]:
    """The latest spot checks the user may see, newest first."""
    stmt = (
        visible_checks(user)
        .options(selectinload(SpotCheck.findings), selectinload(SpotCheck.township))
        .order_by(SpotCheck.at.desc(), SpotCheck.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


def get_check(user: User, public_id: str) -> SpotCheck:
    """One spot check the user may see, else NotFoundError."""
    check = db.session.scalar(
        visible_checks(user).where(SpotCheck.public_id == public_id)
        .options(selectinload(SpotCheck.findings).selectinload(SpotCheckFinding.cadre))
    )
    if check is None:
        raise NotFoundError("spot check")
    return check


@dataclass(frozen=True)
class FindingView:
    """A finding with what the records said then and now, for the detail page."""

    finding: SpotCheckFinding
    said: board_at.CadreAt
    said_now: board_at.CadreAt
    matched: bool
    report: Report | None

    @property
    def board_changed_after(self) -> bool:
        """The board entry for the moment was changed after the check."""
        then = self.said.whereabouts.id if self.said.whereabouts else None
        now = self.said_now.whereabouts.id if self.said_now.whereabouts else None
        return then != now


def describe(check: SpotCheck) -> list[FindingView]:
    """Each finding of a check with the board, leave and duty at its moment (then and now)."""
    ids = [f.cadre_id for f in check.findings]
    then = board_at.township_at(check.township_id, check.at, cadre_ids=ids)
    now = board_at.township_at(check.township_id, check.at, known_at=utcnow(), cadre_ids=ids)
    report_ids = [f.report_id for f in check.findings if f.report_id]
    reports = {r.id: r for r in db.session.scalars(select(Report).where(Report.id.in_(report_ids)))}
    return [
        FindingView(f, then.cadres[f.cadre_id], now.cadres[f.cadre_id],
                    matches_board(f.presence, f.board_status), reports.get(f.report_id))
        for f in check.findings
    ]


def _category(finding: SpotCheckFinding, said: board_at.CadreAt) -> Category:
    if finding.mismatch == FALSE_BOARD:
        return Category.FALSE_BOARD
    if finding.mismatch == SHIFT_UNSTAFFED:
        return Category.NO_DUTY_LEADER if said.duty_role == DutyRole.LEADER else Category.LEFT_POST
    return Category.ABSENT_WORKDAY


def _description(check: SpotCheck, finding: SpotCheckFinding) -> str:
    local = check.at.astimezone(TZ).strftime("%Y-%m-%d %H:%M")
    # Stored in the report as data, in the portal's language (Chinese), whatever the page's.
    zh = labels.in_source_language
    board = zh(labels.label(Status(finding.board_status))) if finding.board_status else "无"
    text = (
        f"明察暗访：{local} 在{check.township.name}检查，{finding.cadre.name}"
        f"（{finding.cadre.post}）{zh(labels.PRESENCE[finding.presence])}；"
        f"当时公示去向：{board}；问题：{zh(MISMATCH_LABELS[finding.mismatch])}。"
    )
    if finding.note:
        text += f"现场记录：{finding.note}"
    return text


def report_from_finding(*, user: User, check_public_id: str, cadre_public_id: str) -> Report:
    """Turn a finding's mismatch into a report in the review queue (source spot_check), linked both ways."""
    check = get_check(user, check_public_id)
    finding = next((f for f in check.findings if f.cadre.public_id == cadre_public_id), None)
    if finding is None:
        raise NotFoundError("finding")
    if not finding.mismatch:
        raise ValidationError(_l("该记录与公示一致，无需举报。"))
    if finding.report_id is not None:
        raise ConflictError(_l("该问题已转为举报。"))
    said = board_at.cadre_at(finding.cadre_id, check.at)
    report, _receipt = create_report(
        township=check.township, category=_category(finding, said),
        description=_description(check, finding), cadre=finding.cadre, observed_at=check.at,
        place=check.township.name, source=Source.SPOT_CHECK, filed_by=user, commit=False,
    )
    db.session.flush()
    # Two checkers pressing the button at once: only one report links.
    linked = db.session.execute(
        update(SpotCheckFinding)
        .where(SpotCheckFinding.id == finding.id, SpotCheckFinding.report_id.is_(None))
        .values(report_id=report.id)
        .execution_options(synchronize_session=False)
    ).rowcount
    if linked != 1:
        db.session.rollback()
        raise ConflictError(_l("该问题已转为举报。"))
    audit.record(
        "spot_check.report", actor=user, object_type="report", object_id=report.public_id,
        detail={"spot_check": check.public_id, "cadre": cadre_public_id,
                "mismatch": finding.mismatch},
    )
    db.session.commit()
    db.session.refresh(finding)
    return report
