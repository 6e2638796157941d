"""`/admin/t/<code>/cadres`: the roster of a township. List, add, edit, deactivate, import."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeTimedSerializer

from portal import clock
from portal.access import allow
from portal.admin.dashboard import EDITORS, RECORD_READERS, can_edit, me, township_or_404
from portal.admin.forms import ActionForm, CadreForm, RosterConfirmForm, RosterUploadForm
from portal.models import ChiefRole, Township
from portal.services.office import cadres as service
from portal.services.office import roster_import, tabular_files
from portal.services.office.roster_rows import COLUMN_LABELS
from portal.services.office.tabular import TabularError
from portal.services.shared.errors import NotFoundError, ValidationError

bp = Blueprint("cadres", __name__)

IMPORT_MAX_AGE = 3600  # a preview can be confirmed within an hour


def _cadre_or_404(township: Township, public_id: str):
    try:
        cadre = service.get_cadre(me(), public_id)
    except NotFoundError:
        abort(404)
    if cadre.township_id != township.id:
        abort(404)
    return cadre


def _fields(form: CadreForm) -> service.CadreFields:
    return service.CadreFields(
        name=form.name.data or "", post=form.post.data or "", is_leader=form.is_leader.data,
        chief_role=ChiefRole(form.chief_role.data) if form.chief_role.data else None,
        office_phone=form.office_phone.data or "", personal_phone=form.personal_phone.data or "",
        sort_order=form.sort_order.data or 0, township_service_since=form.township_service_since.data,
        joined_on=form.joined_on.data, machine_number=form.machine_number.data or "",
    )


def _left_on() -> date | None:
    """The leaving date posted with a deactivation (empty: today); 400 when malformed."""
    text = (request.form.get("left_on") or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        abort(400)


@bp.get("/t/<code>/cadres")
@allow(*RECORD_READERS)
def index(code: str):
    township = township_or_404(code)
    cadres = service.list_cadres(township.id, include_inactive=True)
    return render_template("admin/cadres.html", township=township,
                           active=[c for c in cadres if c.active],
                           inactive=[c for c in cadres if not c.active],
                           can_edit=can_edit(), action_form=ActionForm(), today=clock.today())


@bp.route("/t/<code>/cadres/new", methods=["GET", "POST"])
@allow(*EDITORS)
def new(code: str):
    township = township_or_404(code)
    form = CadreForm()
    if request.method == "GET":
        form.joined_on.data = clock.today()
    if form.validate_on_submit():
        try:
            cadre = service.create_cadre(user=me(), township=township, fields=_fields(form))
        except ValidationError as error:
            flash(str(error), "error")
        else:
            flash(_("已添加 %(name)s。", name=cadre.name), "success")
            return redirect(url_for(".index", code=code))
    return render_template("admin/cadres_form.html", township=township, form=form, cadre=None)


@bp.route("/t/<code>/cadres/<cadre>", methods=["GET", "POST"])
@allow(*EDITORS)
def edit(code: str, cadre: str):
    township = township_or_404(code)
    cadre = _cadre_or_404(township, cadre)
    form = CadreForm(obj=cadre)
    if request.method == "GET":
        form.chief_role.data = cadre.chief_role.value if cadre.chief_role else ""
    if form.validate_on_submit():
        try:
            service.update_cadre(user=me(), cadre=cadre, fields=_fields(form))
        except ValidationError as error:
            flash(str(error), "error")
        else:
            flash(_("已保存 %(name)s 的信息。", name=cadre.name), "success")
            return redirect(url_for(".index", code=code))
    return render_template("admin/cadres_form.html", township=township, form=form, cadre=cadre,
                           action_form=ActionForm())


@bp.post("/t/<code>/cadres/<cadre>/active")
@allow(*EDITORS)
def set_active(code: str, cadre: str):
    township = township_or_404(code)
    cadre = _cadre_or_404(township, cadre)
    if not ActionForm().validate_on_submit():
        abort(400)
    active = request.form.get("active") == "1"
    try:
        removed = service.set_active(user=me(), cadre=cadre, active=active,
                                     left_on=None if active else _left_on())
    except ValidationError as error:
        flash(str(error), "error")
    else:
        flash(_("%(name)s 已恢复在册。", name=cadre.name) if active
              else _("%(name)s 已停用：不再显示在公开页面，历史记录保留。", name=cadre.name), "success")
        if removed:
            flash(_("已从今后的 %(n)s 个值班中撤下，这些班次现在缺岗，请重新安排。", n=removed), "error")
    return redirect(url_for(".index", code=code))


# --- import --------------------------------------------------------------------------------


def _serializer(township: Township) -> URLSafeTimedSerializer:
    # Bound to the township and the user: a preview cannot be replayed elsewhere or by others.
    return URLSafeTimedSerializer(current_app.secret_key,
                                  salt=f"roster-import:{township.code}:{me().public_id}")


def _pack(township: Township, preview: roster_import.RosterPreview) -> str:
    rows = [[r.line, r.name, r.post, r.is_leader, r.office_phone, r.personal_phone,
             r.machine_number, r.existing_id, [[c.field, c.old, c.new] for c in r.changes]]
            for r in preview.rows]
    return _serializer(township).dumps(rows)


def _unpack(township: Township, payload: str) -> list[roster_import.ImportRow]:
    rows = _serializer(township).loads(payload, max_age=IMPORT_MAX_AGE)
    return [roster_import.ImportRow(
        int(line), str(name), str(post), bool(leader), str(office), str(personal),
        machine and str(machine), existing and int(existing),
        tuple(roster_import.Change(str(f), old, new) for f, old, new in changes))
        for line, name, post, leader, office, personal, machine, existing, changes in rows]


@bp.route("/t/<code>/cadres/import", methods=["GET", "POST"])
@allow(*EDITORS)
def import_roster(code: str):
    township = township_or_404(code)
    form = RosterUploadForm()
    preview = confirm = None
    file_error = None
    if form.validate_on_submit():
        upload = form.file.data
        try:
            preview = roster_import.preview_roster(
                township=township, data=upload.read(tabular_files.MAX_BYTES + 1),
                filename=upload.filename or "")
        except TabularError as error:
            file_error = str(error)
        else:
            if preview.valid:
                confirm = RosterConfirmForm(payload=_pack(township, preview))
    status = 400 if form.errors or file_error or (preview and not preview.valid) else 200
    return render_template("admin/cadres_import.html", township=township, form=form,
                           preview=preview, confirm=confirm, file_error=file_error,
                           labels=COLUMN_LABELS, accept=tabular_files.ACCEPT), status


@bp.post("/t/<code>/cadres/import/confirm")
@allow(*EDITORS)
def confirm_import(code: str):
    township = township_or_404(code)
    form = RosterConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        rows = _unpack(township, form.payload.data)
    except BadSignature:
        flash(_("预览已过期或无效，请重新上传文件。"), "error")
        return redirect(url_for(".import_roster", code=code))
    try:
        done = roster_import.import_roster(user=me(), township=township, rows=rows)
    except ValidationError as error:
        flash(str(error), "error")
        return redirect(url_for(".import_roster", code=code))
    flash(_("导入完成：新增 %(added)s 人，更新 %(updated)s 人，%(same)s 人无变化。", added=done.added,
            updated=done.updated, same=done.unchanged), "success")
    return redirect(url_for(".index", code=code))
