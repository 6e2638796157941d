"""Statistics of a county and its townships by month and quarter (月评比, 季汇总).

Per township and month:
- reports received (submitted in the month), and of those: accepted, substantiated
  (属实 or 部分属实), rectified (已整改);
- median working days from submission to acceptance, and from acceptance to conclusion
  (official calendar; the submission or acceptance day itself does not count);
- 5-4-3 compliance of leaders: compliant leader-weeks / leader-weeks, for the ISO weeks of the
  month (Thursday in the month) that have ended;
- duty coverage: fully staffed required shifts / required shifts, up to today;
- board accuracy: spot-check findings that matched the board / all findings.

Everything for a county and a run of months is gathered in a fixed number of queries, then
added up: a quarter is the sum of its months, the county the sum of its townships.
Public figures go through `suppress` and `suppress_column`: a count under 3 shows "<3".
"""

from __future__ import annotations

import re
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
    Region,
    RegionLevel,
    Report,
    ReportStatus,
    SpotCheck,
    SpotCheckFinding,
    Township,
)
from portal.rules import coverage, rule_543
from portal.rules.calendar import TZ, OfficialCalendar, local_date
from portal.rules.deadlines import age_in_working_days
from portal.services.office import absences, rule543
from portal.services.oversight.spotchecks import matches_board
from portal.services.shared.calendar import official_calendar
from portal.services.shared.errors import ValidationError

SUPPRESS_BELOW = 3
SUPPRESSED = "<3"
# Medians of fewer reports are not shown: they would describe single cases.
MEDIAN_MIN_SAMPLE = 3
TREND_MONTHS = 12
SUBSTANTIATED = frozenset({Finding.SUBSTANTIATED, Finding.PARTLY_SUBSTANTIATED})

Cell = int | str


# --- small-number suppression -------------------------------------------------------------

def suppress(value: int) -> Cell:
    """A public count: under 3 (zero included) shows "<3", so a single report cannot be told."""
    return SUPPRESSED if value < SUPPRESS_BELOW else value


def suppress_column(values: Sequence[int]) -> list[Cell]:
    """Suppress the townships of one column so that no hidden cell can be worked out.

    With the county total shown, a single hidden cell equals the total minus the others;
    so when exactly one cell is hidden, the next smallest is hidden too.
    """
    cells: list[Cell] = [suppress(v) for v in values]
    hidden = [i for i, c in enumerate(cells) if c == SUPPRESSED]
    if len(hidden) == 1 and len(values) > 1:
        shown = [i for i in range(len(values)) if i not in hidden]
        smallest = min(shown, key=lambda i: (values[i], i))
        cells[smallest] = SUPPRESSED
    return cells


