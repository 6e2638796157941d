"""`/admin/t/<code>/leave`: request leave, approve or refuse it (干部管理权限), 销假, cancel."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from portal.access import allow
from portal.admin.dashboard import EDITORS, RECORD_READERS, can_edit, me, township_or_404
from portal.admin.forms import ActionForm, LeaveForm, choices
from portal.models import LeaveKind, LeaveState, labels
from portal.models.base import utcnow
from portal.rules.calendar import local_date
from portal.services.office import cadres as cadre_service
from portal.services.office import duty_changes
from portal.services.office import leave as service
from portal.services.shared.errors import NotFoundError, ValidationError

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
                    recorded = service.request_leave(
                        user=me(), cadre=person, kind=LeaveKind(form.kind.data),
                        start_date=form.start_date.data, end_date=form.end_date.data,
                        approver=form.approver.data, substitute=by_public.get(form.substitute.data or ""),
                        reason=form.reason.data or "",
                    )
                except ValidationError as error:
                    flash(str(error), "error")
                else:
                    _flash_recorded(recorded)
                    return redirect(url_for(".index", code=code))
    records = service.list_leave(township.id, since=today - timedelta(days=HISTORY_DAYS))
    clashes = service.clashes(r for r in records if r.end_date >= today)
    pending = [r for r in records if r.state == LeaveState.REQUESTED and not r.cancelled]
    return render_template("admin/leave.html", township=township, form=form, records=records,
                           kinds=labels.LEAVE_KIND, can_edit=can_edit(), today=today,
                           action_form=ActionForm(), days=HISTORY_DAYS, states=labels.LEAVE_STATE,
                           pending=[(r, service.may_decide(me(), r), service.rest_day_duty(
                               r.cadre_id, r.township_id, r.start_date, r.end_date)) for r in pending],
                           overstayed={r.id: service.overstayed_days(r) for r in records},
                           clashes=[(r, clashes[r.id]) for r in records if clashes.get(r.id)])


def _flash_recorded(leave) -> None:
    if leave.counts:
        flash(_("已登记 %(name)s 的请假，去向公示同步显示“请假”。", name=leave.cadre.name), "success")
        _warn_clashes(leave)
    elif service.approves_at_county(leave.cadre):
        flash(_("已提交 %(name)s 的请假申请。领导班子成员的请假由县级审批，批准后才在去向公示上显示。",
                name=leave.cadre.name), "success")
    else:
        flash(_("已提交 %(name)s 的请假申请，批准后才在去向公示上显示。", name=leave.cadre.name), "success")


def _warn_clashes(leave) -> None:
    """Tell the clerk at once when the new leave falls on the cadre's duty shifts."""
    found = service.clashes([leave])[leave.id]
    if found:
        flash(_("注意：%(name)s 请假期间排有 %(n)s 个值班班次，这些班次现在缺人。请在下方安排替班。",
                name=leave.cadre.name, n=len(found)), "error")


def _leave_or_404(township, value: str):
    try:
        record = service.get_leave(me(), int(value) if value.isdigit() else 0)
    except NotFoundError:
        abort(404)
    if record.township_id != township.id:
        abort(404)
    return record


@bp.post("/t/<code>/leave/cover")
@allow(*EDITORS)
def cover(code: str):
    """One click: the leave's substitute takes a clashing duty shift (recorded as 替班)."""
    township = township_or_404(code)
    if not ActionForm().validate_on_submit():
        abort(400)
    record = _leave_or_404(township, request.form.get("leave", ""))
    value = request.form.get("assignment", "")
    try:
        assignment = duty_changes.get_assignment(township.id, int(value) if value.isdigit() else 0)
    except NotFoundError:
        abort(404)
    try:
        service.cover_with_substitute(user=me(), township=township, leave=record,
                                      assignment=assignment)
    except ValidationError as error:
        flash(str(error), "error")
    else:
        flash(_("已安排 %(who)s 替 %(whom)s 值班（%(day)s）。", who=record.substitute.name,
                whom=record.cadre.name, day=assignment.shift.day.isoformat()), "success")
    return redirect(url_for(".index", code=code))


def _decided(code: str, action) -> str | None:
    """Run one decision on the posted leave; the error to show, if any."""
    township = township_or_404(code)
    if not ActionForm().validate_on_submit():
        abort(400)
    record = _leave_or_404(township, request.form.get("leave", ""))
    try:
        action(record)
    except ValidationError as error:
        flash(str(error), "error")
        return None
    return record.cadre.name


@bp.post("/t/<code>/leave/approve")
@allow(*EDITORS)
def approve(code: str):
    """Approve a request: the county for leaders' leave, the township office for the others'."""
    name = _decided(code, lambda r: service.approve_leave(
        user=me(), leave=r, approver=request.form.get("approver", ""), note=request.form.get("note", "")))
    if name:
        flash(_("已批准 %(name)s 的请假，去向公示同步显示“请假”。", name=name), "success")
    return redirect(url_for(".index", code=code))


@bp.post("/t/<code>/leave/reject")
@allow(*EDITORS)
def reject(code: str):
    name = _decided(code, lambda r: service.reject_leave(user=me(), leave=r,
                                                         note=request.form.get("note", "")))
    if name:
        flash(_("已不予批准 %(name)s 的请假。", name=name), "success")
    return redirect(url_for(".index", code=code))


@bp.post("/t/<code>/leave/return")
@allow(*EDITORS)
def back(code: str):
    """销假: the first day back at work."""
    try:
        back_on = date.fromisoformat(request.form.get("back_on", ""))
    except ValueError:
        flash(_("请填写返岗日期。"), "error")
        return redirect(url_for(".index", code=code))
    name = _decided(code, lambda r: service.return_from_leave(user=me(), leave=r, back_on=back_on))
    if name:
        flash(_("已为 %(name)s 销假。", name=name), "success")
    return redirect(url_for(".index", code=code))


@bp.post("/t/<code>/leave/cancel")
@allow(*EDITORS)
def cancel(code: str):
    township = township_or_404(code)
    if not ActionForm().validate_on_submit():
        abort(400)
    record = _leave_or_404(township, request.form.get("leave", ""))
    try:
        service.cancel_leave(user=me(), leave=record)
    except ValidationError as error:
        flash(str(error), "error")
    else:
        flash(_("已取消 %(name)s 的请假。", name=record.cadre.name), "success")
    return redirect(url_for(".index", code=code))
