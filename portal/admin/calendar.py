"""`/admin/calendar`: the administrators' overrides of the official working calendar.

The State Council announces next year's holidays late in the year, sometimes after the
`chinesecalendar` package was released: an administrator enters them here. Audited.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from portal.access import allow
from portal.admin.dashboard import me
from portal.admin.forms import ActionForm, CalendarOverrideForm
from portal.extensions import db
from portal.models import CalendarOverride, Role
from portal.rules.calendar import OfficialCalendar
from portal.sanitize import clean_text
from portal.services import audit, duty
from portal.services import calendar as service

bp = Blueprint("calendar", __name__)


@bp.route("/calendar", methods=["GET", "POST"])
@allow(Role.COUNTY_ADMIN, Role.SYSADMIN)
def index():
    form = CalendarOverrideForm()
    if form.validate_on_submit():
        day, working = form.day.data, form.is_working.data == "work"
        name = clean_text(form.name.data, 32, multiline=False)
        audit.record("calendar.set", actor=me(), object_type="calendar", object_id=day.isoformat(),
                     detail={"working": working, "name": name})
        duty.calendar_changed()
        service.set_override(day, working, name, by=me())  # commits the audit entry with it
        flash(_("已设置 %(day)s 为%(kind)s。", day=day.isoformat(),
                kind=_("工作日") if working else _("休息日")), "success")
        return redirect(url_for(".index"))
    overrides = list(db.session.scalars(select(CalendarOverride).order_by(CalendarOverride.day.desc())))
    package = OfficialCalendar()
    first, last = package.known_range()
    rows = [(o, package.day(o.day)) for o in overrides]
    return render_template("admin/calendar.html", form=form, rows=rows, action_form=ActionForm(),
                           known_first=first, known_last=last), 400 if form.errors else 200


@bp.post("/calendar/remove")
@allow(Role.COUNTY_ADMIN, Role.SYSADMIN)
def remove():
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        day = date.fromisoformat(request.form.get("day", ""))
    except ValueError:
        abort(400)
    if db.session.get(CalendarOverride, day) is None:
        abort(404)
    audit.record("calendar.remove", actor=me(), object_type="calendar", object_id=day.isoformat())
    duty.calendar_changed()
    service.remove_override(day)
    flash(_("已删除 %(day)s 的设置，恢复为国务院公布的安排。", day=day.isoformat()), "success")
    return redirect(url_for(".index"))
