"""The report life cycle as a table: states, steps, who may take them, what comes next."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.rules import lifecycle
from portal.rules.lifecycle import (
    CLOSED_STATUSES,
    OPEN_STATUSES,
    Finding,
    NextStep,
    Phase,
    Refusal,
    ReportStatus,
    Step,
)

S = ReportStatus
ME, OTHER = 1, 2
ACCEPT_DUE = datetime(2026, 12, 9, 15, 59, 59, tzinfo=UTC)
CONCLUDE_DUE = datetime(2027, 1, 8, 15, 59, 59, tzinfo=UTC)


def test_the_status_changes_are_those_of_the_product_specification():
    assert lifecycle.transitions() == {
        (S.SUBMITTED, S.ACCEPTED), (S.SUBMITTED, S.NOT_ACCEPTED), (S.SUBMITTED, S.MERGED),
        (S.ACCEPTED, S.MERGED), (S.ACCEPTED, S.VERIFYING), (S.VERIFYING, S.CONCLUDED),
        (S.CONCLUDED, S.RECTIFIED),
        # 转办: to another office (from 待受理 again there), or out to an outside authority.
        (S.ACCEPTED, S.SUBMITTED), (S.VERIFYING, S.SUBMITTED),
        (S.SUBMITTED, S.TRANSFERRED), (S.ACCEPTED, S.TRANSFERRED), (S.VERIFYING, S.TRANSFERRED),
    }


def test_open_and_closed_statuses_split_the_states_and_only_open_ones_have_deadlines():
    assert set(OPEN_STATUSES) == {S.SUBMITTED, S.ACCEPTED, S.VERIFYING}
    assert set(OPEN_STATUSES) | CLOSED_STATUSES == set(S)
    assert not set(OPEN_STATUSES) & CLOSED_STATUSES
    # Every closed status is reached by some step, and none leads back to an open one.
    targets = {to for _from, to in lifecycle.transitions()}
    assert targets >= CLOSED_STATUSES
    assert not {(a, b) for a, b in lifecycle.transitions() if a in CLOSED_STATUSES and b in OPEN_STATUSES}
    # The only way back to 待受理 is a transfer to another office.
    assert {a for a, b in lifecycle.transitions() if b == S.SUBMITTED} == {S.ACCEPTED, S.VERIFYING}


@pytest.mark.parametrize(("step", "status", "who", "expected"), [
    (Step.ACCEPT, S.SUBMITTED, {}, None),
    (Step.ACCEPT, S.ACCEPTED, {}, Refusal.STATUS),
    (Step.NOT_ACCEPT, S.SUBMITTED, {}, None),
    (Step.NOT_ACCEPT, S.VERIFYING, {}, Refusal.STATUS),
    (Step.MERGE, S.SUBMITTED, {}, None),
    (Step.MERGE, S.ACCEPTED, {}, None),
    (Step.MERGE, S.VERIFYING, {}, Refusal.STATUS),
    (Step.CLAIM, S.ACCEPTED, {}, None),
    (Step.CLAIM, S.ACCEPTED, {"assignee_id": OTHER}, Refusal.ASSIGNED),
    (Step.ASSIGN, S.ACCEPTED, {}, None),
    (Step.ASSIGN, S.SUBMITTED, {}, Refusal.STATUS),
    (Step.HAND_OVER, S.VERIFYING, {"assignee_id": ME}, None),
    (Step.HAND_OVER, S.VERIFYING, {"assignee_id": OTHER}, Refusal.NOT_ASSIGNEE),
    (Step.CONCLUDE, S.VERIFYING, {"assignee_id": ME}, None),
    (Step.CONCLUDE, S.VERIFYING, {"assignee_id": OTHER}, Refusal.NOT_ASSIGNEE),
    (Step.CONCLUDE, S.VERIFYING, {"assignee_id": None}, Refusal.NOT_ASSIGNEE),
    (Step.CONCLUDE, S.ACCEPTED, {"assignee_id": ME}, Refusal.STATUS),
    (Step.RECTIFY, S.CONCLUDED, {"finding": Finding.SUBSTANTIATED}, None),
    (Step.RECTIFY, S.CONCLUDED, {"finding": Finding.PARTLY_SUBSTANTIATED}, None),
    (Step.RECTIFY, S.CONCLUDED, {"finding": Finding.UNSUBSTANTIATED}, Refusal.NOTHING_TO_RECTIFY),
    (Step.RECTIFY, S.RECTIFIED, {"finding": Finding.SUBSTANTIATED}, Refusal.STATUS),
])
def test_who_may_take_which_step_from_which_status(step, status, who, expected):
    assert lifecycle.refusal(step, status, actor_id=ME, **who) == expected


def test_the_steps_open_to_an_inspector_in_each_state():
    def steps(status, **who):
        return lifecycle.open_steps(status, actor_id=ME, **who)

    moves = {Step.TRANSFER, Step.FORWARD}  # 转办, while the case is open
    assert steps(S.SUBMITTED) == {Step.ACCEPT, Step.NOT_ACCEPT, Step.MERGE, *moves}
    assert steps(S.ACCEPTED) == {Step.MERGE, Step.CLAIM, Step.ASSIGN, *moves}
    assert steps(S.VERIFYING, assignee_id=ME) == {Step.HAND_OVER, Step.CONCLUDE, *moves}
    assert steps(S.VERIFYING, assignee_id=OTHER) == set()
    assert steps(S.CONCLUDED, finding=Finding.SUBSTANTIATED) == {Step.RECTIFY}
    assert steps(S.CONCLUDED, finding=Finding.UNSUBSTANTIATED) == set()
    for closed in (S.NOT_ACCEPTED, S.MERGED, S.RECTIFIED, S.TRANSFERRED):
        assert steps(closed, finding=Finding.SUBSTANTIATED, assignee_id=ME) == set()


@pytest.mark.parametrize(("status", "finding", "expected"), [
    (S.SUBMITTED, None, NextStep(Phase.DECIDE, ACCEPT_DUE)),
    (S.ACCEPTED, None, NextStep(Phase.CONCLUDE, CONCLUDE_DUE)),
    (S.VERIFYING, None, NextStep(Phase.CONCLUDE, CONCLUDE_DUE)),
    (S.CONCLUDED, Finding.SUBSTANTIATED, NextStep(Phase.RECTIFY, None)),
    (S.CONCLUDED, Finding.PARTLY_SUBSTANTIATED, NextStep(Phase.RECTIFY, None)),
    (S.CONCLUDED, Finding.UNSUBSTANTIATED, None),
    (S.NOT_ACCEPTED, None, None),
    (S.MERGED, None, None),
    (S.RECTIFIED, Finding.SUBSTANTIATED, None),
])
def test_the_next_step_and_its_deadline(status, finding, expected):
    assert lifecycle.next_step(status, finding=finding, accept_due=ACCEPT_DUE,
                               conclude_due=CONCLUDE_DUE) == expected


TIMES = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 12, 31),
                     timezones=st.just(UTC))


@given(status=st.sampled_from(S), accept_due=TIMES, conclude_due=st.none() | TIMES, now=TIMES)
def test_a_report_has_a_deadline_exactly_while_it_is_open(status, accept_due, conclude_due, now):
    due = lifecycle.deadline(status, accept_due, conclude_due)
    if status in CLOSED_STATUSES:
        assert due is None and not lifecycle.past_due(due, now)
    else:
        assert due == (accept_due if status == S.SUBMITTED else conclude_due)
        assert lifecycle.past_due(due, now) == (due is not None and now > due)
    step = lifecycle.next_step(status, finding=None, accept_due=accept_due,
                               conclude_due=conclude_due)
    assert (step.due if step else None) == due


def test_past_due_only_after_the_deadline():
    assert not lifecycle.past_due(ACCEPT_DUE, ACCEPT_DUE)
    assert lifecycle.past_due(ACCEPT_DUE, ACCEPT_DUE + timedelta(microseconds=1))
    assert not lifecycle.past_due(None, ACCEPT_DUE)
