"""`/admin/t/<code>/roster/export` and `/import`: the duty roster out to Excel and back in.

The export is the month in the layout offices use (日期 / 星期 / 带班领导 / 值班人员 / 电话); the
import takes such a file (or the office's own), shows the preview slot by slot, and writes it
when confirmed. The preview travels signed in the confirmation form, bound to the township
and the user, for an hour.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from itsdangerous import BadSignature, URLSafeTimedSerializer
from wtforms import HiddenField, StringField
from wtforms.validators import DataRequired, Optional, Regexp

from portal import clock
from portal.access import ALL_STAFF, allow
from portal.admin.dashboard import EDITORS, me, township_or_404
from portal.models import ShiftKind, Township
from portal.services.office import duty_export, duty_import, tabular_files
from portal.services.office.roster import parse_month
from portal.services.office.tabular import TabularError
from portal.services.shared import spreadsheets
from portal.services.shared.errors import ValidationError
from portal.uploads import WithinUploadLimit

bp = Blueprint("roster_files", __name__)

IMPORT_MAX_AGE = 3600


class DutyUploadForm(FlaskForm):
    file = FileField(_l("值班表文件（Excel .xlsx / .xls、WPS、.ods 或 CSV）"), validators=[
        WithinUploadLimit(), FileRequired(message=_l("请选择文件")),
        FileAllowed(["xlsx", "xlsm", "xls", "ods", "et", "csv", "txt"],
                    message=_l("只接受 Excel（.xlsx、.xls）、.ods 或 CSV 文件")),
    ])
    month = StringField(_l("月份（日期没写年份时用）"), validators=[
        Optional(), Regexp(r"^\d{4}-\d{2}$", message=_l("月份格式应为 YYYY-MM。"))])


class DutyConfirmForm(FlaskForm):
    payload = HiddenField(validators=[DataRequired()])


def _month_or_this(text: str | None) -> tuple[int, int]:
    today = clock.today()
    return parse_month(text or "") or (today.year, today.month)


@bp.get("/t/<code>/roster/export")
@allow(*ALL_STAFF)
def export(code: str):
    township = township_or_404(code)
    year, month = _month_or_this(request.args.get("month"))
    body = spreadsheets.xlsx_bytes([duty_export.month_sheet(township, year, month)])
    response = current_app.response_class(body, mimetype=spreadsheets.XLSX_MIMETYPE)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="roster-{township.code}-{year}-{month:02d}.xlsx"')
    return response


def _serializer(township: Township) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key,
                                  salt=f"duty-import:{township.code}:{me().public_id}")


def _pack(township: Township, preview: duty_import.DutyPreview) -> str:
    return _serializer(township).dumps([
        [s.line, s.day.isoformat(), s.kind.value, s.leader_id, list(s.staff_ids),
         s.before_leader_id, list(s.before_staff_ids)] for s in preview.slots])


def _unpack(township: Township, payload: str) -> list[duty_import.PlannedSlot]:
    rows = _serializer(township).loads(payload, max_age=IMPORT_MAX_AGE)
    return [duty_import.PlannedSlot(int(line), date.fromisoformat(day), ShiftKind(kind), leader,
                                    tuple(int(i) for i in staff), before,
                                    tuple(int(i) for i in before_staff))
            for line, day, kind, leader, staff, before, before_staff in rows]


@bp.route("/t/<code>/roster/import", methods=["GET", "POST"])
@allow(*EDITORS)
def upload(code: str):
    township = township_or_404(code)
    form = DutyUploadForm()
    if request.method == "GET":
        form.month.data = request.args.get("month") or f"{clock.today():%Y-%m}"
    preview = confirm = file_error = None
    if form.validate_on_submit():
        upload_file = form.file.data
        try:
            preview = duty_import.preview_duty(
                township=township, data=upload_file.read(tabular_files.MAX_BYTES + 1),
                filename=upload_file.filename or "", month=parse_month(form.month.data or ""))
        except TabularError as error:
            file_error = str(error)
        else:
            if preview.valid:
                confirm = DutyConfirmForm(payload=_pack(township, preview))
    status = 400 if form.errors or file_error or (preview and not preview.valid) else 200
    return render_template("admin/roster_import.html", township=township, form=form,
                           preview=preview, confirm=confirm, file_error=file_error,
                           labels=duty_import.COLUMN_LABELS, accept=tabular_files.ACCEPT), status


@bp.post("/t/<code>/roster/import/confirm")
@allow(*EDITORS)
def confirm_import(code: str):
    township = township_or_404(code)
    form = DutyConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        slots = _unpack(township, form.payload.data)
    except BadSignature:
        flash(_("预览已过期或无效，请重新上传文件。"), "error")
        return redirect(url_for(".upload", code=code))
    try:
        changed = duty_import.import_duty(user=me(), township=township, slots=slots)
    except ValidationError as error:
        flash(str(error), "error")
        return redirect(url_for(".upload", code=code))
    first = min(s.day for s in slots)
    flash(_("导入完成：%(n)s 个班次有改动。", n=changed), "success")
    return redirect(url_for("admin.roster.index", code=code, month=f"{first:%Y-%m}"))
