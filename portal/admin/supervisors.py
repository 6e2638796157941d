"""`/admin/supervisors`: the county's register of 作风建设监督员 (county administrators).

The county appoints supervisors for a term and some townships, gives each a staff account if
they are to use the portal (it opens only during the term), ends a term early, and reads
what each supervisor filed and found. The public sees the register at /c/<county>/supervisors.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from portal.access import allow
from portal.admin.office_pages import ActionForm, flash_form_errors, local_today
from portal.models import Role, labels
from portal.services.accounts import supervisors
from portal.services.oversight import supervisor_summary
from portal.services.shared.errors import NotFoundError, ServiceError

bp = Blueprint("supervisors", __name__, url_prefix="/supervisors")
ADMINS = (Role.COUNTY_ADMIN, Role.SYSADMIN)


class AppointForm(FlaskForm):
    name = StringField(_l("姓名"), validators=[DataRequired(), Length(max=64)])
    kind = SelectField(_l("类别"), choices=[SelectChoice(k.value, text)
                                           for k, text in labels.SUPERVISOR_KIND.items()])
    term_from = DateField(_l("任期开始"), validators=[DataRequired()])
    term_until = DateField(_l("任期结束"), validators=[DataRequired()])
    townships = SelectMultipleField(_l("监督的乡镇"), validators=[DataRequired()],
                                    widget=ListWidget(prefix_label=False),
                                    option_widget=CheckboxInput())
    contact = StringField(_l("联系方式"), validators=[Optional(), Length(max=128)])
    contact_public = BooleanField(_l("本人同意在监督员名单中公开联系方式"))
    username = StringField(_l("登录用户名（需要使用本系统时填写）"),
                           validators=[Optional(), Length(max=64)])
    home_township = StringField(_l("居住乡镇代码（可不填；不分给其本乡镇的案件）"),
                                validators=[Optional(), Length(max=9)])


def _admin():
    return current_user._get_current_object()


def _county():
    """The county of the page (?county=CODE, or the only one administered), else None."""
    options = supervisors.counties(_admin())
    code = request.args.get("county", "") or request.form.get("county", "")
    if code:
        try:
            return supervisors.county_of(_admin(), code), options
        except NotFoundError:
            abort(404)
    return (options[0] if len(options) == 1 else None), options


@bp.get("/")
@allow(*ADMINS)
def index():
    county, options = _county()
    if county is None:
        return render_template("admin/supervisors_pick.html", counties=options)
    return render_template(
        "admin/supervisors.html", county=county, today=local_today(),
        figures=supervisor_summary.county_summary(county), kinds=labels.SUPERVISOR_KIND,
        end_form=ActionForm())


def _form(county) -> AppointForm:
    form = AppointForm()
    form.townships.choices = [SelectChoice(t.code, t.name)
                              for t in supervisors.county_townships(county)]
    return form


@bp.route("/new", methods=["GET", "POST"])
@allow(*ADMINS)
def new():
    county, _options = _county()
    if county is None:
        abort(404)
    form = _form(county)
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                done = supervisors.appoint(
                    admin=_admin(), county=county, name=form.name.data, kind=form.kind.data,
                    term_from=form.term_from.data, term_until=form.term_until.data,
                    township_codes=form.townships.data, contact=form.contact.data or "",
                    contact_public=form.contact_public.data, username=form.username.data or "",
                    home_township=form.home_township.data or "")
            except ServiceError as error:
                flash(str(error), "error")
            else:
                flash(_("已登记监督员 %(name)s。", name=done.appointment.name), "success")
                if done.account is not None:
                    return render_template("admin/users_secret.html", user=done.account.user,
                                           password=done.account.password, secret=None, qr=None)
                return redirect(url_for(".index", county=county.code))
        else:
            flash_form_errors(form)
    return render_template("admin/supervisors_new.html", county=county, form=form), \
        (422 if request.method == "POST" else 200)


@bp.post("/<public_id>/end")
@allow(*ADMINS)
def end(public_id: str):
    try:
        appointment = supervisors.get(_admin(), public_id)
    except NotFoundError:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        supervisors.end_term(admin=_admin(), appointment=appointment, today=local_today())
    except ServiceError as error:
        flash(str(error), "error")
    else:
        flash(_("%(name)s 的任期已结束，账号不能再登录。", name=appointment.name), "success")
    return redirect(url_for(".index", county=appointment.county.code))
