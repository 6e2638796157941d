"""Attendance-machine imports (考勤机): `/admin/attendance/import`, upload → mapping → check → import.

A file exported by the machine's software (.xlsx, .xls, CSV) or downloaded from the machine
itself (attlog.dat) is read by `services.office.attendance_read`; the clerk confirms which
column holds what, checks, and imports. The file rides along in the mapping form, so that
nothing is kept on the server between the steps.
"""

from __future__ import annotations

import base64
import binascii

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, SelectField
from wtforms.validators import DataRequired

from portal.access import allow
from portal.admin.office_pages import (
    OFFICE_WRITERS,
    choices,
    current_township,
    flash_form_errors,
    for_township,
    local_today,
)
from portal.models import Township
from portal.services.office import attendance_import, tabular, tabular_files
from portal.uploads import WithinUploadLimit

bp = Blueprint("attendance_files", __name__, url_prefix="/attendance")


class UploadForm(FlaskForm):
    file = FileField(_l("考勤机文件（导出的 Excel .xlsx / .xls、CSV，或考勤机 U 盘下载的 attlog.dat）"),
                     validators=[WithinUploadLimit(), FileRequired()])


class MappingForm(FlaskForm):
    payload = HiddenField(validators=[DataRequired()])
    filename = HiddenField()
    name = SelectField(_l("姓名列"))
    number = SelectField(_l("考勤机号列（考勤号码、工号）"))
    time = SelectField(_l("时间列"), validators=[DataRequired()])
    date = SelectField(_l("日期列（时间和日期分两列时）"))
    direction = SelectField(_l("签到/签退列（可选）"))


def _column_choices(sheet: attendance_import.RawSheet, optional: bool) -> list[tuple[str, str]]:
    # Only the columns the file really has (a spreadsheet may be formatted far to the right).
    pairs = [(str(i), f"{_column_letter(i)}: {sheet.headers[i] or _('（无表头）')}")
             for i in sheet.columns]
    return choices(([("", _("（无）"))] if optional else []) + pairs)


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _mapping_form(sheet: attendance_import.RawSheet, formdata=None) -> MappingForm:
    form = MappingForm(formdata=formdata)
    form.time.choices = _column_choices(sheet, optional=False)
    for key in ("name", "number", "date", "direction"):
        getattr(form, key).choices = _column_choices(sheet, optional=True)
    if formdata is None:
        for key, index in sheet.guesses.items():
            getattr(form, key).data = "" if index is None else str(index)
    return form


@bp.route("/import", methods=["GET", "POST"])
@allow(*OFFICE_WRITERS)
@for_township
def upload(township: Township):
    form = UploadForm()
    if form.validate_on_submit():
        data = form.file.data.read()
        filename = form.file.data.filename or "upload"
        try:
            sheet = attendance_import.read_sheet(data, filename)
        except tabular.TabularError as error:
            form.file.errors = [str(error)]  # at the file field, the page kept
            return render_template("admin/attendance_upload.html", township=township, form=form,
                                   accept=tabular_files.ACCEPT)
        mapping_form = _mapping_form(sheet)
        mapping_form.payload.data = base64.b64encode(data).decode()
        mapping_form.filename.data = filename
        return render_template("admin/attendance_mapping.html", township=township, sheet=sheet,
                               form=mapping_form, result=None)
    return render_template("admin/attendance_upload.html", township=township, form=form,
                           accept=tabular_files.ACCEPT)


def _decoded(form: MappingForm) -> bytes:
    try:
        return base64.b64decode(form.payload.data or "", validate=True)
    except (binascii.Error, ValueError):
        abort(400)


def _optional_index(value: str | None) -> int | None:
    return int(value) if value not in (None, "") else None


@bp.post("/import/map")
@allow(*OFFICE_WRITERS)
def import_mapped():
    township, _choices = current_township()
    if township is None:
        abort(404)
    raw = MappingForm()
    data = _decoded(raw)
    filename = (raw.filename.data or "upload")[:200]
    try:
        sheet = attendance_import.read_sheet(data, filename)
    except tabular.TabularError as error:
        flash(str(error), "error")
        return redirect(url_for("admin.attendance_files.upload", township=township.code))
    form = _mapping_form(sheet, formdata=request.form)
    if not form.validate_on_submit() or not (form.name.data or form.number.data):
        flash_form_errors(form)
        if not (form.name.data or form.number.data):
            flash(_("请选择姓名列或考勤机号列（至少一个）。"), "error")
        return render_template("admin/attendance_mapping.html", township=township, sheet=sheet,
                               form=form, result=None), 400
    mapping = attendance_import.Mapping(
        name=_optional_index(form.name.data), time=int(form.time.data),
        number=_optional_index(form.number.data), date=_optional_index(form.date.data),
        direction=_optional_index(form.direction.data))
    commit = request.form.get("action") == "import"
    result = attendance_import.import_machine_file(township=township, data=data, filename=filename,
                                            mapping=mapping, actor=current_user,
                                            today=local_today(), commit=commit)
    return render_template("admin/attendance_mapping.html", township=township, sheet=sheet,
                           form=form, result=result)
