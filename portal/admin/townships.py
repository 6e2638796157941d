"""`/admin/townships`: the county administrator keeps the county's list of townships."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from portal.access import allow
from portal.admin.forms import ActionForm, choices
from portal.models import Role
from portal.services.office import township_admin as service
from portal.services.shared import scope
from portal.services.shared.errors import NotFoundError, ValidationError

bp = Blueprint("townships", __name__)

ADMINS = (Role.COUNTY_ADMIN, Role.SYSADMIN)
PHONE = Regexp(r"^[0-9+\-() ]{3,32}$", message=_l("请填写电话号码（数字、空格、+、-、括号）。"))


class TownshipForm(FlaskForm):
    name = StringField(_l("名称"), validators=[DataRequired(_l("请填写乡镇名称。")), Length(max=64)])
    address = StringField(_l("地址"), validators=[Optional(), Length(max=200)])
    office_phone = StringField(_l("办公电话"), validators=[Optional(), PHONE])
    hotline = StringField(_l("监督举报电话"), validators=[Optional(), PHONE])


class NewTownshipForm(TownshipForm):
    county = SelectField(_l("所属县（市、区）"), validators=[DataRequired()])
    suffix = StringField(
        _l("乡镇代码后三位"),
        validators=[DataRequired(_l("请填写三位数字。")),
                    Regexp(r"^[0-9]{3}$", message=_l("请填写三位数字，如 009。"))],
    )


def _fields(form: TownshipForm) -> service.TownshipFields:
    return service.TownshipFields(name=form.name.data or "", address=form.address.data or "",
                                  office_phone=form.office_phone.data or "",
                                  hotline=form.hotline.data or "")


@bp.get("/townships")
@allow(*ADMINS)
def index():
    rows = service.list_townships(current_user)
    return render_template("admin/townships.html", rows=rows, action_form=ActionForm())


@bp.route("/townships/new", methods=["GET", "POST"])
@allow(*ADMINS)
def new():
    counties = scope.counties_administered(current_user)
    form = NewTownshipForm()
    form.county.choices = choices((c.code, f"{c.name}（{c.code}）") for c in counties)
    if form.validate_on_submit():
        county = next(c for c in counties if c.code == form.county.data)
        try:
            township = service.create_township(user=current_user, county=county,
                                               suffix=form.suffix.data, fields=_fields(form))
        except ValidationError as error:
            message = {"taken": _("这个代码已被使用，请换一个。"), "suffix": _("代码后三位不能是 000。")}
            form.suffix.errors = [message.get(str(error), _("请检查填写的内容。"))]
        else:
            flash(_("已添加 %(name)s（%(code)s）。", name=township.name, code=township.code), "success")
            return redirect(url_for(".index"))
    return render_template("admin/townships_form.html", form=form, township=None)


@bp.route("/townships/<code>", methods=["GET", "POST"])
@allow(*ADMINS)
def edit(code: str):
    try:
        township = scope.scoped_township(current_user, code, active_only=False)
    except NotFoundError:
        abort(404)
    form = TownshipForm(obj=township)
    if form.validate_on_submit():
        try:
            service.update_township(user=current_user, township=township, fields=_fields(form))
        except ValidationError:
            form.name.errors = [_("请填写乡镇名称。")]
        else:
            flash(_("已保存 %(name)s。", name=township.name), "success")
            return redirect(url_for(".index"))
    return render_template("admin/townships_form.html", form=form, township=township,
                           action_form=ActionForm())


@bp.post("/townships/<code>/active")
@allow(*ADMINS)
def set_active(code: str):
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        township = scope.scoped_township(current_user, code, active_only=False)
    except NotFoundError:
        abort(404)
    active = request.form.get("active") == "1"
    service.set_active(user=current_user, township=township, active=active)
    flash(_("%(name)s 已恢复公开。", name=township.name) if active
          else _("%(name)s 已停用：公开页面不再显示，历史记录保留。", name=township.name), "success")
    return redirect(url_for(".index"))
