"""`/admin/supervision`: the appointed public supervisor's side (作风建设监督员).

A supervisor watches the boards and rosters of the townships they are appointed to, with the
staff-only details (whereabouts history, coverage gaps, leave); files NAMED reports that the
queue marks as from a supervisor (source supervisor, filed_by the supervisor); records spot
checks; and follows what they filed, never anybody else's reports.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from portal.access import allow
from portal.admin.dashboard import township_or_404
from portal.models import Role, Source, labels
from portal.models.base import utcnow
from portal.rules.calendar import TZ
from portal.services.casework import supervised, tracking
from portal.services.oversight import supervision
from portal.services.shared.errors import NotFoundError, ServiceError, ValidationError
from portal.services.shared.scope import townships_in_scope

bp = Blueprint("supervision", __name__, url_prefix="/supervision")


class NamedReportForm(FlaskForm):
    """The report form's contract names: township, cadre, category, observed_at, place, ..."""

    township = SelectField(_l("乡镇"), validators=[DataRequired()])
    cadre = SelectField(_l("干部（可不选）"), validators=[Optional()])
    category = SelectField(_l("问题类型"), validators=[DataRequired()],
                           choices=[SelectChoice(c.value, label)
                                    for c, label in labels.CATEGORY.items()])
    observed_at = DateTimeLocalField(_l("发现时间"), format="%Y-%m-%dT%H:%M",
                                     validators=[Optional()])
    place = StringField(_l("地点"), validators=[Optional(), Length(max=200)])
    description = TextAreaField(_l("情况说明"), validators=[DataRequired(), Length(max=2000)])
    contact = StringField(_l("您的联系方式"), validators=[DataRequired(), Length(max=128)])


class ActionForm(FlaskForm):
    """A POST button: just the CSRF token."""


def _me():
    return current_user._get_current_object()


@bp.get("/")
@allow(Role.SUPERVISOR)
def index():
    return render_template(
        "admin/supervision.html", townships=townships_in_scope(_me()),
        reports=supervised.filed_reports(user=_me()),
        statuses={s: words[0] for s, words in tracking.STATUS_WORDS.items()},
        categories=labels.CATEGORY, sources={Source.SPOT_CHECK: _l("明察暗访"),
                                             Source.SUPERVISOR: _l("监督员实名举报")},
    )


@bp.get("/t/<code>")
@allow(Role.SUPERVISOR)
def township(code: str):
    place = township_or_404(code)
    page = supervision.township_page(township=place, now=utcnow())
    return render_template(
        "admin/supervision_township.html", township=place, cadres=page.cadres, said=page.said,
        gaps=page.gaps, coverage=page.coverage, leave=page.leave, history=page.history,
        backfilled=page.backfilled, statuses=labels.BOARD_STATUS, kinds=labels.LEAVE_KIND,
        today=page.today, days=supervision.HISTORY_DAYS,
    )


def _cadre_choices(townships) -> list[SelectChoice]:
    """Every active cadre of the townships, grouped by township (works without JavaScript)."""
    names = {t.id: t.name for t in townships}
    return [SelectChoice("", _("不指定"))] + [
        SelectChoice(c.public_id, f"{c.name} · {c.post}", optgroup=names[c.township_id])
        for c in supervised.cadres_of(townships=townships)
    ]


def _file(form: NamedReportForm, townships):
    observed = form.observed_at.data.replace(tzinfo=TZ) if form.observed_at.data else None
    try:
        return supervised.file_named(
            user=_me(), townships=townships, township_code=form.township.data,
            cadre_public_id=form.cadre.data, category=form.category.data,
            description=form.description.data, observed_at=observed,
            place=form.place.data or "", contact=form.contact.data,
        )
    except NotFoundError:
        abort(404)
    except ValidationError as error:
        flash(str(error), "error")
        return None


@bp.route("/report", methods=["GET", "POST"])
@allow(Role.SUPERVISOR)
def new_report():
    townships = townships_in_scope(_me())
    form = NamedReportForm()
    form.township.choices = [SelectChoice(t.code, t.name) for t in townships]
    form.cadre.choices = _cadre_choices(townships)
    if request.method == "GET" and request.args.get("township"):
        form.township.data = request.args["township"]
    if form.validate_on_submit():
        report = _file(form, townships)
        if report is not None:
            flash(_("举报已提交，进入受理队列。您可以在这里查看办理进度。"), "success")
            return redirect(url_for(".report", public_id=report.public_id))
    return render_template("admin/supervision_report_new.html", form=form)


@bp.get("/reports/<public_id>")
@allow(Role.SUPERVISOR)
def report(public_id: str):
    try:
        case = supervised.filed_case(user=_me(), public_id=public_id)
    except NotFoundError:
        abort(404)
    return render_template("admin/supervision_report.html", report=case.report, view=case.view,
                           categories=labels.CATEGORY, reply=ActionForm())


@bp.post("/reports/<public_id>/reply")
@allow(Role.SUPERVISOR)
def reply(public_id: str):
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        supervised.reply(user=_me(), public_id=public_id, body=request.form.get("body", ""))
    except NotFoundError:
        abort(404)
    except ServiceError as error:
        flash(str(error), "error")
    else:
        flash(_("已回复。"), "success")
    return redirect(url_for(".report", public_id=public_id))
