"""Reports received by phone, letter and visit (来电、来信、来访), entered by an inspector.

They go through the one submission use case (`reports.create_report`) with their source and
the inspector who entered them: the same receipt code (read out to the caller or printed on a
slip for the writer or visitor), the same routing, deadlines, tracking, audit and tally.
Anonymity is unchanged: nothing about the caller's number or address is asked for or kept,
unless they choose a named report, whose name and contact are then sealed like any other.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from portal.extensions import db
from portal.models import Cadre, Category, Report, Role, Source, User
from portal.rules.calendar import TZ
from portal.services.casework import queue, reports
from portal.services.shared import scope
from portal.services.shared.errors import NotFoundError, ValidationError

# The sources staff enter; the online form, supervisors and spot checks have their own ways in.
INTAKE_SOURCES: tuple[Source, ...] = (Source.PHONE, Source.LETTER, Source.VISIT)


@dataclass(frozen=True)
class Filed:
    """A report just entered, and its receipt code: shown once, on the slip, never stored."""

    report: Report
    receipt: str
    source: Source
    township: str


def _source(value: str) -> Source:
    try:
        source = Source(value)
    except ValueError:
        source = None
    if source not in INTAKE_SOURCES:
        raise ValidationError(_("请选择收到举报的方式（来电、来信或来访）。"))
    return source


def file_intake(*, user: User, township_code: str, source: str, category: str,
                description: str, cadre_public_id: str = "", cadre_text: str = "",
                observed_at: datetime | None = None, place: str = "", named: bool = False,
                reporter_name: str = "", reporter_contact: str = "",
                photos: Sequence = ()) -> Filed:
    """Enter a report received by phone, letter or visit into a township in the user's scope."""
    if user.role != Role.INSPECTOR:
        raise NotFoundError("intake")
    kind = _source(source)
    township = scope.scoped_township(user, township_code)
    try:
        category_value = Category(category)
    except ValueError:
        raise ValidationError(_("请选择问题类型。")) from None
    cadre, typed = reports.resolve_cadre(township, cadre_public_id, cadre_text)
    report, receipt = reports.create_report(
        township=township, category=category_value, description=description, cadre=cadre,
        cadre_text=typed, observed_at=observed_at, place=place, named=named,
        reporter_name=reporter_name, reporter_contact=reporter_contact, source=kind,
        filed_by=user, photos=photos,
    )
    return Filed(report=report, receipt=receipt, source=kind, township=township.name)


@dataclass(frozen=True)
class SourceCounts:
    """Reports received in a year in the user's jurisdiction, by month and by source."""

    year: int
    sources: list[Source]
    months: list[tuple[int, dict[Source, int]]]  # (month, counts by source)
    totals: dict[Source, int]

    @property
    def total(self) -> int:
        return sum(self.totals.values())


def _year_bounds(year: int) -> tuple[datetime, datetime]:
    start = datetime.combine(date(year, 1, 1), time.min, tzinfo=TZ)
    return start, datetime.combine(date(year + 1, 1, 1), time.min, tzinfo=TZ)


def source_counts(*, user: User, year: int) -> SourceCounts:
    """How many reports came in by each way (online, supervisor, spot check, phone, letter,
    visit) in each month of the year, over the reports the user may see."""
    start, end = _year_bounds(year)
    # The month in Asia/Shanghai: UTC+8 all year, so the shift is exact.
    rows = db.session.execute(
        select(Report.source, Report.submitted_at)
        .where(queue.visible_condition(user), Report.submitted_at >= start, Report.submitted_at < end)
    )
    sources = list(Source)
    by_month = {m: dict.fromkeys(sources, 0) for m in range(1, 13)}
    for source, submitted in rows:
        month = (submitted.astimezone(TZ) if submitted.tzinfo else submitted + timedelta(hours=8)).month
        by_month[month][Source(source)] += 1
    totals = {s: sum(by_month[m][s] for m in by_month) for s in sources}
    return SourceCounts(year=year, sources=sources, months=sorted(by_month.items()), totals=totals)


def cadre_choices(*, user: User) -> list[tuple[str, str, str]]:
    """Every active cadre of the townships in scope, as (public id, "name · post", township)."""
    townships = scope.townships_in_scope(user, limit=scope.MAX_TOWNSHIP_CHOICES)
    names = {t.id: t.name for t in townships}
    cadres = db.session.scalars(
        select(Cadre).where(Cadre.township_id.in_(list(names)), Cadre.active.is_(True))
        .order_by(Cadre.township_id, Cadre.is_leader.desc(), Cadre.sort_order, Cadre.id))
    return [(c.public_id, f"{c.name} · {c.post}", names[c.township_id]) for c in cadres]

