"""`/admin/t/<code>/roster`: the month grid of duty shifts, without JavaScript.

Each slot has a select for the duty leader and selects for staff; one save button writes
the month; the page comes back with the coverage gaps in red. Copy, swap and substitute
are small forms below the grid.
"""

from __future__ import annotations

import re
from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from portal.access import ALL_STAFF, allow
from portal.admin.dashboard import EDITORS, can_edit, me, township_or_404
from portal.admin.forms import ActionForm, SubstituteForm, SwapForm, choices
from portal.models import DutyRole, ShiftKind
from portal.models.base import utcnow
from portal.rules.calendar import local_date
from portal.services.office import cadres as cadre_service
from portal.services.office import duty, duty_changes
from portal.services.shared.calendar import official_calendar
from portal.services.shared.errors import NotFoundError, ValidationError

bp = Blueprint("roster", __name__)

MONTH = re.compile(r"^(\d{4})-(\d{2})$")
MAX_STAFF_FIELDS = 6


def _month(value: str | None) -> tuple[int, int]:
    match = MONTH.match(value or "")
    if match and 1 <= int(match.group(2)) <= 12 and 2000 <= int(match.group(1)) <= 2100:
        return int(match.group(1)), int(match.group(2))
    today = local_date(utcnow())
    return today.year, today.month


def _label(month: tuple[int, int]) -> str:
    return f"{month[0]}-{month[1]:02d}"


def _assignment_choices(roster: duty.MonthRoster, names: dict[int, str]) -> list[tuple[str, str]]:
    kinds = {ShiftKind.DAY: _("白班"), ShiftKind.NIGHT: _("夜班")}
    roles = {DutyRole.LEADER: _("带班"), DutyRole.STAFF: _("值班")}
    return [(str(a.id), f"{cell.day.strftime('%m-%d')} {kinds[cell.kind]} {roles[a.role]} "
                        f"{names.get(a.cadre_id, '?')}")
            for cell, a in duty.assignments_of_month(roster)]


@bp.get("/t/<code>/roster")
@allow(*ALL_STAFF)
def index(code: str):
    township = township_or_404(code)
    year, month = _month(request.args.get("month"))
    roster = duty.month_roster(township.id, year, month)
    cadres = cadre_service.list_cadres(township.id, include_inactive=True)
    names = {c.id: c.name for c in cadres}
    active = [c for c in cadres if c.active]
    picks = _assignment_choices(roster, names)
    swap_form, sub_form = SwapForm(), SubstituteForm()
    swap_form.first.choices = choices(picks)
    swap_form.second.choices = choices(picks)
    sub_form.assignment.choices = choices(picks)
    sub_form.cadre.choices = choices((str(c.id), f"{c.name} · {c.post}") for c in active)
    return render_template(
        "admin/roster.html", township=township, roster=roster, names=names,
        leaders=[c for c in active if c.is_leader], staff=active, can_edit=can_edit(),
        month=_label((year, month)), prev=_label(duty.previous_month(year, month)),
        next=_label((year + 1, 1) if month == 12 else (year, month + 1)),
        form=ActionForm(), swap_form=swap_form, sub_form=sub_form, ShiftKind=ShiftKind,
        adjustments_pending=not official_calendar().adjustments_published(year),
        absent_count=sum(1 for g in roster.gaps if g.absent),
    )


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _slots_from_form(year: int, month: int) -> dict:
    """Read `l-<date>-<kind>` and `s<i>-<date>-<kind>` fields of the slots the page showed."""
    start, end = duty.month_span(year, month)
    slots = {}
    for key in request.form:
        if not key.startswith("l-"):
            continue
        day_text, _sep, kind_text = key[2:].rpartition("-")
        try:
            day, kind = date.fromisoformat(day_text), ShiftKind(kind_text)
        except ValueError:
            abort(400)
        if not start <= day <= end:
            abort(400)
        suffix = key[2:]
        staff = []
        for i in range(1, MAX_STAFF_FIELDS + 1):
            sid = _int(request.form.get(f"s{i}-{suffix}"))
            if sid is not None and sid not in staff:
                staff.append(sid)
        slots[(day, kind)] = duty.Staffing(_int(request.form.get(key)), tuple(staff))
    return slots


@bp.post("/t/<code>/roster")
@allow(*EDITORS)
def save(code: str):
    township = township_or_404(code)
    if not ActionForm().validate_on_submit():
        abort(400)
    year, month = _month(request.form.get("month"))
    try:
        changed = duty.save_month(user=me(), township=township, year=year, month=month,
                                  slots=_slots_from_form(year, month))
    except ValidationError as error:
        flash(str(error), "error")
    else:
        flash(_("已保存，改动了 %(n)s 个班次。", n=changed), "success")
    return redirect(url_for(".index", code=code, month=_label((year, month))))


@bp.post("/t/<code>/roster/copy")
@allow(*EDITORS)
def copy(code: str):
    township = township_or_404(code)
    if not ActionForm().validate_on_submit():
        abort(400)
    year, month = _month(request.form.get("month"))
    try:
        filled = duty.copy_previous_month(user=me(), township=township, year=year, month=month)
    except ValidationError as error:
        flash(str(error), "error")
    else:
        flash(_("已按上月同一星期几的安排填入 %(n)s 个空班次；已排的班次未改动。", n=filled), "success")
    return redirect(url_for(".index", code=code, month=_label((year, month))))


def _assignment(township_id: int, value: str | None):
    try:
        return duty_changes.get_assignment(township_id, _int(value) or 0)
    except NotFoundError:
        abort(404)


@bp.post("/t/<code>/roster/swap")
@allow(*EDITORS)
def swap(code: str):
    township = township_or_404(code)
    form = SwapForm()
    if not form.validate_on_submit():
        abort(400)
    first, second = _assignment(township.id, form.first.data), _assignment(township.id, form.second.data)
    month = _label((first.shift.day.year, first.shift.day.month))
    try:
        duty_changes.swap(user=me(), township=township, first=first, second=second)
    except ValidationError as error:
        flash(str(error), "error")
    else:
        flash(_("已对调，并记录了替换关系。"), "success")
    return redirect(url_for(".index", code=code, month=month))


@bp.post("/t/<code>/roster/substitute")
@allow(*EDITORS)
def substitute(code: str):
    township = township_or_404(code)
    form = SubstituteForm()
    if not form.validate_on_submit():
        abort(400)
    assignment = _assignment(township.id, form.assignment.data)
    month = _label((assignment.shift.day.year, assignment.shift.day.month))
    try:
        duty_changes.substitute(user=me(), township=township, assignment=assignment,
                        cadre_id=_int(form.cadre.data) or 0, note=form.note.data or "")
    except ValidationError as error:
        flash(str(error), "error")
    else:
        flash(_("已记录替班。"), "success")
    return redirect(url_for(".index", code=code, month=month))
