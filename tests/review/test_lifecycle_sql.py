"""The SQL deadline of a report (models/report.py, `due_of`) is the life cycle's deadline.

The queue orders and filters by the SQL expression (it is what its indexes hold) and
escalation picks overdue reports with it; the review steps, the case page, tracking and
the exports use the pure function (rules/lifecycle.py). Hypothesis builds reports with any
status, finding and deadlines in the database, and both must give the same answer, on
SQLite and on PostgreSQL.
"""

from __future__ import annotations

import os
import secrets
from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from portal.extensions import db
from portal.models import Category, Finding, Report, ReportStatus, Township
from portal.rules import lifecycle
from portal.services.casework import queue

EXAMPLES = 150 if os.environ.get("ZG_HYPOTHESIS_PROFILE") == "audit" else 25
TIMES = st.datetimes(min_value=datetime(2001, 1, 1), max_value=datetime(2099, 12, 31),
                     timezones=st.just(UTC))
CASES = st.fixed_dictionaries({
    "status": st.sampled_from(ReportStatus),
    "finding": st.none() | st.sampled_from(Finding),
    "accept_due": TIMES,
    "conclude_due": st.none() | TIMES,
})


def _report(township: Township, case: dict) -> Report:
    report = Report(receipt_hash=secrets.token_hex(32), township_id=township.id,
                    county_id=township.county_id, category=Category.OTHER,
                    description="生成的举报。", submitted_at=datetime(2000, 1, 1, tzinfo=UTC), **case)
    db.session.add(report)
    return report


def _ids(condition, ids: list[int]) -> set[int]:
    return set(db.session.scalars(select(Report.id).where(Report.id.in_(ids), condition)))


@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(cases=st.lists(CASES, min_size=1, max_size=10), now=TIMES)
def test_the_sql_deadline_and_overdue_filters_agree_with_the_life_cycle(app, world, cases, now):
    with app.app_context():
        township = db.session.get(Township, world.township.id)
        reports = [_report(township, case) for case in cases]
        db.session.flush()
        ids = [r.id for r in reports]
        due_in_sql = dict(db.session.execute(
            select(Report.id, queue.due_expression()).where(Report.id.in_(ids))).all())
        # The deadline order's "overdue only" (and escalation's), and newest first's.
        overdue_by_due = _ids(queue.due_expression() < now, ids)
        overdue_newest = _ids(queue._overdue(now, in_due_order=False), ids)
        db.session.rollback()
    for report_id, case in zip(ids, cases, strict=True):
        due = lifecycle.deadline(case["status"], case["accept_due"], case["conclude_due"])
        assert due_in_sql[report_id] == due, case
        late = lifecycle.past_due(due, now)
        assert (report_id in overdue_by_due) == late, case
        assert (report_id in overdue_newest) == late, case
