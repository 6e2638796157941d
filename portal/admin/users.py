"""Staff accounts of a county (county administrators) or of everyone (sysadmins): /admin/users."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from portal.access import allow
from portal.models import Role, User, labels
from portal.services.accounts import alert_settings
from portal.services.accounts import auth as accounts
from portal.services.shared.errors import NotFoundError, ServiceError

bp = Blueprint("users", __name__, url_prefix="/users")
ADMINS = (Role.COUNTY_ADMIN, Role.SYSADMIN)


class NewUserForm(FlaskForm):
    username = StringField(_l("用户名"), validators=[DataRequired(), Length(max=64)])
    display_name = StringField(_l("姓名或单位"), validators=[Optional(), Length(max=64)])
    role = SelectField(_l("角色"), choices=[])
    scope = StringField(_l("管辖范围"), validators=[Optional(), Length(max=400)])
    home_township = StringField(_l("居住乡镇代码（监督员填写）"), validators=[Optional(), Length(max=9)])
    email = StringField(_l("电子邮箱（接收举报提醒）"), validators=[Optional(), Length(max=254)])


class EmailForm(FlaskForm):
    email = StringField(_l("电子邮箱（接收举报提醒）"), validators=[Optional(), Length(max=254)])


class ButtonForm(FlaskForm):
    """An action button: the CSRF token only."""


def _admin() -> User:
    return current_user._get_current_object()


def _managed(public_id: str) -> User:
    try:
        return accounts.get_managed_user(_admin(), public_id)
    except NotFoundError:
        abort(404)


def _new_form() -> NewUserForm:
    form = NewUserForm()
    roles = accounts.roles_assignable_by(_admin())
    form.role.choices = [SelectChoice(r.value, str(labels.ROLE[r])) for r in roles]
    return form


@bp.get("")
@allow(*ADMINS)
def index():
    return render_template("admin/users.html", users=accounts.manageable_users(_admin()))


@bp.route("/new", methods=["GET", "POST"])
@allow(*ADMINS)
def new():
    form = _new_form()
    if form.validate_on_submit():
        try:
            email = alert_settings.normalized_email(form.email.data)
        except ServiceError as error:
            form.email.errors = [*form.email.errors, str(error)]
            return render_template("admin/users_new.html", form=form), 400
        try:
            created = accounts.create_staff_user(
                admin=_admin(), username=form.username.data, display_name=form.display_name.data or "",
                role=form.role.data, scope_codes=form.scope.data or "",
                home_township=form.home_township.data or "", email=email,
            )
        except ServiceError as error:
            form.scope.errors = [*form.scope.errors, str(error)]
        else:
            # Rendered in the POST's response, never stored in a page that can be fetched again.
            return _secrets_page(created.user, created.password, created.totp_secret)
    return render_template("admin/users_new.html", form=form), 400 if form.errors else 200


def _secrets_page(user: User, password: str | None, secret: str | None):
    qr = accounts.qr_svg(accounts.provisioning_uri(user, secret)) if secret else None
    return render_template("admin/users_secret.html", user=user, password=password, secret=secret, qr=qr)


@bp.get("/<public_id>")
@allow(*ADMINS)
def show(public_id: str):
    user = _managed(public_id)
    return _show_page(user, EmailForm(formdata=None, email=user.email))


def _show_page(user: User, email_form: EmailForm, status: int = 200):
    return render_template("admin/users_show.html", user=user, form=ButtonForm(),
                           email_form=email_form, is_self=user.id == _admin().id), status


@bp.post("/<public_id>/email")
@allow(*ADMINS)
def set_email(public_id: str):
    user = _managed(public_id)
    form = EmailForm()
    if form.validate_on_submit():
        try:
            address = alert_settings.set_email(admin=_admin(), user=user, email=form.email.data)
        except ServiceError as error:
            form.email.errors = [*form.email.errors, str(error)]
        else:
            flash(_("电子邮箱已保存。") if address else _("电子邮箱已删除，该账号不再收到邮件提醒。"),
                  "success")
            return redirect(url_for("admin.users.show", public_id=public_id), 303)
    # Shown again with what was typed and why it was refused.
    return _show_page(user, form, 400)


def _button(public_id: str):
    user = _managed(public_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    return user


@bp.post("/<public_id>/deactivate")
@allow(*ADMINS)
def deactivate(public_id: str):
    return _set_active(public_id, False)


@bp.post("/<public_id>/activate")
@allow(*ADMINS)
def activate(public_id: str):
    return _set_active(public_id, True)


def _set_active(public_id: str, active: bool):
    user = _button(public_id)
    try:
        accounts.set_active(admin=_admin(), user=user, active=active)
    except ServiceError as error:
        flash(str(error), "error")
    else:
        flash(_("账号已启用。") if active else _("账号已停用，其所有登录会话已失效。"), "success")
    return redirect(url_for("admin.users.show", public_id=public_id), 303)


@bp.post("/<public_id>/reset-password")
@allow(*ADMINS)
def reset_password(public_id: str):
    user = _button(public_id)
    return _secrets_page(user, accounts.reset_password(admin=_admin(), user=user), None)


@bp.post("/<public_id>/reset-totp")
@allow(*ADMINS)
def reset_totp(public_id: str):
    user = _button(public_id)
    secret = accounts.reset_totp(admin=_admin(), user=user)
    if secret is None:
        flash(_("动态验证码已关闭；该用户可以在“我的账号”中重新开启。"), "success")
        return redirect(url_for("admin.users.show", public_id=public_id), 303)
    return _secrets_page(user, None, secret)