# --- periods ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Period:
    """A month ("2026-10") or a quarter ("2026-Q4") of local dates."""

    kind: str  # "month" | "quarter"
    year: int
    number: int  # month 1-12 or quarter 1-4

    @property
    def key(self) -> str:
        return f"{self.year}-{self.number:02d}" if self.kind == "month" else f"{self.year}-Q{self.number}"

    @property
    def months(self) -> list[tuple[int, int]]:
        if self.kind == "month":
            return [(self.year, self.number)]
        first = 3 * (self.number - 1) + 1
        return [(self.year, m) for m in range(first, first + 3)]

    @property
    def start(self) -> date:
        year, month = self.months[0]
        return date(year, month, 1)

    @property
    def end(self) -> date:
        year, month = self.months[-1]
        return _next_month(year, month) - timedelta(days=1)

    def quarter(self) -> Period:
        """The quarter a period lies in."""
        return self if self.kind == "quarter" else Period("quarter", self.year, (self.number - 1) // 3 + 1)


def _next_month(year: int, month: int) -> date:
    return date(year + month // 12, month % 12 + 1, 1)


def month_of(day: date) -> Period:
    return Period("month", day.year, day.month)


def parse_period(text: str) -> Period:
    """"2026-10" or "2026-Q4"; anything else raises ValidationError."""
    text = (text or "").strip().upper()
    if m := re.fullmatch(r"(\d{4})-(\d{2})", text):
        year, number = int(m[1]), int(m[2])
        if 2000 <= year <= 2100 and 1 <= number <= 12:
            return Period("month", year, number)
    if m := re.fullmatch(r"(\d{4})-Q([1-4])", text):
        year = int(m[1])
        if 2000 <= year <= 2100:
            return Period("quarter", year, int(m[2]))
    raise ValidationError("period must be YYYY-MM or YYYY-Qn")


def default_period(today: date) -> Period:
    """The last complete month: the one a monthly assessment (月评比) is about."""
    return month_of(today.replace(day=1) - timedelta(days=1))


def months_back(last: tuple[int, int], count: int) -> list[tuple[int, int]]:
    """`count` months ending with `last`, oldest first."""
    year, month = last
    out = []
    for _ in range(count):
        out.append((year, month))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return out[::-1]


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

    def add(self, other: Figures) -> Figures:
        """Add another month's or township's figures to these; returns self."""
        for name in ("received", "accepted", "substantiated", "rectified", "leader_weeks",
                     "compliant_weeks", "shifts_required", "shifts_staffed", "findings",
                     "findings_matched"):
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
               Report.finding, Report.status)
        .where(Report.township_id.in_(list(matrix)), Report.submitted_at >= lo,
               Report.submitted_at < hi)
    )
    for township_id, submitted, accepted, concluded, finding, status in rows:
        f = matrix[township_id][_month_key(submitted)]
        f.received += 1
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
    end = min(_next_month(*months[-1]) - timedelta(days=1), today)
    if end < start:
        return
    infos = _shift_infos(start, end, list(matrix))
    # A cadre on leave or on a trip does not staff the shift (unless their substitute is on it).
    away = absences.load(list(matrix), start, end)
    for township_id, by_month in matrix.items():
        for year, month in months:
            m_start = date(year, month, 1)
            m_end = min(_next_month(year, month) - timedelta(days=1), today)
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
    end = _next_month(*months[-1]) - timedelta(days=1)
    _reports(matrix, start, end, calendar)
    _compliance(matrix, months, today, calendar)
    _coverage(matrix, months, today, calendar)
    _accuracy(matrix, start, end)
    return matrix


# --- the county's statistics --------------------------------------------------------------

@dataclass
class TownshipRow:
    township: Township
    figures: Figures
    rank: int | None = None


@dataclass
class CountyStats:
    """One county over one period, its townships ranked, and the monthly trend of the county."""

    county: Region
    period: Period
    figures: Figures
    townships: list[TownshipRow]
    trend: list[tuple[Period, Figures]]
    quarter: Period
    quarter_figures: Figures
    quarter_townships: list[TownshipRow]


def rank(rows: list[TownshipRow]) -> list[TownshipRow]:
    """Rank by score, best first; equal scores share a rank; townships without a score last."""
    ordered = sorted(rows, key=lambda r: (r.figures.score is None, -(r.figures.score or 0),
                                          r.township.code))
    previous, position = None, 0
    for index, row in enumerate(ordered, 1):
        if row.figures.score is None:
            row.rank = None
            continue
        if row.figures.score != previous:
            position, previous = index, row.figures.score
        row.rank = position
    return ordered


def counties() -> list[Region]:
    """Counties that have active townships, by code."""
    return list(db.session.scalars(
        select(Region).where(
            Region.level == RegionLevel.COUNTY,
            Region.id.in_(select(Township.county_id).where(Township.active.is_(True))),
        ).order_by(Region.code)
    ))


def county_by_code(code: str) -> Region | None:
    return db.session.scalar(
        select(Region).where(Region.code == code, Region.level == RegionLevel.COUNTY)
    )


