"""`GET /stats`: public statistics of a county by month or quarter, with server-side charts."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request
from flask_babel import gettext as _
from markupsafe import Markup

from portal import http_cache
from portal.models.base import utcnow
from portal.rules import charts, charts_narrow
from portal.rules.calendar import local_date
from portal.services.oversight import stats, stats_files
from portal.services.oversight.stats_periods import period_choices, period_label
from portal.services.shared import spreadsheets
from portal.services.shared.errors import ValidationError

bp = Blueprint("stats", __name__)

MAX_AGE = 300


def month_tick(period: stats.Period) -> str:
    """A short month label for a chart axis: the year only where it changes."""
    if period.number == 1:
        return _("%(year)d年1月", year=period.year)
    return _("%(month)d月", month=period.number)


def select_county_and_period(args, today):
    """The county and period asked for (defaults: the first county, the last complete month)."""
    counties = stats.counties()
    code = args.get("county", "")
    county = next((c for c in counties if c.code == code), None) if code else (
        counties[0] if counties else None
    )
    if code and county is None:
        abort(404)
    try:
        period = stats.parse_period(args["period"]) if args.get("period") else (
            stats.default_period(today)
        )
    except ValidationError:
        abort(400)
    return counties, county, period


def build_charts(trend: list[dict], ticks: list[str]) -> dict[str, Markup]:
    """The two trend charts, each wide and narrow (the stylesheet shows one of the two);
    their marks carry the same figures as the tables below them."""
    received = [row["received"] for row in trend]
    bars = {
        "title": _("每月收到的举报"),
        "desc": _("近12个月每月收到的举报件数；不公布的数字显示为“×”。"), "categories": ticks,
        "values": [v if isinstance(v, int) else None for v in received],
        "labels": [str(v) for v in received],
    }
    rates = [
        (_("5-4-3达标率"), "compliance_543"),
        (_("值班覆盖率"), "duty_coverage"),
        (_("公示准确率"), "board_accuracy"),
    ]
    lines = {
        "title": _("达标率、覆盖率和准确率"),
        "desc": _("近12个月班子成员5-4-3达标率、值班覆盖率和去向公示准确率（%）。"),
        "categories": ticks,
        "series": [charts.Series(name, [row[key] for row in trend]) for name, key in rates],
    }
    # Built by portal.rules.charts and charts_narrow, which escape every text they put in.
    return {
        "received": Markup(charts.bar_chart(chart_id="chart-received", **bars)),  # noqa: S704
        "received_narrow": Markup(charts_narrow.bar_chart(  # noqa: S704
            chart_id="chart-received-narrow", **bars)),
        "rates": Markup(charts.line_chart(chart_id="chart-rates", **lines)),  # noqa: S704
        "rates_narrow": Markup(charts_narrow.line_chart(  # noqa: S704
            chart_id="chart-rates-narrow", **lines)),
    }


@bp.get("/stats")
def index():
    today = local_date(utcnow())
    counties, county, period = select_county_and_period(request.args, today)
    if county is None:
        return render_template("stats/index.html", county=None, counties=[], period=period,
                               choices=period_choices(today), period_label=period_label)
    parts = ("stats", county.code, period.key, today, *stats.fingerprint(county))

    def render():
        result = stats.county_stats(county, period, today)
        public = stats.public_stats(result)
        trend = public.trend
        ticks = [month_tick(p) for p, _f in result.trend]
        return render_template(
            "stats/index.html", county=county, counties=counties, period=period,
            choices=period_choices(today), period_label=period_label, result=result,
            figures=public.figures, rows=public.townships, trend=trend, ticks=ticks,
            quarter_figures=public.quarter_figures, quarter_rows=public.quarter_townships,
            charts=build_charts(trend, ticks),
            has_board="public.board" in current_app.view_functions,
        )

    return http_cache.cached(parts, render, max_age=MAX_AGE)


@bp.get("/stats.<fmt>")
def download(fmt: str):
    """The page's figures as a file for journalists and researchers (CSV or Excel)."""
    if fmt not in ("csv", "xlsx"):
        abort(404)
    today = local_date(utcnow())
    _counties, county, period = select_county_and_period(request.args, today)
    if county is None:
        abort(404)

    def render():
        result = stats.county_stats(county, period, today)
        if fmt == "csv":
            body = spreadsheets.csv_bytes(stats_files.public_columns(),
                                          stats_files.public_rows(result))
            mimetype = spreadsheets.CSV_MIMETYPE
        else:
            body = spreadsheets.xlsx_bytes(stats_files.public_sheets(
                result, period_label(period), period_label(result.quarter)))
            mimetype = spreadsheets.XLSX_MIMETYPE
        response = current_app.response_class(body, mimetype=mimetype)
        response.headers["Content-Disposition"] = (
            f'attachment; filename="zaigang-stats-{county.code}-{period.key}.{fmt}"')
        return response

    parts = ("stats-file", fmt, county.code, period.key, today, *stats.fingerprint(county))
    return http_cache.cached(parts, render, max_age=MAX_AGE)
