"""Staff login (password + TOTP), logout, and the account page with TOTP enrolment."""

from __future__ import annotations

import time
from functools import wraps
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_limiter.errors import RateLimitExceeded
from flask_login import current_user
from flask_wtf import FlaskForm
from jinja2 import pass_context
from werkzeug.routing import BuildError

from portal.access import begin_session, end_session, session_expired, session_still_live
from portal.auth.forms import ActionForm, AlertModeForm, LoginForm, TotpCodeForm
from portal.extensions import limiter
from portal.models import Role, labels
from portal.rules.calendar import TZ
from portal.services.accounts import alert_settings
from portal.services.accounts import auth as auth_service
from portal.services.shared import sealing
from portal.services.shared.errors import ValidationError

bp = Blueprint("auth", __name__)

ENROL_KEY = "totp_enrolment"


def _account_limit_key() -> str:
    return auth_service.account_key(request.form.get("username", ""), current_app.secret_key)


def _failed(response) -> bool:
    """Only failed attempts count against the limits: a login that succeeds redirects."""
    return response.status_code != 302


def safe_next(target: str | None) -> str | None:
    """A relative path on this site, or None: never another host, scheme or protocol-relative URL."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    if any(c in target for c in "\\\r\n\t") or any(ord(c) < 32 for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


# Where each role's work is: the first page it sees after logging in (a valid `next` wins).
LANDING = {
    Role.INSPECTOR: "review.queue",
    Role.CLERK: "admin.dashboard.index",
    Role.SUPERVISOR: "admin.supervision.index",
    Role.COUNTY_ADMIN: "admin.users.index",
    Role.SYSADMIN: "admin.users.index",
}


def landing_url(user) -> str:
    """Where a user starts: the page of their role's work, or the account page if it is absent."""
    endpoint = LANDING.get(user.role)
    view = current_app.view_functions.get(endpoint) if endpoint else None
    if view is not None and user.role in (getattr(view, "allowed_roles", None) or ()):
        return url_for(endpoint)
    return url_for("auth.account")


