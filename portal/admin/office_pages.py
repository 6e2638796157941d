"""What the office pages of part B share: which township a page is about, its cadres, who may
write, local today, and the POST-only button form. Used by attendance, visits, notices and the
archive pages.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import wraps

from flask import abort, flash, render_template, request
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice

from portal.models import Cadre, Role, Township
from portal.models.base import utcnow
from portal.rules.calendar import local_date
from portal.services.office import cadres, rule543
from portal.services.shared import scope
from portal.services.shared.errors import NotFoundError

OFFICE_WRITERS = (Role.CLERK, Role.COUNTY_ADMIN, Role.SYSADMIN)
MAX_TOWNSHIP_CHOICES = 300


def current_township() -> tuple[Township | None, list[Township]]:
    """The township a page is about (?township=CODE, or the only one in scope) and the choices."""
    choices = scope.townships_in_scope(current_user, limit=MAX_TOWNSHIP_CHOICES)
    code = request.args.get("township", "") or request.form.get("township", "")
    if code:
        try:
            return scope.scoped_township(current_user, code, active_only=False), choices
        except NotFoundError:
            abort(404)
    return (choices[0] if len(choices) == 1 else None), choices


def for_township(view: Callable) -> Callable:
    """A view about one township: called with it, or the page to pick one (several in scope)."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        township, options = current_township()
        if township is None:
            return render_template("admin/attendance_pick.html", choices=options,
                                   endpoint=request.endpoint)
        return view(township, *args, **kwargs)

    return wrapper


def cadre_in_scope(public_id: str, township: Township | None = None) -> Cadre:
    """A cadre of the user's scope (and of `township` when given), or 404."""
    try:
        return cadres.get_cadre(current_user, public_id,
                                township_id=township.id if township is not None else None)
    except NotFoundError:
        abort(404)


def choices(pairs) -> list[SelectChoice]:
    """Select options from (value, label) pairs (tuples are deprecated in WTForms 3.3)."""
    return [SelectChoice(str(value), label) for value, label in pairs]


def cadre_choices(township: Township, leaders_only: bool = False) -> list[SelectChoice]:
    """(public_id, "name · post") of a township's active cadres, in the roster's order."""
    return choices(cadres.cadre_options(township.id, leaders_only=leaders_only))


def can_write() -> bool:
    return current_user.role in OFFICE_WRITERS


def local_today() -> date:
    return local_date(utcnow())


def parse_week(text: str | None) -> date:
    """The Monday of ?week=YYYY-MM-DD (any day of the week), this week by default."""
    try:
        day = date.fromisoformat(text) if text else local_today()
    except ValueError:
        abort(404)
    return rule543.week_start_of(day)


class ActionForm(FlaskForm):
    """A POST-only button."""


def flash_form_errors(form: FlaskForm) -> None:
    """Each field's errors as a flash message, headed by the field's label."""
    for field_name, messages in form.errors.items():
        label = getattr(form, field_name).label.text if hasattr(form, field_name) else field_name
        flash(f"{label}: {'; '.join(str(m) for m in messages)}", "error")

