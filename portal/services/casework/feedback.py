"""After the conclusion: the reporter says whether they are satisfied, and may ask for a review.

Both are posted from /track once a receipt has opened the report; every reporter, anonymous
or named, may do both. Nothing about the reporter is stored: the satisfaction keeps only its
day, the review request the reporter's words and when it came.

A review (复查) may be asked within REPORT_REVIEW_WINDOW_DAYS (30) days of the conclusion, once
per report. It goes to the office one level above the one that concluded the case (the city's
for a county's case, the province's for a city's), which decides within REPORT_REVIEW_DAYS
(30) days: the conclusion upheld, or changed (its public text says how). The outcome is shown
on the tracking page. Every step is in the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portal.extensions import db
from portal.models import (
    Region,
    Report,
    ReportFeedback,
    ReportStatus,
    ReviewOutcome,
    ReviewRequest,
    Role,
    Satisfaction,
    User,
)
from portal.models.base import utcnow
from portal.rules import deadlines
from portal.rules.calendar import end_of_local_day, local_date
from portal.sanitize import clean_text
from portal.services.casework import case_numbers, transfers
from portal.services.casework.cases import OFFICE_LEVELS, office_level_of
from portal.services.casework.queue import visible_condition
from portal.services.shared import audit
from portal.services.shared.errors import IllegalTransitionError, NotFoundError, ValidationError
from portal.services.shared.transaction import commit_or_conflict, use_case

REVIEW_WINDOW_DAYS = 30
REVIEW_DAYS = 30
REASON_LENGTH = 2000
# The statuses after which the reporter is asked (the case was concluded).
CONCLUDED = frozenset({ReportStatus.CONCLUDED, ReportStatus.RECTIFIED})
CONFLICT = _("其他人刚刚处理了此复查申请，请查看最新状态。")


def review_window_end(report: Report) -> datetime | None:
    """The end of the last day a review may be asked for; None before the conclusion."""
    if report.status not in CONCLUDED or report.concluded_at is None:
        return None
    days = current_app.config.get("REPORT_REVIEW_WINDOW_DAYS", REVIEW_WINDOW_DAYS)
    return end_of_local_day(local_date(report.concluded_at) + timedelta(days=days))


def reviewing_office(report: Report) -> Region | None:
    """The region whose office reviews the case: the one above the office that concluded it."""
    region = transfers.handling_region(report)
    return db.session.get(Region, region.parent_id) if region and region.parent_id else None


def feedback_of(report: Report) -> ReportFeedback | None:
    return db.session.get(ReportFeedback, report.id)


def request_of(report: Report) -> ReviewRequest | None:
    return db.session.scalar(select(ReviewRequest).where(ReviewRequest.report_id == report.id)
                             .options(joinedload(ReviewRequest.region)))


@use_case
def give_feedback(*, report: Report, satisfaction: str) -> ReportFeedback:
    """The reporter's satisfaction with a concluded case, once."""
    if report.status not in CONCLUDED:
        raise IllegalTransitionError(_("办结后才能评价。"))
    try:
        value = Satisfaction(satisfaction)
    except ValueError as error:
        raise ValidationError(_("请选择满意、基本满意或不满意。")) from error
    if feedback_of(report) is not None:
        raise IllegalTransitionError(_("您已经评价过了，谢谢。"))
    row = ReportFeedback(report_id=report.id, satisfaction=value, given_on=local_date(utcnow()))
    db.session.add(row)
    audit.record("report.feedback", actor=None, object_type="report", object_id=report.public_id,
                 detail={"satisfaction": value.value})
    commit_or_conflict(_("您已经评价过了，谢谢。"))
    return row


@use_case
def request_review(*, report: Report, reason: str) -> ReviewRequest:
    """复查: the reporter asks the office one level up to review the conclusion, once."""
    end = review_window_end(report)
    now = utcnow()
    if end is None:
        raise IllegalTransitionError(_("办结后才能申请复查。"))
    if now > end:
        raise IllegalTransitionError(_("申请复查的期限（办结后30日内）已过。"))
    if request_of(report) is not None:
        raise IllegalTransitionError(_("您已经申请过复查。"))
    office = reviewing_office(report)
    if office is None:
        raise IllegalTransitionError(_("本案由省级机关办结，不能在本系统申请复查。"))
    reason = clean_text(reason, REASON_LENGTH, multiline=True)
    if not reason:
        raise ValidationError(_("请写明申请复查的理由。"))
    days = current_app.config.get("REPORT_REVIEW_DAYS", REVIEW_DAYS)
    row = ReviewRequest(report_id=report.id, requested_at=now, reason=reason, region_id=office.id,
                        level=OFFICE_LEVELS[office.level], due=deadlines.conclude_deadline(now, days))
    db.session.add(row)
    audit.record("report.review_requested", actor=None, object_type="report",
                 object_id=report.public_id, detail={"office": office.code})
    commit_or_conflict(_("您已经申请过复查。"))
    return row


