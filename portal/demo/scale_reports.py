"""The reports of the national synthetic data set (`flask demo scale`, portal/demo/scale.py).

Every state with its history; overdue open reports escalated to their city, as the hourly
`flask reports escalate` leaves them. The first province (110000) is under a campaign: it
gets a share of the reports (51% by default) that gives its inspectors' queue more than
10,000 pages of 50.
"""

from __future__ import annotations

import hashlib
import secrets
from array import array
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select

from portal.extensions import db
from portal.models import Report, ReportEvent, Role, Township, User
from portal.services.casework import tally
from portal.services.casework.review import PUBLIC_NOTES

if TYPE_CHECKING:
    from portal.demo.scale import Generator

# Not an Argon2 hash: no password ever verifies against it.
UNUSABLE_PASSWORD = "!"  # noqa: S105
CATEGORIES = ("absent_workday", "left_post", "commuting", "no_duty_leader", "false_board",
              "official_car", "other")
REPORT_STATES = (("submitted",) * 3 + ("accepted",) * 2 + ("verifying",) * 3 + ("not_accepted",)
                 + ("concluded",) * 4 + ("rectified",) * 3 + ("merged",))
PROGRESSION = {
    "submitted": ["submitted"],
    "accepted": ["submitted", "accepted"],
    "not_accepted": ["submitted", "not_accepted"],
    "merged": ["submitted", "merged"],
    "verifying": ["submitted", "accepted", "verifying"],
    "concluded": ["submitted", "accepted", "verifying", "concluded"],
    "rectified": ["submitted", "accepted", "verifying", "concluded", "rectified"],
}
OPEN_STATES = ("submitted", "accepted", "verifying")
FINDINGS = ("substantiated", "partly_substantiated", "unsubstantiated")
ACTIONS = ("criticism", "admonishing_talk", "circulated_criticism", "organisational", "none")


def report_townships(gen: Generator) -> Iterator[int]:
    """The township (index) of each report: the first province's share, the rest elsewhere."""
    n_counties, first_counties = len(gen.ancestors), gen.first_province_counties
    first = [t for t in range(gen.plan.townships) if t % n_counties < first_counties]
    rest = [t for t in range(gen.plan.townships) if t % n_counties >= first_counties]
    total = gen.plan.reports
    in_first = round(total * gen.plan.focus_share)
    if not rest:  # one province: it has every report
        rest, in_first = first, total
    for i in range(total):
        # Spread evenly over the ids: exactly `in_first` of them land in the first province.
        first_here = (i + 1) * in_first // total > i * in_first // total
        yield gen.rng.choice(first if first_here else rest)


def write_reports(gen: Generator, first_township: int) -> None:
    """The reports and their histories, then the tally of their regions."""
    inspector = User(username=f"scale-inspector-{secrets.token_hex(3)}", display_name="合成检查员",
                     password_hash=UNUSABLE_PASSWORD, role=Role.INSPECTOR)
    db.session.add(inspector)
    db.session.flush()
    first_report = gen.writer.next_id(Report)
    county_of = dict(db.session.execute(
        select(Township.id, Township.county_id).where(Township.id >= first_township)).all())
    # What the event pass needs, kept compact: state, submission second and township of each.
    states = bytearray(gen.plan.reports)
    submitted_at = array("q", bytes(8 * gen.plan.reports))
    townships = array("i", bytes(4 * gen.plan.reports))
    cols = ["id", "public_id", "receipt_hash", "township_id", "county_id", "city_id",
            "province_id", "escalation_level", "escalated_at", "cadre_id", "cadre_text",
            "category", "observed_at", "place", "description", "named", "source", "status",
            "assignee_id", "not_accepted_reason", "finding", "action", "outcome_public",
            "submitted_at", "accept_due", "conclude_due", "accepted_at", "concluded_at",
            "closed_at", "version"]
    state_names = list(PROGRESSION)
    base = int(gen.now.timestamp())

    def rows() -> Iterator[tuple]:
        for i, t in enumerate(report_townships(gen)):
            township_id = first_township + t
            seconds = base - gen.rng.randrange(365 * 86400)
            submitted = datetime.fromtimestamp(seconds, UTC)
            state = gen.rng.choice(REPORT_STATES)
            states[i], submitted_at[i], townships[i] = state_names.index(state), seconds, t
            times = _step_times(submitted, len(PROGRESSION[state]))
            accepted = times[1] if state in ("accepted", "verifying", "concluded", "rectified") else None
            concluded = times[3] if state in ("concluded", "rectified") else None
            closed = times[-1] if state in ("not_accepted", "merged", "concluded", "rectified") else None
            escalated = _escalated_at(state, submitted, gen.now)
            county_id = county_of[township_id]
            yield (first_report + i, secrets.token_hex(9),
                   hashlib.sha256(secrets.token_bytes(16)).hexdigest(), township_id,
                   county_id, *gen.ancestors[county_id], 1 if escalated else 0, escalated,
                   gen.cadre_id(t, gen.rng.randrange(gen.plan.cadres_per_township)), "",
                   gen.rng.choice(CATEGORIES), submitted - timedelta(hours=3), "乡镇政府大院",
                   "合成举报：工作日上午办公室无人。", False, "public", state,
                   inspector.id if state == "verifying" else None,
                   "不属于本级管辖" if state == "not_accepted" else "",
                   gen.rng.choice(FINDINGS) if concluded else None,
                   gen.rng.choice(ACTIONS) if concluded else None,
                   "已核实并处理。" if concluded else "", submitted, submitted + timedelta(days=5),
                   accepted + timedelta(days=30) if accepted else None, accepted, concluded,
                   closed, 1)

    def event_rows() -> Iterator[tuple]:
        n = gen.writer.next_id(ReportEvent)
        for i in range(gen.plan.reports):
            state = state_names[states[i]]
            submitted = datetime.fromtimestamp(submitted_at[i], UTC)
            steps = PROGRESSION[state]
            previous = None
            for step, at in zip(steps, _step_times(submitted, len(steps)), strict=True):
                actor = None if step == "submitted" else inspector.id
                yield (n, first_report + i, at, actor, step, previous, step, "", "")
                previous = step
                n += 1
            escalated = _escalated_at(state, submitted, gen.now)
            if escalated:
                city_id, _province_id = gen.ancestors[county_of[first_township + townships[i]]]
                yield (n, first_report + i, escalated, None, "escalated", None, None,
                       PUBLIC_NOTES["escalated"], gen.city_labels[city_id])
                n += 1

    with gen.writer.triggers_off(Report):
        gen.record_count("reports", gen.writer.write(Report, cols, rows(), gen.plan.reports))
    tally.recount(gen.region_ids)
    event_cols = ["id", "report_id", "at", "actor_id", "kind", "from_status", "to_status",
                  "public_note", "staff_note"]
    gen.record_count("report_events", gen.writer.write(ReportEvent, event_cols, event_rows()))


def _escalated_at(state: str, submitted: datetime, now: datetime) -> datetime | None:
    """When the hourly `flask reports escalate` raised an overdue open report to its city."""
    if state not in OPEN_STATES:
        return None
    due = submitted + (timedelta(days=5) if state == "submitted" else timedelta(days=2 + 30))
    at = due + timedelta(hours=1)
    return at if at < now else None


def _step_times(submitted: datetime, steps: int) -> list[datetime]:
    """Each step of a synthetic report two days after the previous one."""
    return [submitted + timedelta(days=2 * k) for k in range(steps)]
