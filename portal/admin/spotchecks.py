"""`/admin/spotchecks`: 明察暗访 by inspectors and supervisors, compared with the board.

A check is recorded for a township in the checker's scope and a moment; the detail page
lists each finding beside what the board, roster and leave said then, and one POST turns
a mismatch into a report in the review queue.
"""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from portal.access import allow
from portal.admin.dashboard import township_or_404
from portal.admin.forms import NotAfterToday
from portal.models import Cadre, Presence, Role, labels
from portal.models.base import utcnow
from portal.rules.calendar import TZ
from portal.services.oversight import spotchecks as service
from portal.services.shared.errors import ConflictError, NotFoundError, ValidationError
from portal.services.shared.scope import townships_in_scope

bp = Blueprint("spotchecks", __name__, url_prefix="/spotchecks")

CHECKERS = (Role.INSPECTOR, Role.SUPERVISOR)
MAX_NOTE = 500


class SpotCheckForm(FlaskForm):
    """The moment and a general note; each cadre's finding comes as presence-<id>, note-<id>."""

    at = DateTimeLocalField(_l("检查时间"), format="%Y-%m-%dT%H:%M",
                            validators=[InputRequired(message=_l("请填写检查时间")),
                                        NotAfterToday(_l("检查时间不能晚于现在。"), minutes=True)])
    note = TextAreaField(_l("总体情况（可不填）"), validators=[Optional(), Length(max=2000)])


class ActionForm(FlaskForm):
    """A POST button: just the CSRF token."""


def _me():
    return current_user._get_current_object()


@bp.app_template_filter("check_time")
def check_time(value: datetime | None) -> str:
    """A stored UTC time as local 2026-11-18 10:00 (staff pages)."""
    return value.astimezone(TZ).strftime("%Y-%m-%d %H:%M") if value else ""


@bp.get("/")
@allow(*CHECKERS)
def index():
    return render_template("admin/spotchecks.html", checks=service.list_checks(_me()),
                           townships=townships_in_scope(_me()), labels=service.MISMATCH_LABELS,
                           is_supervisor=current_user.role == Role.SUPERVISOR)


@bp.get("/start")
@allow(*CHECKERS)
def start():
    """The township picker's target (a GET form cannot build /new/<code> by itself)."""
    return redirect(url_for(".new", code=township_or_404(request.args.get("township", "")).code))


def _findings(cadres: list[Cadre]) -> tuple[list[service.FindingInput], dict[str, str]]:
    """The findings posted for the cadres, and per-field errors."""
    findings, errors = [], {}
    for cadre in cadres:
        value = request.form.get(f"presence-{cadre.public_id}", "")
        note = request.form.get(f"note-{cadre.public_id}", "").strip()
        if not value:
            if note:
                errors[cadre.public_id] = _("写了记录，请同时选择在岗情况。")
            continue
        try:
            presence = Presence(value)
        except ValueError:
            errors[cadre.public_id] = _("在岗情况无效。")
            continue
        findings.append(service.FindingInput(cadre.id, presence, note[:MAX_NOTE]))
    return findings, errors


def _local(value: datetime) -> datetime:
    return value.replace(tzinfo=TZ)


@bp.route("/new/<code>", methods=["GET", "POST"])
@allow(*CHECKERS)
def new(code: str):
    township = township_or_404(code)
    cadres = service.cadres_to_check(township.id)
    form = SpotCheckForm()
    errors: dict[str, str] = {}
    if request.method == "GET":
        form.at.data = utcnow().astimezone(TZ).replace(second=0, microsecond=0, tzinfo=None)
    elif form.validate_on_submit():
        findings, errors = _findings(cadres)
        if not errors:
            try:
                check = service.record_spot_check(
                    checker=_me(), township_id=township.id, at=_local(form.at.data),
                    findings=findings, note=(form.note.data or "").strip(),
                )
            except ValidationError as error:
                flash(str(error), "error")
            else:
                flash(_("已记录明察暗访，发现 %(n)s 处与公示不符。",
                        n=sum(1 for f in check.findings if f.mismatch)), "success")
                return redirect(url_for(".show", public_id=check.public_id))
    return render_template("admin/spotcheck_new.html", township=township, cadres=cadres,
                           form=form, errors=errors, presences=labels.PRESENCE,
                           posted=request.form)


@bp.get("/<public_id>")
@allow(*CHECKERS)
def show(public_id: str):
    try:
        check = service.get_check(_me(), public_id)
    except NotFoundError:
        abort(404)
    views = service.describe(check)
    return render_template(
        "admin/spotcheck_show.html", check=check, views=views,
        labels=service.MISMATCH_LABELS, presences=labels.PRESENCE,
        statuses=labels.BOARD_STATUS, action=ActionForm(),
        report_urls={v.report.id: report_url(v.report.public_id) for v in views if v.report},
    )


def report_url(public_id: str) -> str:
    """Where the checker follows a report: the queue for inspectors, their own list for supervisors."""
    if current_user.role == Role.SUPERVISOR or "review.report_view" not in current_app.view_functions:
        return url_for("admin.supervision.report", public_id=public_id)
    return url_for("review.report_view", public_id=public_id)


@bp.post("/<public_id>/report/<cadre_id>")
@allow(*CHECKERS)
def report(public_id: str, cadre_id: str):
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        created = service.report_from_finding(user=_me(), check_public_id=public_id,
                                              cadre_public_id=cadre_id)
    except NotFoundError:
        abort(404)
    except (ValidationError, ConflictError) as error:
        flash(str(error), "error")
    else:
        flash(_("已转为举报，进入受理队列（编号 %(id)s）。", id=created.public_id), "success")
    return redirect(url_for(".show", public_id=public_id))
