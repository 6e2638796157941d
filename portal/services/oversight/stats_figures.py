"""The figures of each township and month, gathered for a county in a fixed number of queries.

`gather` fills a matrix (township -> month -> `Figures`): reports received, accepted,
substantiated and rectified with their working-day ages, 5-4-3 compliance of leaders, duty
coverage and board accuracy. `portal.services.oversight.stats` adds them up into periods and
public rows.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.models import (
    Cadre,
    DutyRole,
    DutyShift,
    Finding,
    Report,
    ReportFeedback,
    ReportStatus,
    ReviewRequest,
    Satisfaction,
    SpotCheck,
    SpotCheckFinding,
)
from portal.rules import coverage, rule_543
from portal.rules.calendar import TZ, OfficialCalendar, local_date
from portal.rules.deadlines import age_in_working_days
from portal.services.office import absences, rule543
from portal.services.oversight.spotchecks import matches_board
from portal.services.shared.calendar import official_calendar

SUBSTANTIATED = frozenset({Finding.SUBSTANTIATED, Finding.PARTLY_SUBSTANTIATED})
SATISFIED = frozenset({Satisfaction.SATISFIED, Satisfaction.MOSTLY_SATISFIED})


def next_month(year: int, month: int) -> date:
    """The first day of the month after (`year`, `month`)."""
    return date(year + month // 12, month % 12 + 1, 1)


# --- figures ------------------------------------------------------------------------------

def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass
class Figures:
    """Raw figures of one township (or the county) over one month (or more): they add up."""

    received: int = 0
    accepted: int = 0
    substantiated: int = 0
    rectified: int = 0
    accept_days: list[int] = field(default_factory=list)
    conclude_days: list[int] = field(default_factory=list)
    leader_weeks: int = 0
    compliant_weeks: int = 0
    shifts_required: int = 0
    shifts_staffed: int = 0
    findings: int = 0
    findings_matched: int = 0
    # After the conclusion: concluded reports, the reporters' answers, the satisfied ones
    # (满意 or 基本满意) and the review requests (复查).
    concluded: int = 0
    rated: int = 0
    satisfied: int = 0
    reviews: int = 0

    def add(self, other: Figures) -> Figures:
        """Add another month's or township's figures to these; returns self."""
        for name in ("received", "accepted", "substantiated", "rectified", "leader_weeks",
                     "compliant_weeks", "shifts_required", "shifts_staffed", "findings",
                     "findings_matched", "concluded", "rated", "satisfied", "reviews"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.accept_days.extend(other.accept_days)
        self.conclude_days.extend(other.conclude_days)
        return self

    @property
    def median_accept_days(self) -> float | None:
        return statistics.median(self.accept_days) if self.accept_days else None

    @property
    def median_conclude_days(self) -> float | None:
        return statistics.median(self.conclude_days) if self.conclude_days else None

    @property
    def compliance(self) -> float | None:
        return _ratio(self.compliant_weeks, self.leader_weeks)

    @property
    def coverage(self) -> float | None:
        return _ratio(self.shifts_staffed, self.shifts_required)

    @property
    def accuracy(self) -> float | None:
        return _ratio(self.findings_matched, self.findings)

    @property
    def score(self) -> float | None:
        """月评比 score: the mean of the available rates (5-4-3, coverage, accuracy), in points."""
        rates = [r for r in (self.compliance, self.coverage, self.accuracy) if r is not None]
        return round(100 * sum(rates) / len(rates), 1) if rates else None


def total(figures: Iterable[Figures]) -> Figures:
    out = Figures()
    for f in figures:
        out.add(f)
    return out


# --- gathering ----------------------------------------------------------------------------

Month = tuple[int, int]
Matrix = dict[int, dict[Month, Figures]]  # township id -> month -> figures


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    return (datetime.combine(start, time.min, tzinfo=TZ),
            datetime.combine(end + timedelta(days=1), time.min, tzinfo=TZ))


def _month_key(at: datetime) -> Month:
    day = local_date(at)
    return day.year, day.month


def _reports(matrix: Matrix, start: date, end: date, calendar: OfficialCalendar) -> None:
    lo, hi = _bounds(start, end)
    rows = db.session.execute(
        select(Report.township_id, Report.submitted_at, Report.accepted_at, Report.concluded_at,
               Report.finding, Report.status, ReportFeedback.satisfaction, ReviewRequest.id)
        .outerjoin(ReportFeedback, ReportFeedback.report_id == Report.id)
        .outerjoin(ReviewRequest, ReviewRequest.report_id == Report.id)
        .where(Report.township_id.in_(list(matrix)), Report.submitted_at >= lo,
               Report.submitted_at < hi)
    )
    for township_id, submitted, accepted, concluded, finding, status, answer, review in rows:
        f = matrix[township_id][_month_key(submitted)]
        f.received += 1
        f.concluded += int(concluded is not None)
        f.rated += int(answer is not None)
        f.satisfied += int(answer in SATISFIED)
        f.reviews += int(review is not None)
        if accepted is not None:
            f.accepted += 1
            f.accept_days.append(age_in_working_days(submitted, accepted, calendar))
            if concluded is not None:
                f.conclude_days.append(age_in_working_days(accepted, concluded, calendar))
        if finding in SUBSTANTIATED:
            f.substantiated += 1
        if status == ReportStatus.RECTIFIED:
            f.rectified += 1


def _compliance(matrix: Matrix, months: list[Month], today: date,
                calendar: OfficialCalendar) -> None:
    week_month: dict[date, Month] = {}
    for year, month in months:
        for monday in rule543.month_weeks(year, month):
            if monday + timedelta(days=6) < today:  # only weeks that have ended
                week_month[monday] = (year, month)
    if not week_month:
        return
    weeks = sorted(week_month)
    start, end = rule543.span_for(weeks)
    # Every leader who served during the weeks, counted only for the weeks they served.
    leaders = db.session.execute(
        select(Cadre.id, Cadre.township_id, Cadre.joined_on, Cadre.left_on).where(
            Cadre.township_id.in_(list(matrix)), Cadre.is_leader.is_(True),
            Cadre.serving_between(weeks[0], end))
    ).all()
    gathered = rule543.gather([row.id for row in leaders], start, end,
                              {row.id: (row.joined_on, row.left_on) for row in leaders})
    for cadre_id, township_id, _joined, _left in leaders:
        for result in _weeks_of(gathered[cadre_id], weeks, calendar):
            if not result.served:
                continue
            f = matrix[township_id][week_month[result.week_start]]
            f.leader_weeks += 1
            f.compliant_weeks += int(result.compliant)


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _weeks_of(records: rule543.CadreRecords, weeks: list[date],
              calendar: OfficialCalendar) -> list[rule_543.WeekResult]:
    """The engine's figures week by week, handing each week only its own records.

    Same results as `rule543.compute_weeks`, which hands every week all the records: over
    a year of weeks that is quadratic, and the public page must stay fast.
    """
    sign_ins: dict[date, list] = defaultdict(list)
    for record in records.sign_ins:
        sign_ins[_monday(local_date(record.at))].append(record)
    stays: dict[date, list] = defaultdict(list)
    for stay in records.stays():
        # A night belongs to the week of the morning after it.
        stays[_monday(stay.night_of + timedelta(days=1))].append(stay)
    visits: dict[date, list] = defaultdict(list)
    for visit in records.visits:
        visits[_monday(visit.day)].append(visit)
    return [
        rule_543.compute_week(monday, calendar, sign_ins[monday], stays[monday], visits[monday],
                              records.leave_days, records.unserved(monday))
        for monday in weeks
    ]


def _shift_infos(start: date, end: date, township_ids: list[int]) -> dict[int, list]:
    shifts = db.session.scalars(
        select(DutyShift)
        .where(DutyShift.township_id.in_(township_ids), DutyShift.day >= start,
               DutyShift.day <= end)
        .options(selectinload(DutyShift.assignments))
    )
    infos: dict[int, list[coverage.ShiftInfo]] = defaultdict(list)
    for shift in shifts:
        infos[shift.township_id].append(coverage.ShiftInfo(
            shift.day, coverage.ShiftKind(shift.kind.value),
            tuple(a.cadre_id for a in shift.assignments if a.role == DutyRole.LEADER),
            tuple(a.cadre_id for a in shift.assignments if a.role == DutyRole.STAFF),
            shift.starts_at, shift.ends_at,
        ))
    return infos


def _coverage(matrix: Matrix, months: list[Month], today: date,
              calendar: OfficialCalendar) -> None:
    start = date(*months[0], 1)
    end = min(next_month(*months[-1]) - timedelta(days=1), today)
    if end < start:
        return
    infos = _shift_infos(start, end, list(matrix))
    # A cadre on leave or on a trip does not staff the shift (unless their substitute is on it).
    away = absences.load(list(matrix), start, end)
    for township_id, by_month in matrix.items():
        for year, month in months:
            m_start = date(year, month, 1)
            m_end = min(next_month(year, month) - timedelta(days=1), today)
            if m_end < m_start:
                continue
            required = coverage.required_shifts(m_start, m_end, calendar)
            gaps = coverage.find_gaps(m_start, m_end, calendar, infos.get(township_id, []),
                                      away.get(township_id, ()))
            f = by_month[(year, month)]
            f.shifts_required += len(required)
            f.shifts_staffed += len(required) - len(gaps)


def _accuracy(matrix: Matrix, start: date, end: date) -> None:
    lo, hi = _bounds(start, end)
    rows = db.session.execute(
        select(SpotCheck.township_id, SpotCheck.at, SpotCheckFinding.presence,
               SpotCheckFinding.board_status)
        .join(SpotCheckFinding, SpotCheckFinding.spot_check_id == SpotCheck.id)
        .where(SpotCheck.township_id.in_(list(matrix)), SpotCheck.at >= lo, SpotCheck.at < hi)
    )
    for township_id, at, presence, board_status in rows:
        f = matrix[township_id][_month_key(at)]
        f.findings += 1
        f.findings_matched += int(matches_board(presence, board_status))


def gather(township_ids: Sequence[int], months: list[Month], today: date) -> Matrix:
    """Figures of each township for each month (oldest first), in a fixed number of queries."""
    matrix: Matrix = {tid: {m: Figures() for m in months} for tid in township_ids}
    if not township_ids or not months:
        return matrix
    calendar = official_calendar()
    start = date(*months[0], 1)
    end = next_month(*months[-1]) - timedelta(days=1)
    _reports(matrix, start, end, calendar)
    _compliance(matrix, months, today, calendar)
    _coverage(matrix, months, today, calendar)
    _accuracy(matrix, start, end)
    return matrix
