"""What a reporter sees on /track: the status in plain words, the steps with their dates,
the deadline of the next step, the public part of the outcome and the message thread.

Words are lazy translations: they take the reader's language when rendered, and the
functions here need no request. Staff-only things (who handled it, staff notes, the
reporter's identity, the cadre's records) never appear here. Every reporter, anonymous or
named, sees the same.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from portal.extensions import db
from portal.models import Report, ReportEvent, ReportStatus, Sender, labels
from portal.models.base import utcnow
from portal.rules import lifecycle
from portal.rules.lifecycle import Phase
from portal.services.casework import case_numbers, feedback, reports, transfers

Words = str | LazyString

STATUS_WORDS = {
    ReportStatus.SUBMITTED: (_l("已收到，等待受理"),
                             _l("纪检监察干部会在期限内决定是否受理，并在这里告诉您。")),
    ReportStatus.ACCEPTED: (_l("已受理"), _l("您的举报已受理，将安排人员核查。")),
    ReportStatus.NOT_ACCEPTED: (_l("不予受理"), _l("您的举报没有被受理，原因见下方。")),
    ReportStatus.MERGED: (_l("已并案处理"),
                          _l("另有举报反映同一件事，两件举报合并在一起核查处理。")),
    ReportStatus.VERIFYING: (_l("正在核查"), _l("纪检监察干部正在核实您反映的情况。")),
    ReportStatus.CONCLUDED: (_l("已办结"), _l("核查已经结束，结果见下方。")),
    ReportStatus.RECTIFIED: (_l("已整改"), _l("核查已经结束，乡镇已经完成整改。")),
    ReportStatus.TRANSFERRED: (_l("已转交"), _l("您反映的问题不属于纪检监察机关管辖，已转交有关机关办理。")),
}
PHASE_WORDS = {
    Phase.DECIDE: _l("决定是否受理"),
    Phase.CONCLUDE: _l("核查并办结"),
    Phase.RECTIFY: _l("乡镇整改"),
}
STEP_TITLES = {
    ReportStatus.SUBMITTED: _l("收到举报"),
    ReportStatus.ACCEPTED: _l("受理"),
    ReportStatus.NOT_ACCEPTED: _l("不予受理"),
    ReportStatus.MERGED: _l("并案"),
    ReportStatus.VERIFYING: _l("开始核查"),
    ReportStatus.CONCLUDED: _l("办结"),
    ReportStatus.RECTIFIED: _l("整改完成"),
    ReportStatus.TRANSFERRED: _l("转交"),
}
# A transfer (转办) to another office shows as its own step, whatever status it leads to.
TRANSFER_TITLE = _l("转交")


@dataclass(frozen=True)
class Step:
    """One step of the report's life as the reporter sees it."""

    title: Words
    at: datetime
    note: str = ""


@dataclass(frozen=True)
class NextStep:
    title: Words
    due: datetime | None
    overdue: bool = False
    escalated: bool = False


@dataclass(frozen=True)
class Outcome:
    finding: Words
    action: Words
    text: str


@dataclass(frozen=True)
class ThreadEntry:
    from_reporter: bool
    body: str
    at: datetime
    photos: int


@dataclass
class PublicView:
    status: Words
    explanation: Words
    steps: list[Step]
    next_step: NextStep | None
    outcome: Outcome | None
    thread: list[ThreadEntry] = field(default_factory=list)
    photos: int = 0
    can_reply: bool = True
    merged_status: Words = ""
    case_number: Words = ""  # 演示县〔2026〕第0012号, to quote by phone or letter
    transferred_to: str = ""  # the office (or authority) handling it after a transfer
    follow_up: feedback.ReporterFollowUp | None = None  # satisfaction and 复查, once concluded


def public_timeline(report: Report) -> list[Step]:
    """The steps so far, oldest first, each with its date and the note meant for the reporter."""
    steps: list[Step] = []
    events: list[ReportEvent] = list(report.events)
    for event in events:
        if event.to_status is None:
            continue
        note = event.public_note or ""
        if event.to_status == ReportStatus.NOT_ACCEPTED and not note:
            note = report.not_accepted_reason or ""
        title = TRANSFER_TITLE if event.kind == "transferred" else STEP_TITLES[event.to_status]
        steps.append(Step(title, event.at, note))
    if not steps:
        steps.append(Step(STEP_TITLES[ReportStatus.SUBMITTED], report.submitted_at))
    return steps


def next_step(report: Report, now: datetime | None = None) -> NextStep | None:
    """What happens next and by when (None once nothing more will happen)."""
    now = now or utcnow()
    step = lifecycle.next_step(report.status, finding=report.finding,
                               accept_due=report.accept_due, conclude_due=report.conclude_due)
    if step is None:
        return None
    if step.phase == Phase.RECTIFY:
        # The township's part: no deadline, nothing to escalate.
        return NextStep(PHASE_WORDS[step.phase], None)
    return NextStep(PHASE_WORDS[step.phase], step.due, lifecycle.past_due(step.due, now),
                    report.escalation_level > 0)


def _outcome(report: Report) -> Outcome | None:
    if report.finding is None and not report.outcome_public:
        return None
    return Outcome(
        finding=labels.FINDING[report.finding] if report.finding else "",
        action=labels.PUBLIC_ACTION[report.action] if report.action else "",
        text=report.outcome_public or "",
    )


def public_view(report: Report, now: datetime | None = None) -> PublicView:
    """Everything /track shows for one report."""
    counts = reports.photo_counts(report)
    status, explanation = STATUS_WORDS[report.status]
    view = PublicView(
        status=status, explanation=explanation, steps=public_timeline(report),
        next_step=next_step(report, now), outcome=_outcome(report), photos=counts.get(None, 0),
        can_reply=report.purged_at is None,
        thread=[ThreadEntry(m.sender == Sender.REPORTER, m.body, m.at, counts.get(m.id, 0))
                for m in report.messages],
        case_number=case_numbers.format_number(
            case_numbers.county_names([case_numbers.numbering_county(report)]).get(
                case_numbers.numbering_county(report), ""),
            report.case_year, report.case_seq, lazy=True),
        transferred_to=transfers.last_office(report),
        follow_up=feedback.follow_up(report, now),
    )
    if report.status == ReportStatus.MERGED and report.merged_into_id:
        target = db.session.get(Report, report.merged_into_id)
        if target is not None:
            view.merged_status = STATUS_WORDS[target.status][0]
            view.outcome = view.outcome or _outcome(target)
    return view
