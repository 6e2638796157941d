"""`/admin/evaluations`: 民主评议, the monthly democratic evaluation of the leadership team.

The clerk opens the evaluation of last month at the all-staff meeting and prints the ballot
slips (their codes are shown on that page only, once), enters paper slips with their codes,
and closes the vote. Until then nobody sees a count, only how many slips were cast. The
county's 纪委 and 组织部 (inspectors and administrators) read the results of every township
in their scope and download them.
"""

from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from portal import links
from portal.access import allow
from portal.admin.office_pages import (
    OFFICE_WRITERS,
    ActionForm,
    can_write,
    choices,
    flash_form_errors,
    for_township,
    local_today,
)
from portal.models import Role, Township, labels
from portal.services.office import evaluation as evaluations
from portal.services.shared.errors import NotFoundError, ServiceError, ValidationError

bp = Blueprint("evaluations", __name__, url_prefix="/evaluations")

READERS = (Role.CLERK, Role.INSPECTOR, Role.COUNTY_ADMIN, Role.SYSADMIN)
COUNTY_READERS = (Role.INSPECTOR, Role.COUNTY_ADMIN, Role.SYSADMIN)
RECENT_MONTHS = 6
DEFAULT_BALLOTS = 30


class OpenForm(FlaskForm):
    month = SelectField(_l("评议月份"))
    meeting_on = DateField(_l("会议日期"), validators=[DataRequired()])
    ballots = IntegerField(_l("选票张数（到会干部人数）"),
                           validators=[DataRequired(), NumberRange(1, evaluations.MAX_BALLOTS)])


class MoreForm(FlaskForm):
    ballots = IntegerField(_l("补发张数"),
                           validators=[DataRequired(), NumberRange(1, evaluations.MAX_BALLOTS)])


def paper_form(subjects, **kwargs) -> FlaskForm:
    """A paper slip as the clerk types it: its code, then each leader's rating and remark."""

    class PaperForm(FlaskForm):
        code = StringField(_l("选票代码"), validators=[DataRequired(), Length(max=40)])

    rating_choices = [SelectChoice(r.value, text) for r, text in labels.RATING.items()]
    for subject in subjects:
        setattr(PaperForm, f"rating_{subject.id}", RadioField(
            subject.name, choices=rating_choices,
            validators=[DataRequired(message=_l("请选择评价。"))]))
        setattr(PaperForm, f"remark_{subject.id}", TextAreaField(
            _l("意见建议（可不填）"), validators=[Optional(), Length(max=evaluations.MAX_REMARK)]))
    return PaperForm(**kwargs)


def _months(today: date) -> list[str]:
    index = today.year * 12 + today.month - 1
    return [f"{(index - i) // 12:04d}-{(index - i) % 12 + 1:02d}" for i in range(1, RECENT_MONTHS + 1)]


def _open_form(**kwargs) -> OpenForm:
    form = OpenForm(**kwargs)
    form.month.choices = choices((m, m) for m in _months(local_today()))
    return form


def _evaluation_or_404(public_id: str):
    try:
        return evaluations.get(current_user, public_id)
    except NotFoundError:
        abort(404)


@bp.get("/")
@allow(*READERS)
@for_township
def index(township: Township):
    today = local_today()
    form = _open_form(formdata=None, month=_months(today)[0], meeting_on=today,
                      ballots=DEFAULT_BALLOTS)
    found = evaluations.for_township(township.id)
    return render_template(
        "admin/evaluations.html", township=township, form=form, can_write=can_write(),
        evaluations=found, turnout={e.id: evaluations.turnout(e) for e in found},
        states=labels.EVALUATION_STATE)


def _slips(evaluation, codes: list[str]):
    """The page of ballot slips to print: shown once, right after they were issued."""
    slips = []
    for code in codes:
        url = links.absolute("ballot.vote", code=code)
        slips.append((code, url, _qr(url)))
    return render_template("admin/evaluation_slips.html", evaluation=evaluation, slips=slips,
                           code_url=links.absolute("ballot.enter_code"))


def _qr(url: str) -> str:
    import segno  # loaded by the workers that draw a code, not by every one

    return segno.make(url, error="m").svg_data_uri(scale=3, dark="#000", light="#fff")


@bp.post("/open")
@allow(*OFFICE_WRITERS)
@for_township
def open_evaluation(township: Township):
    form = _open_form()
    if form.validate_on_submit():
        try:
            issued = evaluations.open_evaluation(
                actor=current_user, township=township, month=form.month.data,
                meeting_on=form.meeting_on.data, ballots=form.ballots.data, today=local_today())
        except ServiceError as error:
            flash(str(error), "error")
        else:
            return _slips(issued.evaluation, issued.codes)
    else:
        flash_form_errors(form)
    found = evaluations.for_township(township.id)
    return render_template(
        "admin/evaluations.html", township=township, form=form, can_write=can_write(),
        evaluations=found, turnout={e.id: evaluations.turnout(e) for e in found},
        states=labels.EVALUATION_STATE), 422


