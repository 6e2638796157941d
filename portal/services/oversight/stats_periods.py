"""The periods the statistics pages and exports offer, named in the page language."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _

from portal.services.oversight import stats


def period_label(period: stats.Period) -> str:
    """"2026年10月" or "2026年第4季度" in the page language."""
    if period.kind == "month":
        return _("%(year)d年%(month)d月", year=period.year, month=period.number)
    return _("%(year)d年第%(quarter)d季度", year=period.year, quarter=period.number)


def period_choices(today: date) -> list[tuple[str, str]]:
    """The last 12 months and the last 4 quarters, newest first."""
    months = stats.months_back((today.year, today.month), stats.TREND_MONTHS)[::-1]
    choices = [(p.key, period_label(p)) for p in (stats.Period("month", y, m) for y, m in months)]
    quarter = stats.month_of(today).quarter()
    for _i in range(4):
        choices.append((quarter.key, period_label(quarter)))
        year, number = (quarter.year, quarter.number - 1) if quarter.number > 1 else (quarter.year - 1, 4)
        quarter = stats.Period("quarter", year, number)
    return choices
