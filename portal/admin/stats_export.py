"""`/admin/stats`: the county administrator downloads the statistics as CSV or XLSX.

Staff figures are exact (no small-number suppression): the file stays inside the county's
administration. Only townships in the administrator's scope are included, and each
download is written to the audit log.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request
from flask_login import current_user
from flask_wtf import FlaskForm

from portal.access import allow
from portal.models import Role
from portal.models.base import utcnow
from portal.rules.calendar import local_date
from portal.services.oversight import stats, stats_export, stats_files
from portal.services.oversight.stats_periods import period_choices
from portal.services.shared import scope, spreadsheets
from portal.services.shared.errors import ValidationError

bp = Blueprint("stats_export", __name__, url_prefix="/stats")

ADMINS = (Role.COUNTY_ADMIN, Role.SYSADMIN)


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
        body, mimetype = spreadsheets.csv_bytes(*stats_files.admin_table(result)), spreadsheets.CSV_MIMETYPE
    else:
        body, mimetype = spreadsheets.xlsx_bytes(stats_files.admin_sheets(result)), spreadsheets.XLSX_MIMETYPE
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})

