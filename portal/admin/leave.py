"""`/admin/t/<code>/leave`: record leave (dates, kind, approver, substitute) and cancel it."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from portal.access import allow
from portal.admin.dashboard import EDITORS, RECORD_READERS, can_edit, me, township_or_404
from portal.admin.forms import ActionForm, LeaveForm, choices
from portal.models import LeaveKind
from portal.models.base import utcnow
from portal.rules.calendar import local_date
from portal.services import cadres as cadre_service
from portal.services import leave as service
from portal.services.errors import NotFoundError, ValidationError

bp = Blueprint("leave", __name__)

HISTORY_DAYS = 90


@bp.route("/t/<code>/leave", methods=["GET", "POST"])
@allow(*RECORD_READERS)
def index(code: str):
    township = township_or_404(code)
    cadres = cadre_service.list_cadres(township.id)
    by_public = {c.public_id: c for c in cadres}
    form = LeaveForm()
    people = [(c.public_id, f"{c.name} · {c.post}") for c in cadres]
    form.cadre.choices = choices(people)
    form.substitute.choices = choices([("", _("无"))] + people)
    today = local_date(utcnow())
    if request.method == "GET":
        form.cadre.data = request.args.get("cadre", "")
        form.start_date.data = form.end_date.data = today
    if request.method == "POST":
        if not can_edit():
            abort(403)
        if form.validate_on_submit():
            person = by_public.get(form.cadre.data or "")
            if person is None:
                form.cadre.errors = [_("请选择请假人。")]
            else:
                try:
                    service.record_leave(
                        user=me(), cadre=person, kind=LeaveKind(form.kind.data),
                        start_date=form.start_date.data, end_date=form.end_date.data,
                        approver=form.approver.data, substitute=by_public.get(form.substitute.data or ""),
                        reason=form.reason.data or "",
                    )
                except ValidationError as error:
                    flash(str(error), "error")
                else:
                    flash(_("已登记 %(name)s 的请假，去向公示同步显示“请假”。", name=person.name), "success")
                    return redirect(url_for(".index", code=code))
    records = service.list_leave(township.id, since=today - timedelta(days=HISTORY_DAYS))
    return render_template("admin/leave.html", township=township, form=form, records=records,
                           kinds=service.KIND_LABELS, can_edit=can_edit(), today=today,
                           action_form=ActionForm(), days=HISTORY_DAYS)


@bp.post("/t/<code>/leave/cancel")
@allow(*EDITORS)
def cancel(code: str):
    township = township_or_404(code)
    if not ActionForm().validate_on_submit():
        abort(400)
    value = request.form.get("leave", "")
    try:
        record = service.get_leave(me(), int(value) if value.isdigit() else 0)
    except NotFoundError:
        abort(404)
    if record.township_id != township.id:
        abort(404)
    try:
        service.cancel_leave(user=me(), leave=record)
    except ValidationError as error:
        flash(str(error), "error")
    else:
        flash(_("已取消 %(name)s 的请假。", name=record.cadre.name), "success")
    return redirect(url_for(".index", code=code))
