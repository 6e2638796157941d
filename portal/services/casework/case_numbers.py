"""Case numbers: given at filing, one sequence per county and year; shown and looked up.

The number is taken in the report's own transaction by one upsert on the county's counter
row for the year (INSERT ... ON CONFLICT DO UPDATE ... RETURNING): on PostgreSQL the row
lock makes a second report filed at the same moment wait for the first to commit and then
take the next number; on SQLite the database's one write lock does the same. Two reports
never share a number, and the unique index ix_report_case_number would refuse it if they did.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Connection, select
from sqlalchemy.dialects import postgresql, sqlite

from portal.extensions import db
from portal.models import CaseCounter, Region, Report, User
from portal.rules.calendar import TZ
from portal.rules.case_numbers import parse_case_number, seq_text
from portal.services.casework import queue

_COUNTER = CaseCounter.__table__


def year_of(at: datetime) -> int:
    """The year a report filed at `at` is numbered in: the local (Asia/Shanghai) year."""
    return at.astimezone(TZ).year


def take_number(connection: Connection, county_id: int, year: int) -> int:
    """The next number of the county's year, counted in the caller's transaction."""
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(_COUNTER).values(county_id=county_id, year=year, last=1)
    stmt = stmt.on_conflict_do_update(
        index_elements=[_COUNTER.c.county_id, _COUNTER.c.year],
        set_={"last": _COUNTER.c.last + 1},
    ).returning(_COUNTER.c.last)
    return int(connection.execute(stmt).scalar_one())


def format_number(county: str, year: int | None, seq: int | None, *,
                  lazy: bool = False) -> str | LazyString:
    """演示县〔2026〕第0012号 (in English: 演示县 No. 2026-0012); "" for a report without one.

    lazy: a translation that takes the reader's language when rendered (needs no request).
    """
    if not year or not seq:
        return ""
    translate = _l if lazy else _
    return translate("%(county)s〔%(year)s〕第%(seq)s号", county=county, year=year, seq=seq_text(seq))


def county_names(county_ids: Iterable[int]) -> dict[int, str]:
    """The names of the counties, in one query."""
    ids = set(county_ids)
    if not ids:
        return {}
    return dict(db.session.execute(select(Region.id, Region.name).where(Region.id.in_(ids))).all())


def numbers_of(reports: Iterable[Report]) -> dict[int, str]:
    """Each report's case number as shown, by report id (one query for the counties)."""
    reports = list(reports)
    names = county_names(numbering_county(r) for r in reports)
    return {r.id: format_number(names.get(numbering_county(r), ""), r.case_year, r.case_seq)
            for r in reports}


def numbering_county(report: Report) -> int:
    """The county whose sequence gave the number (its first county, after a transfer)."""
    return report.case_county_id or report.county_id


def number_of(report: Report) -> str:
    """The report's case number as shown."""
    return numbers_of([report])[report.id]


def find(*, user: User, text: str) -> list[Report]:
    """The reports the user may see with the typed case number (one per county of the scope)."""
    parsed = parse_case_number(text)
    if parsed is None:
        return []
    year, seq = parsed
    stmt = (select(Report).where(Report.case_year == year, Report.case_seq == seq,
                                 queue.visible_condition(user))
            .order_by(Report.county_id).limit(50))
    reports = list(db.session.scalars(stmt))
    county = _county_named(text)
    if county and len(reports) > 1:
        names = county_names(numbering_county(r) for r in reports)
        narrowed = [r for r in reports
                    if names.get(numbering_county(r)) and names[numbering_county(r)] in text]
        reports = narrowed or reports
    return reports


def _county_named(text: str) -> bool:
    """Whether the typed number starts with something other than the year (a county's name)."""
    stripped = text.strip()
    return bool(stripped) and not stripped[0].isdigit() and stripped[0] not in "〔[(（【"
