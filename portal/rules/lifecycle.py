"""The report life cycle: its states, the steps between them, the next step and its deadline.

submitted → accepted | not_accepted | merged;  accepted → verifying (claim / assign) | merged;
verifying → concluded (by the assignee, who may also hand the case over);
concluded (属实 / 部分属实) → rectified;
any open status → submitted at the office the case is transferred to (转办), or → transferred
(forwarded to an outside authority, closed here).

Pure: plain values in, plain values out, no Flask and no database. The review service asks
it whether a step may be taken (and why not), the case page which steps to offer, the queue,
the tracking page and the exports what comes next and by when; the SQL expression that
orders the queue by deadline (models/report.py, `due_of`) is built from DEADLINE_FIELDS here,
and a test checks on generated reports that both give the same deadline.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

__all__ = [
    "CLOSED_STATUSES",
    "DEADLINE_FIELDS",
    "OPEN_STATUSES",
    "RECTIFIABLE",
    "STEPS",
    "Finding",
    "NextStep",
    "Phase",
    "Refusal",
    "ReportStatus",
    "Rule",
    "Step",
    "deadline",
    "deadline_columns",
    "next_step",
    "open_steps",
    "past_due",
    "refusal",
    "transitions",
]


class ReportStatus(enum.StrEnum):
    SUBMITTED = "submitted"  # 待受理
    ACCEPTED = "accepted"  # 已受理
    NOT_ACCEPTED = "not_accepted"  # 不予受理
    MERGED = "merged"  # 并案
    VERIFYING = "verifying"  # 核查中
    CONCLUDED = "concluded"  # 已办结
    RECTIFIED = "rectified"  # 已整改
    TRANSFERRED = "transferred"  # 已转交 (forwarded to an outside authority: closed here)


class Finding(enum.StrEnum):
    SUBSTANTIATED = "substantiated"  # 属实
    PARTLY_SUBSTANTIATED = "partly_substantiated"  # 部分属实
    UNSUBSTANTIATED = "unsubstantiated"  # 不属实


# While a report is open, one of its deadlines runs: the column of the report that holds it.
# The order is that of the SQL CASE (the queue's due indexes hold it exactly so).
DEADLINE_FIELDS: Mapping[ReportStatus, str] = {
    ReportStatus.SUBMITTED: "accept_due",
    ReportStatus.ACCEPTED: "conclude_due",
    ReportStatus.VERIFYING: "conclude_due",
}
OPEN_STATUSES = tuple(DEADLINE_FIELDS)
CLOSED_STATUSES = frozenset(ReportStatus) - frozenset(OPEN_STATUSES)
# Findings after which there is something to rectify.
RECTIFIABLE = frozenset({Finding.SUBSTANTIATED, Finding.PARTLY_SUBSTANTIATED})


class Step(enum.StrEnum):
    """What an inspector does to a report."""

    ACCEPT = "accept"
    NOT_ACCEPT = "not_accept"
    MERGE = "merge"
    CLAIM = "claim"  # take an unassigned accepted report oneself
    ASSIGN = "assign"  # give an accepted report to an inspector
    HAND_OVER = "hand_over"  # the assignee gives the case to another inspector
    CONCLUDE = "conclude"
    RECTIFY = "rectify"
    # 转办: to another county's office, or up to the city's or the province's; the receiver
    # starts again from 待受理 with its own deadline (services/casework/transfers.py).
    TRANSFER = "transfer"
    FORWARD = "forward"  # 转交外部机关: the case leaves the system with the authority named


@dataclass(frozen=True)
class Rule:
    """Where a step may start, where it leads, and who may take it."""

    sources: frozenset[ReportStatus]
    target: ReportStatus
    by_assignee: bool = False  # only the inspector the report is assigned to
    unassigned: bool = False  # only while nobody has the report


def _rule(sources: set[ReportStatus], target: ReportStatus, **who: bool) -> Rule:
    return Rule(frozenset(sources), target, **who)


S = ReportStatus
STEPS: Mapping[Step, Rule] = {
    Step.ACCEPT: _rule({S.SUBMITTED}, S.ACCEPTED),
    Step.NOT_ACCEPT: _rule({S.SUBMITTED}, S.NOT_ACCEPTED),
    Step.MERGE: _rule({S.SUBMITTED, S.ACCEPTED}, S.MERGED),
    Step.CLAIM: _rule({S.ACCEPTED}, S.VERIFYING, unassigned=True),
    Step.ASSIGN: _rule({S.ACCEPTED}, S.VERIFYING),
    Step.HAND_OVER: _rule({S.VERIFYING}, S.VERIFYING, by_assignee=True),
    Step.CONCLUDE: _rule({S.VERIFYING}, S.CONCLUDED, by_assignee=True),
    Step.RECTIFY: _rule({S.CONCLUDED}, S.RECTIFIED),
    Step.TRANSFER: _rule({S.SUBMITTED, S.ACCEPTED, S.VERIFYING}, S.SUBMITTED),
    Step.FORWARD: _rule({S.SUBMITTED, S.ACCEPTED, S.VERIFYING}, S.TRANSFERRED),
}


# The steps that send a case away; while it is verified, only its assignee takes them.
_MOVES = frozenset({Step.TRANSFER, Step.FORWARD})


class Refusal(enum.StrEnum):
    """Why a step may not be taken now (the services word it for the user)."""

    STATUS = "status"  # not from the report's current status
    NOT_ASSIGNEE = "not_assignee"
    ASSIGNED = "assigned"  # somebody already has the report
    NOTHING_TO_RECTIFY = "nothing_to_rectify"  # the finding was 不属实


def refusal(step: Step, status: ReportStatus, *, finding: Finding | None = None,
            assignee_id: int | None = None, actor_id: int | None = None) -> Refusal | None:
    """Why the actor may not take the step on a report in this state now; None if they may."""
    rule = STEPS[step]
    if status not in rule.sources:
        return Refusal.STATUS
    if rule.by_assignee and (assignee_id is None or assignee_id != actor_id):
        return Refusal.NOT_ASSIGNEE
    if rule.unassigned and assignee_id is not None:
        return Refusal.ASSIGNED
    if step in _MOVES and status == ReportStatus.VERIFYING and assignee_id != actor_id:
        return Refusal.NOT_ASSIGNEE  # a case under verification moves by its assignee's hand
    if step == Step.RECTIFY and finding not in RECTIFIABLE:
        return Refusal.NOTHING_TO_RECTIFY
    return None


def open_steps(status: ReportStatus, *, finding: Finding | None = None,
               assignee_id: int | None = None, actor_id: int | None = None) -> frozenset[Step]:
    """The steps the actor may take on a report in this state now."""
    return frozenset(step for step in Step if refusal(
        step, status, finding=finding, assignee_id=assignee_id, actor_id=actor_id) is None)


def transitions() -> frozenset[tuple[ReportStatus, ReportStatus]]:
    """Every change of status some step makes (a hand-over keeps the status: not listed)."""
    return frozenset((source, rule.target) for rule in STEPS.values() for source in rule.sources
                     if source != rule.target)


def deadline_columns() -> list[tuple[str, tuple[ReportStatus, ...]]]:
    """DEADLINE_FIELDS by column, in order: [(column, statuses whose deadline it holds)]."""
    columns: dict[str, list[ReportStatus]] = {}
    for status, column in DEADLINE_FIELDS.items():
        columns.setdefault(column, []).append(status)
    return [(column, tuple(statuses)) for column, statuses in columns.items()]


def deadline(status: ReportStatus, accept_due: datetime | None,
             conclude_due: datetime | None) -> datetime | None:
    """The deadline of the report's next step; None once it is closed."""
    column = DEADLINE_FIELDS.get(ReportStatus(status))
    if column is None:
        return None
    return accept_due if column == "accept_due" else conclude_due


def past_due(due: datetime | None, now: datetime) -> bool:
    """True once now is past the deadline; a step without one is never late."""
    return due is not None and now > due


class Phase(enum.StrEnum):
    """What happens next to a report, as the reporter and the queue name it."""

    DECIDE = "decide"  # accept it or not
    CONCLUDE = "conclude"  # verify and conclude
    RECTIFY = "rectify"  # the township corrects what was found


@dataclass(frozen=True)
class NextStep:
    phase: Phase
    due: datetime | None


_PHASES = {S.SUBMITTED: Phase.DECIDE, S.ACCEPTED: Phase.CONCLUDE, S.VERIFYING: Phase.CONCLUDE}


def next_step(status: ReportStatus, *, finding: Finding | None, accept_due: datetime | None,
              conclude_due: datetime | None) -> NextStep | None:
    """What happens next and by when; None when nothing more will happen."""
    status = ReportStatus(status)
    if status in _PHASES:
        return NextStep(_PHASES[status], deadline(status, accept_due, conclude_due))
    if status == S.CONCLUDED and finding in RECTIFIABLE:
        return NextStep(Phase.RECTIFY, None)
    return None
