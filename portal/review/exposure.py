"""`/review/<id>/publish`: an inspector publishes a substantiated case (通报曝光) or withdraws it.

The page shows the case's public wording, prefilled from the conclusion, to be edited before
it is published; a refused form comes back as it was typed. The services decide and audit.
"""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, url_for
from flask import flash as flash_message
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import InputRequired, Length

from portal.access import allow
from portal.models import Role
from portal.services.casework import cases, exposure
from portal.services.shared.errors import NotFoundError, ServiceError

bp = Blueprint("exposure", __name__)


class PublishForm(FlaskForm):
    cadre_name = StringField(_l("干部姓名"), validators=[
        InputRequired(message=_l("请填写干部姓名。")), Length(max=exposure.MAX_NAME)])
    cadre_post = StringField(_l("职务"), validators=[
        InputRequired(message=_l("请填写职务。")), Length(max=exposure.MAX_NAME)])
    found = TextAreaField(_l("查实的问题（公开）"), validators=[
        InputRequired(message=_l("请填写查实的问题。")), Length(max=exposure.MAX_TEXT)])
    done = TextAreaField(_l("处理结果（公开）"), validators=[
        InputRequired(message=_l("请填写处理结果。")), Length(max=exposure.MAX_TEXT)])


class WithdrawForm(FlaskForm):
    reason = TextAreaField(_l("撤回理由（仅工作人员可见）"), validators=[
        InputRequired(message=_l("请写明撤回的理由。")), Length(max=exposure.MAX_REASON)])


def _me():
    return current_user._get_current_object()


def _page(public_id: str, *, publish_form: PublishForm | None = None,
          withdraw_form: WithdrawForm | None = None, error: str | None = None, status: int = 200):
    try:
        report = cases.get_report(user=_me(), public_id=public_id)
    except NotFoundError:
        abort(404)
    state = exposure.case_exposure(user=_me(), report=report)
    if state is None:
        abort(404)
    if publish_form is None:
        publish_form = PublishForm(formdata=None, data=state.defaults)
    return render_template(
        "review/exposure.html", report=report, state=state, error=error,
        publish_form=publish_form, withdraw_form=withdraw_form or WithdrawForm(formdata=None),
    ), status


@bp.get("/<public_id>/publish", endpoint="page")
@allow(Role.INSPECTOR)
def page(public_id: str):
    return _page(public_id)


@bp.post("/<public_id>/publish", endpoint="publish")
@allow(Role.INSPECTOR)
def publish(public_id: str):
    form = PublishForm()
    if not form.validate_on_submit():
        return _page(public_id, publish_form=form, status=400)
    try:
        exposure.publish(user=_me(), public_id=public_id, cadre_name=form.cadre_name.data,
                         cadre_post=form.cadre_post.data, found=form.found.data, done=form.done.data)
    except NotFoundError:
        abort(404)
    except ServiceError as error:
        return _page(public_id, publish_form=form, error=str(error), status=400)
    flash_message(_("已在县级通报曝光页面公开。"), "success")
    return redirect(url_for("review.exposure.page", public_id=public_id), 303)


@bp.post("/<public_id>/withdraw", endpoint="withdraw")
@allow(Role.INSPECTOR)
def withdraw(public_id: str):
    form = WithdrawForm()
    if not form.validate_on_submit():
        return _page(public_id, withdraw_form=form, status=400)
    try:
        exposure.withdraw(user=_me(), public_id=public_id, reason=form.reason.data)
    except NotFoundError:
        abort(404)
    except ServiceError as error:
        return _page(public_id, withdraw_form=form, error=str(error), status=400)
    flash_message(_("已撤回通报，公开页面不再显示。"), "success")
    return redirect(url_for("review.exposure.page", public_id=public_id), 303)
