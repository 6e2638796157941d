"""Forms of the staff login, logout and TOTP enrolment."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, RadioField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp


class LoginForm(FlaskForm):
    username = StringField(_l("用户名"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("密码"), validators=[DataRequired(), Length(max=256)])
    totp = StringField(_l("动态验证码"), validators=[Optional(), Length(max=10)])
    next = HiddenField()


class ActionForm(FlaskForm):
    """A button that posts (logout and similar actions): only the CSRF token."""


class TotpCodeForm(FlaskForm):
    code = StringField(
        _l("动态验证码"),
        validators=[DataRequired(), Regexp(r"^\s*\d{3}\s?\d{3}\s*$", message=_l("请输入 6 位数字"))],
    )


class AlertModeForm(FlaskForm):
    """How an inspector gets e-mail alerts (choices: models.AlertMode, labels.ALERT_MODE)."""

    alert_mode = RadioField(_l("邮件提醒方式"), choices=[], validate_choice=False)
