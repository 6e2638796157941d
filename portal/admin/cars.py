"""`/admin/t/<code>/cars`: the township's official vehicles and trip log (公车使用登记).

The clerk (or a driver through the clerk's account) records each trip: vehicle, driver,
passengers, destination and its kind, purpose, out and back times; a trip still out gets
its back time later. The page lists the month's trips with the county-town flags and the
riders' night records, as the public car page shows them, plus the staff-only fields.
"""

from __future__ import annotations

from datetime import date, datetime, time

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectField, SelectMultipleField, StringField, TimeField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from portal.access import allow
from portal.admin.dashboard import EDITORS, RECORD_READERS, can_edit, me, township_or_404
from portal.admin.forms import ActionForm, choices
from portal.admin.office_pages import local_today
from portal.models import DestinationKind, labels
from portal.rules.calendar import TZ
from portal.services.office import cadres as cadre_service
from portal.services.office import cars, cars_read
from portal.services.office import roster as roster_service
from portal.services.shared.errors import NotFoundError, ValidationError

bp = Blueprint("cars", __name__)


class VehicleForm(FlaskForm):
    plate = StringField(_l("车牌号"), validators=[DataRequired(), Length(max=16)])
    model = StringField(_l("车型"), validators=[Optional(), Length(max=64)])


class TripForm(FlaskForm):
    vehicle = SelectField(_l("车辆"), validators=[DataRequired()])
    driver = SelectField(_l("驾驶员"))
    driver_name = StringField(_l("其他驾驶员姓名（不在干部名册上；仅工作人员可见）"),
                              validators=[Optional(), Length(max=32)])
    passengers = SelectMultipleField(_l("乘车人"), widget=ListWidget(prefix_label=False),
                                     option_widget=CheckboxInput(), validate_choice=False)
    destination = StringField(_l("目的地"), validators=[DataRequired(), Length(max=64)])
    destination_kind = SelectField(_l("目的地类别"), choices=choices(
        (k.value, v) for k, v in labels.DESTINATION_KIND.items()))
    purpose = StringField(_l("事由"), validators=[DataRequired(), Length(max=100)])
    out_date = DateField(_l("出车日期"), validators=[DataRequired()])
    out_time = TimeField(_l("出车时间"), validators=[DataRequired()])
    back_date = DateField(_l("返回日期"), validators=[Optional()])
    back_time = TimeField(_l("返回时间"), validators=[Optional()])
    note = StringField(_l("备注（里程、加油等；仅工作人员可见）"), validators=[Optional(), Length(max=200)])


class ReturnForm(FlaskForm):
    trip = HiddenField(validators=[DataRequired()])
    back_date = DateField(_l("返回日期"), validators=[DataRequired()])
    back_time = TimeField(_l("返回时间"), validators=[DataRequired()])


def _at(day: date | None, moment: time | None) -> datetime | None:
    return datetime.combine(day, moment, tzinfo=TZ) if day and moment else None


def _month() -> tuple[int, int]:
    """?month=YYYY-MM, this month when absent or not a month."""
    parsed = roster_service.parse_month(request.args.get("month") or "")
    today = local_today()
    return parsed or (today.year, today.month)


def _trip_form(township, cadres_list, vehicles) -> TripForm:
    form = TripForm()
    form.vehicle.choices = choices((v.public_id, f"{v.plate} {v.model}".strip())
                                   for v in vehicles if v.active)
    people = [(c.public_id, f"{c.name} · {c.post}") for c in cadres_list]
    form.driver.choices = choices([("", _("其他驾驶员（在下面填写姓名）"))] + people)
    form.passengers.choices = choices(people)
    return form