def may_decide(user: User, report: Report, request: ReviewRequest | None) -> bool:
    """An inspector of the reviewing office (or above it) decides an open review request."""
    return (request is not None and request.outcome is None and user.role == Role.INSPECTOR
            and office_level_of(user) >= request.level)


@use_case
def decide_review(*, user: User, report: Report, outcome: str, outcome_public: str) -> ReviewRequest:
    """The reviewing office's decision: the conclusion upheld or changed, in words for the reporter."""
    request = request_of(report)
    if not may_decide(user, report, request):
        raise IllegalTransitionError(_("只有上一级纪检监察机关可以作出复查决定。"))
    try:
        value = ReviewOutcome(outcome)
    except ValueError as error:
        raise ValidationError(_("请选择复查结论。")) from error
    text = clean_text(outcome_public, REASON_LENGTH, multiline=True)
    if not text:
        raise ValidationError(_("请填写向举报人公开的复查意见。"))
    request.outcome, request.outcome_public = value, text
    request.decided_at, request.decided_by_id = utcnow(), user.id
    audit.record("report.review_decided", actor=user, object_type="report",
                 object_id=report.public_id, detail={"outcome": value.value})
    commit_or_conflict(CONFLICT)
    return request


# --- what the pages show ----------------------------------------------------------------------


@dataclass(frozen=True)
class ReporterFollowUp:
    """What /track offers and shows after the conclusion."""

    feedback: ReportFeedback | None
    may_give_feedback: bool
    request: ReviewRequest | None
    may_request_review: bool
    review_until: datetime | None
    reviewing_office: str


def follow_up(report: Report, now: datetime | None = None) -> ReporterFollowUp:
    now = now or utcnow()
    given, request = feedback_of(report), request_of(report)
    end = review_window_end(report)
    office = reviewing_office(report) if end is not None and request is None else None
    return ReporterFollowUp(
        feedback=given, may_give_feedback=report.status in CONCLUDED and given is None,
        request=request,
        may_request_review=end is not None and now <= end and office is not None,
        review_until=end,
        reviewing_office=transfers.office_name(request.region if request else office)
        if (request or office) else "",
    )


@dataclass(frozen=True)
class ReviewRow:
    public_id: str
    case_number: str
    township: str
    requested_at: datetime
    due: datetime
    overdue: bool
    office: str


def open_reviews(*, user: User, limit: int = 200) -> list[ReviewRow]:
    """The open review requests the user's office decides, by deadline."""
    if user.role != Role.INSPECTOR:
        return []
    now = utcnow()
    rows = list(db.session.scalars(
        select(ReviewRequest).join(Report, Report.id == ReviewRequest.report_id)
        .where(ReviewRequest.outcome.is_(None), ReviewRequest.level <= office_level_of(user),
               visible_condition(user))
        .options(joinedload(ReviewRequest.report).joinedload(Report.township),
                 joinedload(ReviewRequest.region))
        .order_by(ReviewRequest.due, ReviewRequest.id).limit(limit)))
    numbers = case_numbers.numbers_of([r.report for r in rows])
    return [ReviewRow(r.report.public_id, numbers[r.report.id], r.report.township.name,
                      r.requested_at, r.due, now > r.due, transfers.office_name(r.region))
            for r in rows]


def case_review(*, user: User, report: Report) -> tuple[ReviewRequest | None, bool,
                                                          ReportFeedback | None]:
    """For the case page: the review request, whether the user decides it, the satisfaction."""
    request = request_of(report)
    return request, may_decide(user, report, request), feedback_of(report)


def get_visible(*, user: User, public_id: str) -> Report:
    report = db.session.scalar(select(Report).where(Report.public_id == public_id,
                                                    visible_condition(user)))
    if report is None:
        raise NotFoundError("no such report")
    return report