def fingerprint(county: Region) -> tuple:
    """A cheap summary that changes whenever a figure of the county may change (for ETags)."""
    from sqlalchemy import func

    from portal.models import CalendarOverride, DutyAssignment, Leave, SignIn, VillageVisit

    in_county = select(Township.id).where(Township.county_id == county.id).scalar_subquery()
    queries = [
        select(func.coalesce(func.sum(Township.data_version), 0), func.count(Township.id))
        .where(Township.county_id == county.id),
        select(func.count(Report.id), func.max(Report.id), func.coalesce(func.sum(Report.version), 0))
        .where(Report.township_id.in_(in_county)),
        select(func.count(SpotCheckFinding.id), func.max(SpotCheckFinding.id))
        .join(SpotCheck).where(SpotCheck.township_id.in_(in_county)),
        select(func.count(DutyAssignment.id), func.max(DutyAssignment.id))
        .join(DutyShift).where(DutyShift.township_id.in_(in_county)),
        select(func.count(SignIn.id), func.max(SignIn.id)).where(SignIn.township_id.in_(in_county)),
        select(func.count(VillageVisit.confirmed_at), func.max(VillageVisit.confirmed_at))
        .where(VillageVisit.township_id.in_(in_county)),
        select(func.count(Leave.id), func.max(Leave.id), func.max(Leave.recorded_at))
        .where(Leave.township_id.in_(in_county), Leave.cancelled.is_(False)),
        select(func.count(CalendarOverride.day), func.max(CalendarOverride.set_at)),
    ]
    return tuple(tuple(db.session.execute(q).one()) for q in queries)


def county_stats(county: Region, period: Period, today: date,
                 township_ids: Iterable[int] | None = None) -> CountyStats:
    """Figures of the county and each township for the period, its quarter and 12-month trend."""
    stmt = select(Township).where(Township.county_id == county.id, Township.active.is_(True))
    if township_ids is not None:
        stmt = stmt.where(Township.id.in_(list(township_ids)))
    townships = list(db.session.scalars(stmt.order_by(Township.code)))
    quarter = period.quarter()
    trend_months = months_back(period.months[-1], TREND_MONTHS)
    months = sorted(set(trend_months) | set(quarter.months))
    matrix = gather([t.id for t in townships], months, today)

    def rows(p: Period) -> list[TownshipRow]:
        return rank([TownshipRow(t, total(matrix[t.id][m] for m in p.months)) for t in townships])

    period_rows = rows(period)
    quarter_rows = rows(quarter)
    trend = [
        (Period("month", y, m), total(matrix[t.id][(y, m)] for t in townships))
        for y, m in trend_months
    ]
    return CountyStats(
        county=county, period=period, figures=total(r.figures for r in period_rows),
        townships=period_rows, trend=trend, quarter=quarter,
        quarter_figures=total(r.figures for r in quarter_rows), quarter_townships=quarter_rows,
    )


# --- the public view of the figures -------------------------------------------------------

COUNT_FIELDS = ("received", "accepted", "substantiated", "rectified")


def _percent(rate: float | None) -> float | None:
    return None if rate is None else round(100 * rate, 1)


def _median(values: list[int]) -> float | None:
    return statistics.median(values) if len(values) >= MEDIAN_MIN_SAMPLE else None


def public_figures(figures: Figures) -> dict:
    """The figures as the public sees them: small counts suppressed, rates in percent."""
    return {
        **{name: suppress(getattr(figures, name)) for name in COUNT_FIELDS},
        "median_accept_days": _median(figures.accept_days),
        "median_conclude_days": _median(figures.conclude_days),
        "compliance_543": _percent(figures.compliance),
        "leader_weeks": figures.leader_weeks,
        "duty_coverage": _percent(figures.coverage),
        "shifts_required": figures.shifts_required,
        "board_accuracy": _percent(figures.accuracy),
        "spot_check_findings": figures.findings,
        "score": figures.score,
    }


def public_rows(rows: list[TownshipRow]) -> list[dict]:
    """Township rows for the public: every count column suppressed so no hidden cell can be derived."""
    out = [
        {"code": r.township.code, "name": r.township.name, "rank": r.rank,
         **public_figures(r.figures)}
        for r in rows
    ]
    for name in COUNT_FIELDS:
        cells = suppress_column([getattr(r.figures, name) for r in rows])
        for row, cell in zip(out, cells, strict=True):
            row[name] = cell
    return out


def public_trend(trend: list[tuple[Period, Figures]]) -> list[dict]:
    """The county's months for the public, oldest first."""
    return [{"month": p.key, **public_figures(f)} for p, f in trend]