@bp.route("/t/<code>/cars", methods=["GET", "POST"])
@allow(*RECORD_READERS)
def index(code: str):
    township = township_or_404(code)
    year, month = _month()
    vehicles = cars.list_vehicles(township.id)
    cadres_list = cadre_service.list_cadres(township.id)
    form = _trip_form(township, cadres_list, vehicles)
    status = 200
    if request.method == "GET":
        form.out_date.data = local_today()
    elif not can_edit():
        abort(403)
    elif form.validate_on_submit() and _save_trip(township, form, vehicles, cadres_list):
        return redirect(url_for(".index", code=code), 303)
    else:
        status = 400
        if form.errors:
            flash(_("请检查填写的内容。"), "error")
    data = cars_read.month_cars(township, year, month)
    prev_month, next_month = ("{:04d}-{:02d}".format(*roster_service.shift_month(year, month, d))
                              for d in (-1, 1))
    return render_template("admin/cars.html", township=township, data=data, form=form,
                           vehicle_form=VehicleForm(prefix="v"), return_form=ReturnForm(prefix="r"),
                           action_form=ActionForm(), can_edit=can_edit(), month=f"{year}-{month:02d}",
                           prev_month=prev_month, next_month=next_month), status


def _save_trip(township, form: TripForm, vehicles, cadres_list) -> bool:
    by_vehicle = {v.public_id: v for v in vehicles}
    by_cadre = {c.public_id: c for c in cadres_list}
    vehicle = by_vehicle.get(form.vehicle.data or "")
    if vehicle is None:
        form.vehicle.errors = [_("请选择车辆。")]
        return False
    unknown = [p for p in form.passengers.data or [] if p not in by_cadre]
    if unknown or (form.driver.data and form.driver.data not in by_cadre):
        abort(404)
    back_at = _at(form.back_date.data, form.back_time.data)
    if bool(form.back_date.data) != bool(form.back_time.data):
        form.back_time.errors = [_("返回日期和时间要一起填写；车辆未回可都不填。")]
        return False
    try:
        trip = cars.record_trip(
            user=me(), township=township, vehicle=vehicle, driver=by_cadre.get(form.driver.data or ""),
            driver_name=form.driver_name.data or "",
            passengers=[by_cadre[p] for p in form.passengers.data or []],
            destination=form.destination.data, destination_kind=DestinationKind(form.destination_kind.data),
            purpose=form.purpose.data, out_at=_at(form.out_date.data, form.out_time.data),
            back_at=back_at, note=form.note.data or "")
    except ValidationError as error:
        flash(str(error), "error")
        return False
    flash(_("已登记 %(plate)s 的出车（%(destination)s）。", plate=trip.vehicle.plate,
            destination=trip.destination), "success")
    return True


@bp.post("/t/<code>/cars/vehicles")
@allow(*EDITORS)
def add_vehicle(code: str):
    township = township_or_404(code)
    form = VehicleForm(prefix="v")
    if not form.validate_on_submit():
        flash(_("请填写车牌号。"), "error")
        return redirect(url_for(".index", code=code), 303)
    try:
        vehicle = cars.add_vehicle(user=me(), township=township, plate=form.plate.data,
                                   model=form.model.data or "")
    except ValidationError as error:
        flash(str(error), "error")
    else:
        flash(_("已登记车辆 %(plate)s。", plate=vehicle.plate), "success")
    return redirect(url_for(".index", code=code), 303)


@bp.post("/t/<code>/cars/vehicles/<public_id>/active")
@allow(*EDITORS)
def vehicle_active(code: str, public_id: str):
    township = township_or_404(code)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        vehicle = cars.get_vehicle(township.id, public_id)
    except NotFoundError:
        abort(404)
    active = request.form.get("active") == "1"
    cars.set_vehicle_active(user=me(), vehicle=vehicle, active=active)
    flash(_("%(plate)s 已恢复使用。", plate=vehicle.plate) if active
          else _("%(plate)s 已停用，出车记录保留。", plate=vehicle.plate), "success")
    return redirect(url_for(".index", code=code), 303)


@bp.post("/t/<code>/cars/return")
@allow(*EDITORS)
def record_return(code: str):
    township = township_or_404(code)
    form = ReturnForm(prefix="r")
    if not form.validate_on_submit():
        flash(_("请填写返回日期和时间。"), "error")
        return redirect(url_for(".index", code=code), 303)
    try:
        trip = cars.get_trip(township.id, form.trip.data)
    except NotFoundError:
        abort(404)
    try:
        cars.record_return(user=me(), trip=trip, back_at=_at(form.back_date.data, form.back_time.data))
    except ValidationError as error:
        flash(str(error), "error")
    else:
        flash(_("已登记 %(plate)s 的返回时间。", plate=trip.vehicle.plate), "success")
    return redirect(url_for(".index", code=code), 303)
