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
Public figures go through `public_stats`: a township-month under 3 shows "<3", and a total
made of a hidden township-month (or itself under 3) shows "×", so nothing hidden can be derived.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select

from portal.extensions import db
from portal.models import (
    DutyShift,
    Region,
    RegionLevel,
    Report,
    SpotCheck,
    SpotCheckFinding,
    Township,
)
from portal.services.oversight.stats_figures import Figures, gather, total
from portal.services.oversight.stats_figures import next_month as _next_month
from portal.services.shared.errors import ValidationError

SUPPRESS_BELOW = 3
SUPPRESSED = "<3"
# A total not shown because it is small or made of a hidden township-month.
HIDDEN = "×"
# Medians of fewer reports are not shown: they would describe single cases.
MEDIAN_MIN_SAMPLE = 3
TREND_MONTHS = 12

Cell = int | str


# --- small-number suppression -------------------------------------------------------------
#
# The rule, the same for the page, its downloads and the API (all go through `public_stats`):
# - a township-month count under 3 (zero included) reads "<3";
# - any other count (a township's quarter, the county's month or quarter) is shown only when it
#   is 3 or more AND every township-month it is made of is shown; otherwise it reads "×".
#   Months that have not begun are not part of a quarter and hide nothing.
# So every published total is the sum of published cells: subtracting published figures from
# one another (along time or place) never tells anything about a hidden cell, and a hidden
# total gives no hint of its size (the same "×" whether it is small or large).

def suppress(value: int) -> Cell:
    """A township-month count: under 3 (zero included) shows "<3", so a report cannot be told."""
    return SUPPRESSED if value < SUPPRESS_BELOW else value


def suppress_total(value: int, components: Iterable[int]) -> Cell:
    """A total of township-months (of months that have begun): shown only when it is 3 or more
    and none of its components is hidden; otherwise "×", whatever its size."""
    if value < SUPPRESS_BELOW or any(c < SUPPRESS_BELOW for c in components):
        return HIDDEN
    return value


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
    # township id -> month -> figures: the township-months every total above is made of.
    cells: dict[int, dict[tuple[int, int], Figures]] = field(default_factory=dict)
    today: date | None = None


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
        .where(Leave.township_id.in_(in_county), Leave.in_force()),
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
        cells={t.id: matrix[t.id] for t in townships}, today=today,
    )


# --- the public view of the figures -------------------------------------------------------

COUNT_FIELDS = ("received", "accepted", "substantiated", "rectified")


def _percent(rate: float | None) -> float | None:
    return None if rate is None else round(100 * rate, 1)


def _median(values: list[int]) -> float | None:
    return statistics.median(values) if len(values) >= MEDIAN_MIN_SAMPLE else None


def begun(months: Iterable[tuple[int, int]], today: date) -> list[tuple[int, int]]:
    """The months that have begun by `today`: the only ones a total is made of."""
    return [(y, m) for y, m in months if date(y, m, 1) <= today]


def public_rate(figures: Figures, part: str, whole: str,
                cells: Sequence[Figures] | None = None) -> float | None:
    """A rate of report counts (satisfied of rated, reviewed of concluded), in percent.

    Shown only when both its part and the rest of its whole would be shown as counts (3 or
    more, every township-month of a total shown): a rate of 1 in 3 would tell a count under 3.
    """
    def shown(value: int, of_cells: list[int] | None) -> bool:
        cell = suppress(value) if of_cells is None else suppress_total(value, of_cells)
        return isinstance(cell, int)

    def rest(f: Figures) -> int:
        return getattr(f, whole) - getattr(f, part)

    parts = None if cells is None else [getattr(c, part) for c in cells]
    rests = None if cells is None else [rest(c) for c in cells]
    if not (shown(getattr(figures, part), parts) and shown(rest(figures), rests)):
        return None
    return _percent(_ratio(getattr(figures, part), getattr(figures, whole)))


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def public_figures(figures: Figures, cells: Sequence[Figures] | None = None) -> dict:
    """The figures as the public sees them: counts suppressed, rates in percent.

    `cells` are the township-months (of begun months) the figures add up; without them the
    figures are one township-month. A median is shown only with its counts and 3 reports.
    """
    counts: dict[str, Cell] = {}
    for name in COUNT_FIELDS:
        value = getattr(figures, name)
        counts[name] = suppress(value) if cells is None else (
            suppress_total(value, [getattr(c, name) for c in cells]))
    visible = all(isinstance(counts[n], int) for n in ("received", "accepted"))
    return {
        **counts,
        "median_accept_days": _median(figures.accept_days) if visible else None,
        "median_conclude_days": _median(figures.conclude_days) if visible else None,
        "compliance_543": _percent(figures.compliance),
        "leader_weeks": figures.leader_weeks,
        "duty_coverage": _percent(figures.coverage),
        "shifts_required": figures.shifts_required,
        "board_accuracy": _percent(figures.accuracy),
        "spot_check_findings": figures.findings,
        "score": figures.score,
        # After the conclusion (the reporters' answers and their review requests).
        "satisfaction_rate": public_rate(figures, "satisfied", "rated", cells),
        "review_rate": public_rate(figures, "reviews", "concluded", cells),
    }


@dataclass
class PublicStats:
    """Everything /stats, /stats.<fmt> and /api/v1/stats publish for one county and period."""

    figures: dict
    townships: list[dict]
    quarter_figures: dict
    quarter_townships: list[dict]
    trend: list[dict]


def _cells(result: CountyStats, months: Iterable[tuple[int, int]],
           township_ids: Iterable[int] | None = None) -> list[Figures]:
    ids = list(result.cells) if township_ids is None else list(township_ids)
    return [result.cells[t][m] for t in ids for m in begun(months, result.today)
            if m in result.cells[t]]


def _rows(result: CountyStats, rows: list[TownshipRow], period: Period) -> list[dict]:
    out = []
    for r in rows:
        cells = None if period.kind == "month" else _cells(result, period.months, [r.township.id])
        out.append({"code": r.township.code, "name": r.township.name, "rank": r.rank,
                    **public_figures(r.figures, cells)})
    return out


def public_stats(result: CountyStats) -> PublicStats:
    """The one public view of a county's statistics, with small counts and every total that
    would give one away suppressed (see the rule at the top of the suppression section)."""
    period, quarter = result.period, result.quarter
    return PublicStats(
        figures=public_figures(result.figures, _cells(result, period.months)),
        townships=_rows(result, result.townships, period),
        quarter_figures=public_figures(result.quarter_figures, _cells(result, quarter.months)),
        quarter_townships=_rows(result, result.quarter_townships, quarter),
        trend=[{"month": p.key, **public_figures(f, _cells(result, p.months))}
               for p, f in result.trend],
    )