def _show(evaluation, *, paper=None, more=None, status: int = 200):
    issued, cast = evaluations.turnout(evaluation)
    result = (evaluations.results(evaluation)
              if evaluation.state == evaluations.EvaluationState.CLOSED else None)
    return render_template(
        "admin/evaluation_show.html", evaluation=evaluation, issued=issued, cast=cast,
        result=result, can_write=can_write(), states=labels.EVALUATION_STATE,
        paper=paper or paper_form(evaluation.subjects, formdata=None),
        more=more or MoreForm(formdata=None, ballots=1), close_form=ActionForm(),
    ), status


@bp.get("/<public_id>")
@allow(*READERS)
def show(public_id: str):
    return _show(_evaluation_or_404(public_id))


@bp.post("/<public_id>/more")
@allow(*OFFICE_WRITERS)
def more(public_id: str):
    evaluation = _evaluation_or_404(public_id)
    form = MoreForm()
    if form.validate_on_submit():
        try:
            issued = evaluations.issue_more(actor=current_user, evaluation=evaluation,
                                            ballots=form.ballots.data)
        except ServiceError as error:
            flash(str(error), "error")
        else:
            return _slips(issued.evaluation, issued.codes)
    else:
        flash_form_errors(form)
    return _show(evaluation, more=form, status=422)


@bp.post("/<public_id>/paper")
@allow(*OFFICE_WRITERS)
def paper(public_id: str):
    evaluation = _evaluation_or_404(public_id)
    form = paper_form(evaluation.subjects)
    if not form.validate_on_submit():
        flash(_("请填写选票代码，并为每一位班子成员选择评价。"), "error")
        return _show(evaluation, paper=form, status=422)
    try:
        evaluations.cast(
            code=form.code.data,
            ratings={s.id: form[f"rating_{s.id}"].data for s in evaluation.subjects},
            remarks={s.id: form[f"remark_{s.id}"].data for s in evaluation.subjects},
            entered_by=current_user)
    except (ValidationError, NotFoundError) as error:
        flash(str(error), "error")
        return _show(evaluation, paper=form, status=422)
    flash(_("纸质选票已录入。"), "success")
    return redirect(url_for(".show", public_id=public_id))


@bp.post("/<public_id>/close")
@allow(*OFFICE_WRITERS)
def close(public_id: str):
    evaluation = _evaluation_or_404(public_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        evaluations.close(actor=current_user, evaluation=evaluation)
    except ServiceError as error:
        flash(str(error), "error")
    else:
        flash(_("评议已结束，结果已报县纪委和县委组织部。"), "success")
    return redirect(url_for(".show", public_id=public_id))


def _download(found, kind: str, name: str, title: str):
    if kind not in ("csv", "xlsx"):
        abort(404)
    body, mimetype = evaluations.export_file(found, kind, title)
    evaluations.record_export(actor=current_user, what=name, count=len(found))
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{name}.{kind}"'})


@bp.get("/<public_id>/results.<fmt>")
@allow(*READERS)
def export_one(public_id: str, fmt: str):
    evaluation = _evaluation_or_404(public_id)
    try:
        found = [evaluations.results(evaluation)]
    except ValidationError:
        abort(404)
    name = f"zaigang-evaluation-{evaluation.township.code}-{evaluation.month}"
    return _download(found, fmt, name, _("%(township)s %(month)s 民主评议结果",
                                          township=evaluation.township.name, month=evaluation.month))


def _county_month() -> str:
    """?month=YYYY-MM, by default the latest month rated in the scope (else last month)."""
    closed = evaluations.months_closed_in_scope(current_user)
    last_month = (local_today().replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    month = request.args.get("month") or (closed[0] if closed else last_month)
    try:
        evaluations.parse_month(month)
    except ValidationError:
        abort(404)
    return month


@bp.get("/county")
@allow(*COUNTY_READERS)
def county():
    month = _county_month()
    return render_template(
        "admin/evaluation_county.html", month=month,
        months=sorted(set(evaluations.months_closed_in_scope(current_user)) | {month},
                      reverse=True),
        found=evaluations.closed_in_scope(current_user, month))


@bp.get("/county/results.<fmt>")
@allow(*COUNTY_READERS)
def county_export(fmt: str):
    month = _county_month()
    found = evaluations.closed_in_scope(current_user, month)
    return _download(found, fmt, f"zaigang-evaluations-{month}",
                     _("%(month)s 民主评议结果", month=month))
