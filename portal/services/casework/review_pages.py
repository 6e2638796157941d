"""What the inspectors' pages show, each from one call: the queue's rows and the case page.

A view parses the request, calls one function here and renders what it returns: the
templates ask the database nothing more (everything they read is loaded here) and decide
nothing (`Permitted` says which steps the user may take, from portal/rules/lifecycle.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.engine import Row
from sqlalchemy.orm import joinedload, selectinload

from portal.extensions import db
from portal.models import (
    Category,
    Evidence,
    Report,
    ReportEvent,
    ReportFeedback,
    ReportStatus,
    ReportTransfer,
    ReviewRequest,
    Role,
    User,
)
from portal.models.base import utcnow
from portal.rules import deadlines, lifecycle
from portal.rules.calendar import OfficialCalendar
from portal.rules.lifecycle import Step
from portal.services.casework import (
    case_numbers,
    cases,
    crosscheck,
    evidence,
    queue,
    review,
    transfers,
)
from portal.services.casework import exposure as publication
from portal.services.casework import feedback as followups
from portal.services.casework.crosscheck import CrossCheck
from portal.services.shared import scope
from portal.services.shared.calendar import official_calendar
from portal.services.shared.errors import NotFoundError

# --- the queue ------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueRow:
    """One report as a row of the queue."""

    public_id: str
    case_number: str  # 演示县〔2026〕第0012号
    named: bool
    township: str
    category: Category
    cadre: str  # the roster cadre's name, or what the reporter typed
    status: ReportStatus
    escalated: bool
    age: int  # working days since submission
    due: datetime | None  # the deadline of the next step
    overdue: bool
    assignee: str | None  # the assignee's display name; None while unassigned


@dataclass
class QueueView:
    rows: list[QueueRow]
    counts: dict[str, int]
    next_cursor: str | None
    # The townships to filter by, as (code, name); None: too many, the code is typed.
    townships: list[Row] | None


def _queue_row(report: Report, assignees: dict[int, User], now: datetime,
               calendar: OfficialCalendar, number: str) -> QueueRow:
    due = lifecycle.deadline(report.status, report.accept_due, report.conclude_due)
    assignee = assignees.get(report.assignee_id) if report.assignee_id else None
    return QueueRow(
        public_id=report.public_id, case_number=number, named=report.named, township=report.township.name,
        category=report.category, cadre=report.cadre.name if report.cadre else report.cadre_text,
        status=report.status, escalated=report.escalation_level > 0,
        age=deadlines.age_in_working_days(report.submitted_at, now, calendar),
        due=due, overdue=lifecycle.past_due(due, now),
        assignee=(assignee.display_name if assignee else "") if report.assignee_id else None,
    )


def queue_view(*, user: User, filters: queue.QueueFilters, cursor: str | None = None,
               size: int = 50, now: datetime | None = None) -> QueueView:
    """A page of the queue with everything its rows, counts and filters show."""
    now = now or utcnow()
    page = queue.fetch_page(user=user, filters=filters, cursor=cursor, size=size, now=now)
    calendar = official_calendar()
    numbers = case_numbers.numbers_of(page.reports)
    rows = [_queue_row(r, page.assignees, now, calendar, numbers[r.id]) for r in page.reports]
    return QueueView(rows, page.counts, page.next_cursor, scope.township_choices(user))


# --- the case page --------------------------------------------------------------------------


@dataclass(frozen=True)
class Permitted:
    """Which steps the user may take on the report now (decided here, not in templates)."""

    accept: bool = False
    not_accept: bool = False
    merge: bool = False
    claim: bool = False
    assign: bool = False
    conclude: bool = False
    rectify: bool = False
    note: bool = False
    message: bool = False
    reveal: bool = False
    transfer: bool = False


def permitted(user: User, report: Report) -> Permitted:
    """The life cycle's open steps for this user, and what else the case page offers."""
    if user.role != Role.INSPECTOR or not cases.may_change(user, report):
        return Permitted()  # another office handles it now: read only
    steps = lifecycle.open_steps(report.status, finding=report.finding,
                                 assignee_id=report.assignee_id, actor_id=user.id)
    return Permitted(
        accept=Step.ACCEPT in steps, not_accept=Step.NOT_ACCEPT in steps, merge=Step.MERGE in steps,
        claim=Step.CLAIM in steps, assign=bool(steps & {Step.ASSIGN, Step.HAND_OVER}),
        conclude=Step.CONCLUDE in steps, rectify=Step.RECTIFY in steps,
        note=True,
        message=report.purged_at is None,
        reveal=report.named and report.purged_at is None
        and cases.case_assignee_id(report) == user.id,
        transfer=Step.TRANSFER in steps,
    )


