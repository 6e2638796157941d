"""`/admin/t/<code>/board`: the whereabouts board. A morning's update in a few clicks.

One bulk form sets everyone at the office, with checkboxes for the exceptions; each row has
status buttons (one click, with the span chosen beside them); a cadre's page takes any span,
a substitute for 请假, and shows the history.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal.access import ALL_STAFF, allow
from portal.admin.dashboard import EDITORS, can_edit, me, township_or_404
from portal.admin.forms import ActionForm, StatusForm, choices
from portal.models import Cadre, Status, Township, labels
from portal.models.base import utcnow
from portal.rules.calendar import TZ, local_date
from portal.services.office import board as board_service
from portal.services.office import cadres as cadre_service
from portal.services.office import whereabouts as service
from portal.services.shared.errors import NotFoundError, ValidationError

bp = Blueprint("board", __name__)

# The span choices beside the status buttons.
SPANS = {
    "today": _l("到今天下班"),
    "noon": _l("到中午"),
    "tomorrow": _l("到明天下班"),
    "open": _l("直到下次更新"),
}
QUICK_STATUSES = (Status.AT_OFFICE, Status.VILLAGE, Status.MEETING, Status.TRIP, Status.DUTY, Status.OFF)


def span_end(choice: str, now: datetime) -> datetime | None:
    """The end of a quick update's span; past the office day, 'today' runs to midnight."""
    today = local_date(now)
    end_of_office = service.local_dt(today, service.DEFAULT_OFFICE_END)
    midnight = service.local_dt(today + timedelta(days=1), time(0))
    if choice == "open":
        return None
    if choice == "noon" and now < service.local_dt(today, time(12)):
        return service.local_dt(today, time(12))
    if choice == "tomorrow":
        return service.local_dt(today + timedelta(days=1), service.DEFAULT_OFFICE_END)
    return end_of_office if now < end_of_office else midnight


def _cadre_or_404(township: Township, public_id: str) -> Cadre:
    try:
        cadre = cadre_service.get_cadre(me(), public_id)
    except NotFoundError:
        abort(404)
    if cadre.township_id != township.id or not cadre.active:
        abort(404)
    return cadre


@bp.get("/t/<code>/board")
@allow(*ALL_STAFF)
def index(code: str):
    township = township_or_404(code)
    now = utcnow()
    rows = service.board_rows(township.id, now)
    # What the public board shows for each cadre at this moment: the same rule, the same words.
    public = board_service.load(township.code, now)
    shown = {r.person.public_id: r.now for r in public.rows} if public else {}
    return render_template(
        "admin/board.html", township=township, rows=rows, can_edit=can_edit(), spans=SPANS,
        quick=QUICK_STATUSES, labels=labels.BOARD_STATUS, form=ActionForm(), now=now,
        stale=sum(1 for r in rows if r.stale), tz=TZ, shown=shown, board=public,
        chiefs_both_away=service.chiefs_both_away(township.id, now),
    )


@bp.post("/t/<code>/board/bulk")
@allow(*EDITORS)
def bulk(code: str):
    township = township_or_404(code)
    if not ActionForm().validate_on_submit():
        abort(400)
    now = utcnow()
    ids = {c.public_id: c.id for c in cadre_service.list_cadres(township.id)}
    excepted = [ids[p] for p in request.form.getlist("except") if p in ids]
    ends_at = span_end(request.form.get("span", "today"), now) or span_end("today", now)
    try:
        result = service.everyone_at_office(user=me(), township=township, except_ids=excepted,
                                            starts_at=now, ends_at=ends_at)
    except ValidationError as error:
        flash(str(error), "error")
    else:
        flash(_("已将 %(n)s 人设为在岗，至 %(until)s。", n=result.updated,
                until=ends_at.astimezone(TZ).strftime("%H:%M")), "success")
        if result.skipped_on_leave:
            flash(_("请假中，未改动：%(names)s", names="、".join(result.skipped_on_leave)), "info")
    return redirect(url_for(".index", code=code))


@bp.post("/t/<code>/board/set")
@allow(*EDITORS)
def quick_set(code: str):
    township = township_or_404(code)
    if not ActionForm().validate_on_submit():
        abort(400)
    cadre = _cadre_or_404(township, request.form.get("cadre", ""))
    try:
        status = Status(request.form.get("status", ""))
    except ValueError:
        abort(400)
    now = utcnow()
    change = service.StatusChange(status, now, span_end(request.form.get("span", "today"), now),
                                  village=request.form.get("village", ""))
    try:
        service.set_status(user=me(), cadre=cadre, change=change)
    except ValidationError as error:
        flash(_("%(name)s：%(error)s", name=cadre.name, error=error), "error")
    else:
        flash(_("%(name)s：%(status)s", name=cadre.name, status=labels.BOARD_STATUS[status]), "success")
    return redirect(url_for(".index", code=code) + f"#c-{cadre.public_id}")


def _combine(day, at_time) -> datetime:
    return datetime.combine(day, at_time, tzinfo=TZ)


@bp.route("/t/<code>/board/<cadre>", methods=["GET", "POST"])
@allow(*ALL_STAFF)
def cadre_page(code: str, cadre: str):
    township = township_or_404(code)
    person = _cadre_or_404(township, cadre)
    form = StatusForm()
    others = [c for c in cadre_service.list_cadres(township.id) if c.id != person.id]
    form.substitute.choices = choices([("", _("无"))] + [(c.public_id, f"{c.name} · {c.post}")
                                                       for c in others])
    if request.method == "GET":
        now = utcnow().astimezone(TZ)
        form.starts_on.data, form.starts_time.data = now.date(), now.time().replace(second=0, microsecond=0)
        form.ends_on.data, form.ends_time.data = now.date(), service.DEFAULT_OFFICE_END
    if request.method == "POST":
        if not can_edit():
            abort(403)
        if form.validate_on_submit():
            response = _save(township, person, form, others)
            if response is not None:
                return response
    return render_template("admin/board_cadre.html", township=township, cadre=person, form=form,
                           history=service.history(person.id), labels=labels.BOARD_STATUS,
                           can_edit=can_edit(), tz=TZ)


def _save(township: Township, person: Cadre, form: StatusForm, others: list[Cadre]):
    if bool(form.ends_on.data) != bool(form.ends_time.data):
        form.ends_time.errors = [_("结束日期和时间要么都填，要么都不填。")]
        return None
    substitute = {c.public_id: c.id for c in others}.get(form.substitute.data or "")
    change = service.StatusChange(
        Status(form.status.data), _combine(form.starts_on.data, form.starts_time.data),
        _combine(form.ends_on.data, form.ends_time.data) if form.ends_on.data else None,
        village=form.village.data or "", note=form.note.data or "", substitute_id=substitute,
    )
    try:
        service.set_status(user=me(), cadre=person, change=change)
    except ValidationError as error:
        flash(str(error), "error")
        return None
    flash(_("%(name)s：%(status)s", name=person.name, status=labels.BOARD_STATUS[change.status]),
          "success")
    return redirect(url_for(".index", code=township.code))
