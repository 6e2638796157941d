"""`GET/POST /e/<code>`: a cadre casts a 民主评议 ballot on a phone, without JavaScript.

The code on the slip is the only key: no login, and nothing about the voter's device
(address, user agent) is stored or logged (the deployment's access logs replace the code in
the path by "-"). The pages are never cached and send no referrer. `GET/POST /e` lets a
voter type the code instead of scanning it.
"""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from portal.extensions import limiter
from portal.models import labels
from portal.services.office import evaluation as evaluations
from portal.services.shared.errors import NotFoundError, ValidationError

bp = Blueprint("ballot", __name__)


class CodeForm(FlaskForm):
    code = StringField(_l("选票代码"), validators=[DataRequired(), Length(max=40)])


def ballot_form(subjects, **kwargs) -> FlaskForm:
    """One rating (required) and one remark (optional) per leader, named by the leader's row."""

    class BallotForm(FlaskForm):
        pass

    rating_choices = [SelectChoice(r.value, text) for r, text in labels.RATING.items()]
    for subject in subjects:
        setattr(BallotForm, f"rating_{subject.id}", RadioField(
            subject.name, choices=rating_choices,
            validators=[DataRequired(message=_l("请选择评价。"))]))
        setattr(BallotForm, f"remark_{subject.id}", TextAreaField(
            _l("意见建议（可不填）"),
            validators=[Optional(), Length(max=evaluations.MAX_REMARK)]))
    return BallotForm(**kwargs)


def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


bp.after_request(_no_store)


def _problem(error: Exception):
    if isinstance(error, evaluations.BallotUsedError):
        status, kind = 410, "used"
    elif isinstance(error, evaluations.EvaluationClosedError):
        status, kind = 410, "closed"
    else:
        status, kind = 404, "unknown"
    return render_template("visits/ballot_problem.html", kind=kind, message=str(error)), status


@bp.route("/e", methods=["GET", "POST"])
@limiter.limit("10 per minute; 60 per day", methods=["POST"])
def enter_code():
    form = CodeForm()
    if form.validate_on_submit():
        code = evaluations.normalize(form.code.data)
        if code:
            return redirect(url_for(".vote", code=evaluations.grouped(code)))
        form.code.errors = [_l("选票代码是 12 位字母和数字，请核对后再输入。")]
    return render_template("visits/ballot_code.html", form=form)


@bp.route("/e/<code>", methods=["GET", "POST"])
@limiter.limit("30 per minute; 300 per day", methods=["GET"])
@limiter.limit("10 per minute; 60 per day", methods=["POST"])
def vote(code: str):
    try:
        evaluation = evaluations.find_ballot(code)
    except (NotFoundError, ValidationError) as error:
        return _problem(error)
    form = ballot_form(evaluation.subjects)
    if form.validate_on_submit():
        try:
            evaluations.cast(
                code=code,
                ratings={s.id: form[f"rating_{s.id}"].data for s in evaluation.subjects},
                remarks={s.id: form[f"remark_{s.id}"].data for s in evaluation.subjects})
        except (evaluations.BallotUsedError, evaluations.EvaluationClosedError,
                NotFoundError) as error:
            return _problem(error)
        except ValidationError as error:
            return render_template("visits/ballot.html", evaluation=evaluation, form=form,
                                   error=str(error)), 422
        return render_template("visits/ballot_thanks.html", evaluation=evaluation)
    status = 422 if form.errors else 200
    return render_template("visits/ballot.html", evaluation=evaluation, form=form,
                           error=None), status