def staff_login_required(view):
    """For auth pages outside the guarded blueprints: a live staff session is required."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not session_still_live():
            end_session()
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return wrapper


@bp.errorhandler(RateLimitExceeded)
def too_many_attempts(error):
    form = LoginForm()
    current = limiter.current_limit
    retry = max(1, int(current.reset_at - time.time())) if current is not None else 15 * 60
    message = _("登录失败次数过多。为保护账号，请 %(minutes)s 分钟后再试。", minutes=(retry + 59) // 60)
    return render_template("auth/login.html", form=form, error=message), 429, {"Retry-After": str(retry)}


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_CLIENT"], methods=["POST"],
               deduct_when=_failed)
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_ACCOUNT"], methods=["POST"],
               key_func=_account_limit_key, deduct_when=_failed, scope="login-account")
def login():
    form = LoginForm()
    target = safe_next(request.values.get("next"))
    if request.method == "GET":
        if current_user.is_authenticated and not session_expired():
            return redirect(target or landing_url(current_user))
        form.next.data = target or ""
        return render_template("auth/login.html", form=form, error=None)
    error = _("请填写用户名和密码。")
    status = 400
    if form.validate_on_submit():
        try:
            user = auth_service.authenticate(
                username=form.username.data, password=form.password.data, totp=form.totp.data or ""
            )
        except auth_service.LoginFailed:
            # One message for every cause: it must not reveal whether the account exists.
            error = _("用户名、密码或动态验证码不正确。")
            status = 401
        else:
            begin_session(user)
            # An inspector's keys open with the password, once, here; the session holds a
            # token that opens them again (sealing.keyring) and nothing else does.
            token = auth_service.open_keys(user, form.password.data)
            if token:
                session[sealing.SESSION_KEY] = token
            return redirect(target or landing_url(user))
    elif form.csrf_token.errors:
        error = _("表单已过期或缺少安全校验，请刷新页面后重新提交。")
    form.password.data = ""
    form.totp.data = ""
    return render_template("auth/login.html", form=form, error=error), status


@bp.post("/logout")
def logout():
    form = ActionForm()
    if form.validate_on_submit() and current_user.is_authenticated:
        auth_service.record_logout(current_user._get_current_object(),
                                   session.get(sealing.SESSION_KEY))
    end_session()
    flash(_("您已退出登录。"), "success")
    return redirect(url_for("auth.login"))


def _renew_session() -> None:
    """After a TOTP change ended every session of the account: a new one for this browser."""
    held = session.get(sealing.SESSION_KEY)
    begin_session(current_user._get_current_object())
    if held:
        session[sealing.SESSION_KEY] = held


@bp.get("/account")
@staff_login_required
def account():
    alerts = alert_settings.settings_of(current_user)
    return render_template(
        "auth/account.html", action_form=ActionForm(), code_form=TotpCodeForm(),
        may_change_totp=auth_service.may_change_totp(current_user),
        alerts=alerts, alert_form=AlertModeForm(formdata=None, alert_mode=alerts.mode.value),
        alert_modes=labels.ALERT_MODE,
    )


@bp.post("/account/alerts")
@staff_login_required
def alerts_mode():
    form = AlertModeForm()
    if not form.validate_on_submit():
        flash(_("页面已过期，请重新选择。"), "error")
        return redirect(url_for("auth.account"), 303)
    try:
        mode = alert_settings.set_alert_mode(user=current_user._get_current_object(),
                                             mode=form.alert_mode.data or "")
    except ValidationError as error:
        flash(str(error), "error")
    else:
        flash(_("已保存：%(mode)s。", mode=labels.ALERT_MODE[mode]), "success")
    return redirect(url_for("auth.account"), 303)


@bp.post("/account/totp/start")
@staff_login_required
def totp_start():
    form = ActionForm()
    if not form.validate_on_submit() or not auth_service.may_change_totp(current_user) \
            or current_user.totp_enabled:
        return redirect(url_for("auth.account"))
    secret = auth_service.new_enrolment_secret()
    session[ENROL_KEY] = secret
    return _enrol_page(secret, TotpCodeForm(formdata=None))


def _enrol_page(secret: str, form: TotpCodeForm, status: int = 200):
    uri = auth_service.provisioning_uri(current_user, secret)
    return render_template(
        "auth/totp_enrol.html", form=form, secret=secret, qr=auth_service.qr_svg(uri)
    ), status


@bp.post("/account/totp/confirm")
@staff_login_required
def totp_confirm():
    form = TotpCodeForm()
    secret = session.get(ENROL_KEY)
    if not secret or not auth_service.may_change_totp(current_user):
        return redirect(url_for("auth.account"))
    if form.validate_on_submit():
        try:
            auth_service.enable_totp(user=current_user._get_current_object(), secret=secret,
                                     code=form.code.data)
        except ValidationError:
            form.code.errors.append(_("验证码不正确，请核对手机上的时间后重试。"))
        else:
            session.pop(ENROL_KEY, None)
            _renew_session()
            flash(_("动态验证码已开启。今后登录时需要输入验证码。"), "success")
            return redirect(url_for("auth.account"))
    # The code was wrong: the same secret, shown again to the same person in the same session.
    return _enrol_page(secret, form, 400)


@bp.post("/account/totp/disable")
@staff_login_required
def totp_disable():
    form = TotpCodeForm()
    if form.validate_on_submit():
        try:
            auth_service.disable_totp(user=current_user._get_current_object(), code=form.code.data)
        except ValidationError:
            flash(_("验证码不正确，动态验证码仍然开启。"), "error")
        else:
            _renew_session()
            flash(_("动态验证码已关闭。"), "success")
    else:
        flash(_("请输入 6 位数字"), "error")
    return redirect(url_for("auth.account"))


# Labels of the staff areas, by endpoint; an area appears once its route exists.
AREA_LABELS = {
    "review.queue": _l("举报受理"),
    "review.intake.form": _l("来电来信来访"),
    "admin.dashboard.index": _l("乡镇工作台"),
    "admin.attendance.index": _l("签到"),
    "admin.visits.index": _l("入村走访"),
    "admin.notices.index": _l("月度公示"),
    "admin.archive.index": _l("干部档案"),
    "admin.spotchecks.index": _l("明察暗访"),
    "admin.calendar.index": _l("工作日历"),
    "admin.users.index": _l("账号管理"),
    "admin.evaluations.county": _l("民主评议"),
    "admin.supervisors.index": _l("监督员名单"),
}


def staff_nav_links() -> list[tuple[str, str]]:
    """(url, label) of every staff area the current user's role may open."""
    links = []
    for endpoint, label in AREA_LABELS.items():
        view = current_app.view_functions.get(endpoint)
        roles = getattr(view, "allowed_roles", None)
        if view is None or not roles or current_user.role not in roles:
            continue
        try:
            links.append((url_for(endpoint), str(label)))
        except BuildError:  # the area's index needs arguments: not a navigation target
            continue
    links.append((url_for("auth.account"), str(_l("我的账号"))))
    return links


@bp.app_context_processor
def staff_context() -> dict:
    return {
        "role_label": lambda role: str(labels.ROLE.get(role, role)),
        "staff_label": staff_label,
        "staff_nav_links": staff_nav_links,
        "logout_form": ActionForm,
        "show_staffnav": show_staffnav,
        "staff_page": staff_page,
        "page_forms": page_forms,
    }


@pass_context
def page_forms(context) -> list:
    """The forms a staff page was rendered with, for the error summary at its top."""
    return [value for value in context.get_all().values() if isinstance(value, FlaskForm)]


def staff_label(user) -> str:
    """How staff pages name a user: the name, with the role unless the name already says it.

    "纪检监察干部（演示）" stays as it is; "张三" is shown as "张三 · 纪检监察干部".
    """
    name = (user.display_name or "").strip() or user.username
    role = labels.ROLE.get(user.role)
    if role is None or str(role) in name or labels.in_source_language(role) in name:
        return name
    return f"{name} · {role}"


def staff_page() -> bool:
    """A page of the staff side (review, office, accounts): the desk's stylesheet and width."""
    return bool({"review", "admin", "auth"}.intersection(request.blueprints))


def show_staffnav() -> bool:
    """Only staff and account pages carry the staff navigation: public pages stay cacheable."""
    return staff_page() and bool(current_user.is_authenticated)


@bp.app_template_filter("staff_time")
def staff_time(at) -> str:
    """A stored UTC time as local (Asia/Shanghai) date and minute, for staff pages."""
    if at is None:
        return ""
    return at.astimezone(TZ).strftime("%Y-%m-%d %H:%M")