@dataclass
class CasePage:
    """Everything the case page shows, loaded, and what the user may do on it."""

    report: Report
    due: datetime | None
    overdue: bool
    age: int
    may: Permitted
    people: dict[int, User]  # the users the page names (actors, assignee, message authors)
    children: list[Report]  # reports merged into this one, with their threads
    merged_into: Report | None
    check: CrossCheck | None
    group: list[Report]  # other reports on the same cadre and day
    photos: list[Evidence]  # the report's own photos (not those sent with a message)
    message_photos: dict[int, list[Evidence]]
    assignees: list[tuple[str, str]] = field(default_factory=list)  # (public id, name)
    revealed: tuple[str, str] | None = None
    numbers: dict[int, str] = field(default_factory=dict)  # case numbers, by report id
    exposure: publication.CaseExposure | None = None  # its publication (通报曝光), if any
    # The internal notes of every step (accepting, merging, concluding, a note), one thread.
    notes: list[ReportEvent] = field(default_factory=list)
    # The status each step leads to, by step: the buttons say it before they are pressed.
    moves: dict[str, ReportStatus] = field(default_factory=dict)
    transfers: list[ReportTransfer] = field(default_factory=list)  # oldest first
    handled_by: str = ""  # the office handling it now, when not the user's own
    review_request: ReviewRequest | None = None  # 复查, asked by the reporter
    may_decide_review: bool = False
    feedback: ReportFeedback | None = None  # the reporter's satisfaction


# The events whose staff note an inspector wrote (the others hold a name or an id): the notes.
NOTE_EVENTS = frozenset({"accepted", "concluded", "note"})
# What the case page reads of a report and of each merged report, loaded with it.
_THREAD = (selectinload(Report.messages), selectinload(Report.evidence))
_CASE = (joinedload(Report.township), joinedload(Report.cadre), selectinload(Report.events),
         *_THREAD)


def _load(user: User, public_id: str) -> Report:
    report = db.session.scalar(
        select(Report).where(Report.public_id == public_id, queue.visible_condition(user))
        .options(*_CASE).execution_options(populate_existing=True)
    )
    if report is None:
        raise NotFoundError("no such report")
    return report


def _children(report: Report) -> list[Report]:
    return list(db.session.scalars(
        select(Report).where(Report.merged_into_id == report.id).options(*_THREAD)
        .order_by(Report.submitted_at).execution_options(populate_existing=True)
    ))


def _people(report: Report, threads: list[Report]) -> dict[int, User]:
    ids = {e.actor_id for e in report.events} | {report.assignee_id}
    ids |= {m.author_id for r in threads for m in r.messages}
    ids.discard(None)
    if not ids:
        return {}
    return {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))}


def _message_photos(reports: list[Report]) -> dict[int, list[Evidence]]:
    grouped: dict[int, list[Evidence]] = {}
    for item in (e for r in reports for e in r.evidence):
        if item.message_id is not None:
            grouped.setdefault(item.message_id, []).append(item)
    return grouped


def case_page(*, user: User, public_id: str, reveal: bool = False,
              keyring: dict[int, bytes] | None = None, now: datetime | None = None) -> CasePage:
    """The case page of a report the user may see (NotFoundError otherwise).

    With reveal, a named reporter's identity is shown to the assigned inspector, and the
    view is written to the audit log (review.reveal_reporter; NotFoundError for anyone else).
    """
    now = now or utcnow()
    revealed = None
    if reveal:
        revealed = review.reveal_reporter(user=user, keyring=keyring or {},
                                          report=cases.get_report(user=user, public_id=public_id))
    report = _load(user, public_id)
    children = _children(report)
    merged_into = db.session.get(Report, report.merged_into_id) if report.merged_into_id else None
    group = crosscheck.same_day_group(user=user, report=report)
    numbered = [report, *children, *group, *([merged_into] if merged_into else [])]
    due = lifecycle.deadline(report.status, report.accept_due, report.conclude_due)
    return CasePage(
        report=report, due=due, overdue=lifecycle.past_due(due, now),
        age=cases.age_in_working_days(report, now), may=permitted(user, report),
        people=_people(report, [report, *children]), children=children,
        merged_into=merged_into, check=crosscheck.check(report), group=group,
        photos=[e for e in report.evidence if e.message_id is None],
        message_photos=_message_photos([report, *children]),
        assignees=[(u.public_id, u.display_name or u.username) for u in cases.inspectors_for(report)
                   if u.id != report.assignee_id],
        revealed=revealed, numbers=case_numbers.numbers_of(numbered),
        exposure=publication.case_exposure(user=user, report=report),
        notes=sorted((e for e in report.events if e.staff_note and e.kind in NOTE_EVENTS),
                     key=lambda e: (e.at, e.id)),
        moves={step.value: rule.target for step, rule in lifecycle.STEPS.items()},
        transfers=transfers.history(report),
        **dict(zip(("review_request", "may_decide_review", "feedback"),
                   followups.case_review(user=user, report=report), strict=True)),
        handled_by="" if cases.may_change(user, report) or user.role != Role.INSPECTOR
        else transfers.office_name(transfers.handling_region(report)),
    )


def photo(*, user: User, public_id: str, evidence_id: str) -> tuple[str, bytes]:
    """A photo of a report the user may see, as (content type, bytes); NotFoundError if none."""
    report = cases.get_report(user=user, public_id=public_id)
    item = next((e for e in report.evidence if e.public_id == evidence_id), None)
    if item is None:
        raise NotFoundError("no such photo")
    return item.content_type, evidence.read_bytes(item)
