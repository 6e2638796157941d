"""Demo data: deterministic, fictional and clearly marked (演示). Each step is idempotent."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from portal.demo import alerts as demo_alerts
from portal.demo import assessments as demo_assessments
from portal.demo import attendance as demo_attendance
from portal.demo import base
from portal.demo import cars as demo_cars
from portal.demo import evaluation as demo_evaluation
from portal.demo import intake as demo_intake
from portal.demo import joiner as demo_joiner
from portal.demo import oversight as demo_oversight
from portal.demo import reports as demo_reports
from portal.demo import roster as demo_roster
from portal.demo import summary as demo_summary
from portal.demo import tonight as demo_tonight
from portal.demo import transfers as demo_transfers
from portal.demo import whereabouts as demo_whereabouts

# Each area adds its step here; they run in order, each skips what already exists.
STEPS: list[Callable[[date], list[str]]] = [base.seed, demo_whereabouts.seed, demo_roster.seed]
STEPS.append(demo_reports.seed)
STEPS.append(demo_transfers.seed)
STEPS.append(demo_intake.seed)  # after the reports: it publishes the substantiated one
STEPS.append(demo_attendance.seed)
STEPS.append(demo_oversight.seed)
STEPS.append(demo_joiner.seed)
STEPS.append(demo_tonight.seed)
STEPS.append(demo_cars.seed)
STEPS.append(demo_assessments.seed)
STEPS.append(demo_evaluation.seed)  # before last month's notices, which carry its summary
STEPS.append(demo_attendance.publish_last_month)  # last: after every record of last month
STEPS.append(demo_summary.seed)  # prints the report count as the queue shows it
STEPS.append(demo_alerts.seed)  # the demo inspectors' e-mail addresses


def seed(today: date | None = None) -> list[str]:
    """Run every demo step; returns lines describing what was done."""
    from portal.models.base import utcnow
    from portal.rules.calendar import TZ

    today = today or utcnow().astimezone(TZ).date()
    lines: list[str] = []
    for step in STEPS:
        lines.extend(step(today))
    return lines
