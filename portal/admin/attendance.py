"""Sign-ins (签到 / 签退) and night stays: `/admin/attendance/...`.

The attendance-machine import is `attendance_files`; the helpers the office pages share
(which township a page is about) are in `office_pages`.
"""

from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    SelectField,
    StringField,
    TimeField,
)
from wtforms.validators import DataRequired, Length, Optional

from portal.access import ALL_STAFF, allow
from portal.admin.office_pages import (
    OFFICE_WRITERS,
    ActionForm,
    cadre_choices,
    cadre_in_scope,
    can_write,
    choices,
    current_township,
    flash_form_errors,
    parse_week,
)
from portal.models import SignInKind, Township, labels
from portal.rules.calendar import TZ, local_date
from portal.services.office import attendance, rule543
from portal.services.shared.errors import NotFoundError, ValidationError

bp = Blueprint("attendance", __name__, url_prefix="/attendance")


# --- forms ------------------------------------------------------------------------------------

class SignInForm(FlaskForm):
    cadre = SelectField(_l("干部"), validators=[DataRequired()])
    at = DateTimeLocalField(_l("时间"), format="%Y-%m-%dT%H:%M", validators=[DataRequired()])
    kind = SelectField(_l("类型"), choices=choices(labels.SIGN_IN_KIND.items()))
    place = StringField(_l("地点"), validators=[Optional(), Length(max=64)])
    at_township = BooleanField(_l("在乡镇（机关驻地）"), default=True)


class NightStayForm(FlaskForm):
    cadre = SelectField(_l("干部"), validators=[DataRequired()])
    night_of = DateField(_l("住宿日期（当晚）"), validators=[DataRequired()])
    evening = TimeField(_l("晚间签到时间"), validators=[DataRequired()])
    morning = TimeField(_l("次日早签到时间"), validators=[DataRequired()])


# --- pages ------------------------------------------------------------------------------------

def _week_view(township: Township, monday: date) -> dict:
    """The records of the week per cadre and day, with the engine's verdict on each."""
    records = attendance.week_records(township.id, monday)
    results = rule543.township_weeks(township.id, monday, monday, leaders_only=False)
    invalid: dict[int, str] = {}
    bad_stays: dict[int, list] = {}
    stays: dict[int, set] = {}
    for cadre, (week,) in results.items():
        for record in week.invalid:
            if record.kind.value == "sign_in":
                invalid[record.record_id] = record.reason
            elif record.kind.value == "night_stay":
                bad_stays.setdefault(cadre.id, []).append(record)
        stays[cadre.id] = set(week.night_dates)
    by_cadre: dict[int, dict[date, list]] = {}
    for record in records:
        by_cadre.setdefault(record.cadre_id, {}).setdefault(local_date(record.at), []).append(record)
    return {"cadres": list(results), "by_cadre": by_cadre, "invalid": invalid, "stays": stays,
            "bad_stays": bad_stays, "results": {c.id: w[0] for c, w in results.items()}}


@bp.get("/")
@allow(*ALL_STAFF)
def index():
    township, options = current_township()
    if township is None:
        return render_template("admin/attendance_pick.html", choices=options,
                               endpoint="admin.attendance.index")
    monday = parse_week(request.args.get("week"))
    days = [monday + timedelta(days=i) for i in range(7)]
    sign_in_form = SignInForm(formdata=None)
    stay_form = NightStayForm(formdata=None)
    sign_in_form.cadre.choices = stay_form.cadre.choices = cadre_choices(township)
    return render_template(
        "admin/attendance.html", township=township, choices=options, monday=monday, days=days,
        prev_week=monday - timedelta(days=7), next_week=monday + timedelta(days=7),
        sign_in_form=sign_in_form, stay_form=stay_form, action_form=ActionForm(),
        can_write=can_write(), tz=TZ, **_week_view(township, monday),
    )


def _back(township: Township, day: date | None = None):
    args = {"township": township.code}
    if day:
        args["week"] = rule543.week_start_of(day).isoformat()
    return redirect(url_for("admin.attendance.index", **args))


@bp.post("/sign-ins")
@allow(*OFFICE_WRITERS)
def add_sign_in():
    township, _choices = current_township()
    if township is None:
        abort(404)
    form = SignInForm()
    form.cadre.choices = cadre_choices(township)
    if not form.validate_on_submit():
        flash_form_errors(form)
        return _back(township)
    cadre = cadre_in_scope(form.cadre.data, township)
    at = form.at.data.replace(tzinfo=TZ)
    try:
        attendance.add_sign_in(cadre=cadre, at=at, kind=SignInKind(form.kind.data),
                               place=form.place.data or "", at_township=form.at_township.data,
                               actor=current_user)
    except ValidationError as error:
        flash(str(error), "error")
        return _back(township, at.date())
    flash(_("已记录 %(name)s %(at)s 的%(kind)s。", name=cadre.name, at=at.strftime("%m-%d %H:%M"),
            kind=labels.SIGN_IN_KIND[form.kind.data]), "success")
    return _back(township, at.date())


@bp.post("/night-stays")
@allow(*OFFICE_WRITERS)
def add_night_stay():
    township, _choices = current_township()
    if township is None:
        abort(404)
    form = NightStayForm()
    form.cadre.choices = cadre_choices(township)
    if not form.validate_on_submit():
        flash_form_errors(form)
        return _back(township)
    cadre = cadre_in_scope(form.cadre.data, township)
    try:
        attendance.add_night_stay(cadre=cadre, night_of=form.night_of.data,
                                  evening=form.evening.data, morning=form.morning.data,
                                  actor=current_user)
    except ValidationError as error:
        flash(str(error), "error")
        return _back(township, form.night_of.data)
    flash(_("已记录 %(name)s %(night)s 晚住宿。", name=cadre.name,
            night=form.night_of.data.isoformat()), "success")
    return _back(township, form.night_of.data + timedelta(days=1))


@bp.post("/sign-ins/<int:record_id>/delete")
@allow(*OFFICE_WRITERS)
def delete_sign_in(record_id: int):
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        record, township = attendance.record_in_scope(user=current_user, record_id=record_id)
    except NotFoundError:
        abort(404)
    day = local_date(record.at)
    try:
        attendance.delete_sign_in(record=record, actor=current_user)
    except ValidationError as error:
        flash(str(error), "error")
        return _back(township, day)
    flash(_("已删除这条记录。"), "success")
    return _back(township, day)
