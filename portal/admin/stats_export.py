"""`/admin/stats`: the county administrator downloads the statistics as CSV or XLSX.

Staff figures are exact (no small-number suppression): the file stays inside the county's
administration. Only townships in the administrator's scope are included, and each
download is written to the audit log.
"""

from __future__ import annotations

import csv
import io

from flask import Blueprint, Response, abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from portal.access import allow
from portal.models import Role
from portal.models.base import utcnow
from portal.rules.calendar import local_date
from portal.services.oversight import stats, stats_export
from portal.services.oversight.stats_periods import period_choices
from portal.services.shared import scope
from portal.services.shared.errors import ValidationError

bp = Blueprint("stats_export", __name__, url_prefix="/stats")

ADMINS = (Role.COUNTY_ADMIN, Role.SYSADMIN)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class ExportForm(FlaskForm):
    """The CSRF token; county, period and format come as plain fields."""


def _me():
    return current_user._get_current_object()


@bp.get("/")
@allow(*ADMINS)
def index():
    today = local_date(utcnow())
    return render_template("stats/admin_export.html",
                           counties=scope.counties_with_townships_in_scope(_me()),
                           choices=period_choices(today),
                           default=stats.default_period(today).key, form=ExportForm())


def _headers() -> list[str]:
    return [
        _("名次"), _("乡镇代码"), _("乡镇"), _("综合得分"), _("收到举报"), _("已受理"), _("查实"),
        _("已整改"), _("受理用时中位数（工作日）"), _("办结用时中位数（工作日）"),
        _("班子成员人周"), _("达标人周"), _("5-4-3达标率（%）"), _("应排班次"), _("配齐班次"),
        _("值班覆盖率（%）"), _("检查人次"), _("与公示一致人次"), _("公示准确率（%）"),
    ]


def _pct(rate: float | None) -> float | None:
    return None if rate is None else round(100 * rate, 1)


def _row(rank, code: str, name: str, f: stats.Figures) -> list:
    return [
        rank, code, name, f.score, f.received, f.accepted, f.substantiated, f.rectified,
        f.median_accept_days, f.median_conclude_days, f.leader_weeks, f.compliant_weeks,
        _pct(f.compliance), f.shifts_required, f.shifts_staffed, _pct(f.coverage), f.findings,
        f.findings_matched, _pct(f.accuracy),
    ]


def _safe(value):
    """Text a spreadsheet would run as a formula is prefixed with an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def table(result: stats.CountyStats) -> list[list]:
    """The header, one row per township (ranked), and the county total."""
    rows = [_headers()]
    rows += [_row(r.rank, r.township.code, r.township.name, r.figures) for r in result.townships]
    rows.append(_row(None, result.county.code, _("%(county)s合计", county=result.county.name),
                     result.figures))
    return [[_safe(v) for v in row] for row in rows]


def trend_table(result: stats.CountyStats) -> list[list]:
    header = [_("月份")] + _headers()[3:]
    return [header] + [[p.key] + _row(None, "", "", f)[3:] for p, f in result.trend]


def _csv(rows: list[list]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return ("\ufeff" + buffer.getvalue()).encode()  # BOM: Excel then reads UTF-8


def _xlsx(result: stats.CountyStats) -> bytes:
    # openpyxl (about 5 MB) is loaded by the few workers that serve an export.
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = _("乡镇")
    for row in table(result):
        sheet.append(row)
    trend = book.create_sheet(_("月度趋势"))
    for row in trend_table(result):
        trend.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@bp.post("/export")
@allow(*ADMINS)
def export():
    if not ExportForm().validate_on_submit():
        abort(400)
    county = next((c for c in scope.counties_with_townships_in_scope(_me())
                   if c.code == request.form.get("county")), None)
    if county is None:
        abort(404)
    kind = request.form.get("format", "csv")
    if kind not in ("csv", "xlsx"):
        abort(400)
    try:
        period = stats.parse_period(request.form.get("period", ""))
    except ValidationError:
        abort(400)
    result = stats_export.county_export(user=_me(), county=county, period=period,
                                        today=local_date(utcnow()), file_format=kind)
    name = f"zaigang-stats-{county.code}-{period.key}.{kind}"
    if kind == "csv":
        body, mimetype = _csv(table(result)), "text/csv; charset=utf-8"
    else:
        body = _xlsx(result)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})

