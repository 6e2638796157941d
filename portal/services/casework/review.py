"""The report life cycle, step by step, for inspectors.

Which step may start from which status, and who may take it, is portal/rules/lifecycle.py;
this module words its refusals and writes the steps.

Every step records a ReportEvent (who, when, from → to, a public note the reporter
reads on /track) and an audit entry, in one transaction. Claiming is a conditional
UPDATE (… WHERE assignee_id IS NULL AND status = 'accepted'), so of two inspectors
claiming at once exactly one wins, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError

from portal.extensions import db
from portal.models import (
    Action,
    Finding,
    Report,
    ReportEvent,
    ReportStatus,
    Role,
    Sender,
    User,
    labels,
)
from portal.models.base import utcnow
from portal.rules import deadlines, lifecycle
from portal.rules.lifecycle import Refusal, Step
from portal.sanitize import clean_text
from portal.services.casework.cases import case_assignee_id, get_report
from portal.services.casework.cases import may_change as case_may_change
from portal.services.casework.messages import add_message
from portal.services.casework.queue import visible_condition
from portal.services.shared import audit, sealing
from portal.services.shared.errors import (
    ConflictError,
    IllegalTransitionError,
    NotFoundError,
    ServiceError,
    ValidationError,
)
from portal.services.shared.transaction import commit_or_conflict, is_lock_error, use_case


class SealedError(ServiceError):
    """The report's sealed part does not open with this inspector's keys."""


# Error messages are lazy (`_` is lazy_gettext): the view renders them in the user's language.
NOTE_LENGTH = 2000
# What the reporter reads on /track for each step (plain words, no names).
PUBLIC_NOTES = {
    "accepted": "您的举报已受理，将在办理期限内核查。",
    "not_accepted": "您的举报不予受理。",
    "merged": "您的举报与其他反映同一问题的举报合并办理，您仍可通过本回执码查看进展、回复问题。",
    "assigned": "已安排专人核查。",
    "concluded": "核查已办结。",
    "rectified": "有关乡镇已完成整改。",
    "escalated": "办理已超过期限，已报上级纪检监察机关督办。",
    "transferred": "已转交%(office)s办理。",
}
CONFLICT = _("其他人刚刚处理了此举报，请查看最新状态。")
# Why a step is refused, for the steps that say more than "not from this status".
REFUSALS = {
    (Step.HAND_OVER, Refusal.NOT_ASSIGNEE): _("只有承办人可以移交此举报。"),
    (Step.CONCLUDE, Refusal.NOT_ASSIGNEE): _("只有承办人可以办结此举报。"),
    (Step.RECTIFY, Refusal.NOTHING_TO_RECTIFY): _("核查不属实的举报无需整改。"),
    (Step.TRANSFER, Refusal.NOT_ASSIGNEE): _("正在核查的举报只能由承办人转办。"),
    (Step.FORWARD, Refusal.NOT_ASSIGNEE): _("正在核查的举报只能由承办人转办。"),
}


def _require_inspector(user: User) -> None:
    if user.role != Role.INSPECTOR:
        raise IllegalTransitionError(_("只有纪检监察干部可以办理举报。"))


def _require_handler(user: User, report: Report) -> None:
    """Only the office handling the report changes it (a transfer up leaves a read-only view)."""
    if not case_may_change(user, report):
        raise IllegalTransitionError(_("此举报已转交上级机关办理，本单位只能查看。"))


def _require(step: Step, report: Report, user: User, *, status_only: bool = False) -> ReportStatus:
    """The status the step leads to; refused unless the life cycle allows it to the user now."""
    _require_handler(user, report)
    why = lifecycle.refusal(step, report.status, finding=report.finding,
                            assignee_id=report.assignee_id, actor_id=user.id)
    if why is None or (status_only and why != Refusal.STATUS):
        return lifecycle.STEPS[step].target
    if why == Refusal.STATUS:
        raise IllegalTransitionError(_("此举报当前的状态（%(status)s）不能进行这一步。",
                                       status=labels.REPORT_STATUS[report.status]))
    raise IllegalTransitionError(REFUSALS.get((step, why), CONFLICT))


def _event(report: Report, actor: User | None, kind: str, to_status: ReportStatus | None,
           *, public_note: str = "", staff_note: str = "", from_status: ReportStatus | None = None,
           at: datetime | None = None) -> ReportEvent:
    event = ReportEvent(
        report=report, actor_id=actor.id if actor else None, kind=kind, at=at or utcnow(),
        from_status=from_status if from_status is not None else report.status, to_status=to_status,
        public_note=public_note, staff_note=staff_note,
    )
    db.session.add(event)
    return event


def _audit(step: str, user: User | None, report: Report, **detail) -> None:
    audit.record(f"report.{step}", actor=user, object_type="report", object_id=report.public_id,
                 detail=detail)


@use_case
def accept(*, user: User, report: Report, note: str = "") -> Report:
    """待受理 → 已受理; the 30-day conclusion deadline starts."""
    _require_inspector(user)
    to_status = _require(Step.ACCEPT, report, user)
    now = utcnow()
    _event(report, user, "accepted", to_status, public_note=PUBLIC_NOTES["accepted"],
           staff_note=clean_text(note, NOTE_LENGTH, multiline=True), at=now)
    report.status = to_status
    report.accepted_at = now
    report.conclude_due = deadlines.conclude_deadline(
        now, current_app.config.get("REPORT_CONCLUDE_DAYS", deadlines.CONCLUDE_DAYS)
    )
    _audit("accepted", user, report)
    commit_or_conflict(CONFLICT)
    return report


@use_case
def not_accept(*, user: User, report: Report, reason: str) -> Report:
    """待受理 → 不予受理, with a reason the reporter reads."""
    _require_inspector(user)
    to_status = _require(Step.NOT_ACCEPT, report, user)
    reason = clean_text(reason, NOTE_LENGTH, multiline=True)
    if not reason:
        raise ValidationError(_("请填写不予受理的理由。"))
    now = utcnow()
    _event(report, user, "not_accepted", to_status, public_note=reason, at=now)
    report.status = to_status
    report.not_accepted_reason = reason
    report.closed_at = now
    _audit("not_accepted", user, report)
    commit_or_conflict(CONFLICT)
    return report


@use_case
def merge(*, user: User, report: Report, into_public_id: str, note: str = "") -> Report:
    """Merge into another report of the scope; every reporter keeps their own thread."""
    _require_inspector(user)
    to_status = _require(Step.MERGE, report, user)
    try:
        target = get_report(user=user, public_id=(into_public_id or "").strip())
    except NotFoundError as error:
        raise ValidationError(_("找不到要并入的举报，请核对编号。")) from error
    if target.id == report.id:
        raise ValidationError(_("不能并入自身。"))
    if target.status in lifecycle.CLOSED_STATUSES:
        raise ValidationError(_("要并入的举报已经办结或关闭。"))
    now = utcnow()
    _event(report, user, "merged", to_status, public_note=PUBLIC_NOTES["merged"],
           staff_note=clean_text(note, NOTE_LENGTH, multiline=True) or target.public_id, at=now)
    _event(target, user, "merged_in", None, from_status=target.status,
           staff_note=report.public_id, at=now)
    report.status = to_status
    report.merged_into_id = target.id
    report.closed_at = now
    _audit("merged", user, report, into=target.public_id)
    commit_or_conflict(CONFLICT)
    return report


def _take(report: Report, *, assignee: User, expect_assignee_id: int | None,
          expect_status: ReportStatus) -> None:
    """The conditional UPDATE: succeeds for exactly one of several concurrent callers."""
    if expect_assignee_id is None:
        cond = Report.assignee_id.is_(None)
    else:
        cond = Report.assignee_id == expect_assignee_id
    try:
        result = db.session.execute(
            update(Report)
            .where(Report.id == report.id, Report.status == expect_status, cond)
            .values(assignee_id=assignee.id, status=ReportStatus.VERIFYING,
                    version=Report.version + 1)
            .execution_options(synchronize_session=False)
        )
    except OperationalError as error:
        db.session.rollback()
        if not is_lock_error(error):
            raise
        raise ConflictError(CONFLICT) from error
    if result.rowcount != 1:
        db.session.rollback()
        raise ConflictError(CONFLICT)


def _may_be_assigned(report: Report, assignee: User) -> bool:
    if assignee.role != Role.INSPECTOR or not assignee.active:
        return False
    return db.session.scalar(
        select(Report.id).where(Report.id == report.id, visible_condition(assignee))
    ) is not None


def claim(*, user: User, report: Report) -> Report:
    """已受理 → 核查中, assigned to the user; of two concurrent claims exactly one wins."""
    return assign(user=user, report=report, assignee=user)


@use_case
def assign(*, user: User, report: Report, assignee: User | None) -> Report:
    """Assign an accepted report to an inspector of its scope (or hand over one's own case)."""
    _require_inspector(user)
    from_status = report.status
    step = Step.HAND_OVER if from_status == ReportStatus.VERIFYING else Step.ASSIGN
    _require(step, report, user, status_only=True)
    if assignee is None or not _may_be_assigned(report, assignee):
        raise ValidationError(_("该人员不能承办此举报（不在其管辖范围内）。"))
    _require(step, report, user)
    if step == Step.HAND_OVER and assignee.id == user.id:
        raise ValidationError(_("此举报已由您承办。"))
    expect = user.id if step == Step.HAND_OVER else None
    _take(report, assignee=assignee, expect_assignee_id=expect, expect_status=from_status)
    db.session.refresh(report)
    handover = from_status == ReportStatus.VERIFYING
    # A hand-over is not a new step for the reporter: no status change, no public note.
    _event(report, user, "reassigned" if handover else "assigned",
           None if handover else ReportStatus.VERIFYING, from_status=from_status,
           public_note="" if handover else PUBLIC_NOTES["assigned"],
           staff_note=assignee.display_name or assignee.username)
    _audit("claimed" if assignee.id == user.id else "assigned", user, report,
           assignee=assignee.public_id)
    commit_or_conflict(CONFLICT)
    return report


@use_case
def assign_to(*, user: User, report: Report, assignee_public_id: str) -> Report:
    """assign(), to the inspector with this public id (as the case page's form names them)."""
    assignee = db.session.scalar(select(User).where(User.public_id == (assignee_public_id or "")))
    return assign(user=user, report=report, assignee=assignee)


@use_case
def conclude(*, user: User, report: Report, finding: Finding | str, action: Action | str,
             outcome_public: str, staff_note: str = "") -> Report:
    """核查中 → 已办结, by the assigned inspector, with finding, action and the public outcome."""
    _require_inspector(user)
    to_status = _require(Step.CONCLUDE, report, user)
    finding, action = Finding(finding), Action(action)
    if finding == Finding.UNSUBSTANTIATED and action != Action.NONE:
        raise ValidationError(_("核查不属实时，处理方式应为“无需处理”。"))
    outcome = clean_text(outcome_public, NOTE_LENGTH, multiline=True)
    if not outcome:
        raise ValidationError(_("请填写向举报人公开的办理结果。"))
    now = utcnow()
    _event(report, user, "concluded", to_status, public_note=outcome,
           staff_note=clean_text(staff_note, NOTE_LENGTH, multiline=True), at=now)
    report.status = to_status
    report.finding, report.action = finding, action
    report.outcome_public = outcome
    report.concluded_at = report.closed_at = now
    _audit("concluded", user, report, finding=finding.value, action=action.value)
    commit_or_conflict(CONFLICT)
    return report


@use_case
def rectify(*, user: User, report: Report, note: str = "") -> Report:
    """已办结 (属实 / 部分属实) → 已整改, once the township has confirmed the correction."""
    _require_inspector(user)
    to_status = _require(Step.RECTIFY, report, user)
    public = clean_text(note, NOTE_LENGTH, multiline=True) or PUBLIC_NOTES["rectified"]
    now = utcnow()
    _event(report, user, "rectified", to_status, public_note=public, at=now)
    report.status = to_status
    # Retention counts from the last closing step.
    report.closed_at = now
    _audit("rectified", user, report)
    commit_or_conflict(CONFLICT)
    return report


@use_case
def add_note(*, user: User, report: Report, text: str) -> ReportEvent:
    """A note for staff only; the reporter never sees it."""
    _require_inspector(user)
    _require_handler(user, report)
    text = clean_text(text, NOTE_LENGTH, multiline=True)
    if not text:
        raise ValidationError(_("备注不能为空。"))
    event = _event(report, user, "note", None, staff_note=text)
    _audit("noted", user, report)
    commit_or_conflict(CONFLICT)
    return event


@use_case
def ask_reporter(*, user: User, report: Report, body: str):
    """An inspector's question to the reporter, through the receipt thread."""
    _require_inspector(user)
    _require_handler(user, report)
    if report.purged_at is not None:
        raise IllegalTransitionError(_("此举报已归档，不能再发消息。"))
    return add_message(report=report, sender=Sender.INSPECTOR, body=body, author=user)


@use_case
def reveal_reporter(*, user: User, report: Report, keyring: dict[int, bytes]) -> tuple[str, str]:
    """A named reporter's name and contact, for the assigned inspector only; audited each time.

    The identity is sealed: it opens only with the county office's key, which the keyring of a
    logged-in inspector holds (SealedError when this inspector has not been granted it).
    """
    if not report.named or user.role != Role.INSPECTOR or case_assignee_id(report) != user.id:
        raise NotFoundError("not available")
    if not sealing.open_identity(report, keyring):
        raise SealedError(_("举报人身份已加密封存，您的账号尚未获得本县纪检监察机关的密钥。"
                            "请本单位已登录的同事重新登录一次，或用恢复密钥授权。"))
    audit.record("reporter.revealed", actor=user, object_type="report", object_id=report.public_id)
    commit_or_conflict(CONFLICT)
    return report.reporter_name or "", report.reporter_contact or ""
