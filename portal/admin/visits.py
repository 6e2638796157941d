"""Village visits with their villager confirmation link and QR code, field diaries and 四夜 work.

The confirmation token is shown only to the person who made it: it is kept in their session
(never in the database, where only its hash is) until the visit is confirmed or the link
expires, so the page can show the QR code again while they walk to the village.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from portal import links
from portal.access import ALL_STAFF, allow
from portal.admin.office_pages import (
    OFFICE_WRITERS,
    ActionForm,
    cadre_choices,
    cadre_in_scope,
    can_write,
    choices,
    for_township,
    local_today,
)
from portal.models import DiaryKind, Township, VillageVisit, labels
from portal.models.base import utcnow
from portal.rules.calendar import TZ
from portal.services.office import visits
from portal.services.shared.errors import NotFoundError, ValidationError

bp = Blueprint("visits", __name__, url_prefix="/visits")

SESSION_KEY = "visit_tokens"
MAX_SESSION_TOKENS = 6
EVENING_LABELS = {kind: text for kind, text in labels.DIARY_KIND.items() if kind != DiaryKind.VISIT}
STATE_LABELS = {"confirmed": _l("已确认"), "pending": _l("待群众确认"), "expired": _l("链接已过期，未确认")}


class VisitForm(FlaskForm):
    cadre = SelectField(_l("干部"), validators=[DataRequired()])
    village = StringField(_l("村（社区）"), validators=[DataRequired(), Length(max=visits.MAX_VILLAGE)])
    day = DateField(_l("日期"), validators=[DataRequired()])
    purpose = StringField(_l("事由"), validators=[Optional(), Length(max=visits.MAX_PURPOSE)])
    diary = TextAreaField(_l("民情日记"), validators=[Optional(), Length(max=visits.MAX_DIARY)])


class DiaryForm(FlaskForm):
    text = TextAreaField(_l("民情日记"), validators=[DataRequired(), Length(max=visits.MAX_DIARY)])


class EveningForm(FlaskForm):
    cadre = SelectField(_l("干部"), validators=[DataRequired()])
    kind = SelectField(_l("类型"), choices=choices((k.value, v) for k, v in EVENING_LABELS.items()))
    day = DateField(_l("日期（当晚）"), validators=[DataRequired()])
    at_township = BooleanField(_l("在乡镇"), default=True)
    text = TextAreaField(_l("内容"), validators=[DataRequired(), Length(max=visits.MAX_DIARY)])


def _token_hours() -> int:
    return int(current_app.config.get("VISIT_TOKEN_HOURS", visits.DEFAULT_TOKEN_HOURS))


def _remember(visit: VillageVisit, issued: visits.IssuedToken) -> None:
    tokens = dict(session.get(SESSION_KEY, {}))
    tokens.pop(visit.public_id, None)
    tokens[visit.public_id] = issued.token
    session[SESSION_KEY] = dict(list(tokens.items())[-MAX_SESSION_TOKENS:])


def _visit_in_scope(public_id: str) -> VillageVisit:
    try:
        return visits.visit_in_scope(user=current_user, public_id=public_id)
    except NotFoundError:
        abort(404)


def _month(text: str | None) -> tuple[date, date, str]:
    today = local_today()
    try:
        first = date.fromisoformat(f"{text}-01") if text else today.replace(day=1)
    except ValueError:
        abort(404)
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return first, following, first.strftime("%Y-%m")


def _shift_month(first: date, delta: int) -> str:
    index = first.year * 12 + first.month - 1 + delta
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


@bp.get("/")
@allow(*ALL_STAFF)
@for_township
def index(township: Township):
    first, following, month = _month(request.args.get("month"))
    rows = visits.visits_between(township_id=township.id, first=first, following=following)
    now = utcnow()
    return render_template(
        "admin/visits.html", township=township, visits=rows, month=month,
        prev_month=_shift_month(first, -1), next_month=_shift_month(first, 1),
        states={v.id: visits.visit_state(v, now) for v in rows}, state_labels=STATE_LABELS,
        can_write=can_write(),
    )


@bp.route("/new", methods=["GET", "POST"])
@allow(*OFFICE_WRITERS)
@for_township
def new(township: Township):
    form = VisitForm()
    form.cadre.choices = cadre_choices(township)
    if request.method == "GET":
        form.day.data = local_today()
    if form.validate_on_submit():
        cadre = cadre_in_scope(form.cadre.data, township)
        try:
            visit, issued = visits.record_visit(
                cadre=cadre, village=form.village.data, day=form.day.data,
                purpose=form.purpose.data or "", diary=form.diary.data or "", actor=current_user,
                today=local_today(), hours=_token_hours())
        except ValidationError as error:
            flash(str(error), "error")
        else:
            _remember(visit, issued)
            flash(_("已记录入村。请把确认链接或二维码交给村民确认。"), "success")
            return redirect(url_for("admin.visits.show", public_id=visit.public_id))
    return render_template("admin/visits_new.html", township=township, form=form)


def _qr_data_uri(url: str) -> str:
    import segno  # loaded by the workers that draw a code, not by every one

    return segno.make(url, error="m").svg_data_uri(scale=5, dark="#000", light="#fff")


@bp.get("/<public_id>")
@allow(*ALL_STAFF)
def show(public_id: str):
    visit = _visit_in_scope(public_id)
    state = visits.visit_state(visit)
    token = session.get(SESSION_KEY, {}).get(visit.public_id) if state == "pending" else None
    link = links.absolute("visit.confirm", token=token) if token else None
    diaries = visits.diaries_of_visits([visit.id])[visit.id]
    return render_template(
        "admin/visits_show.html", visit=visit, township=visits.township_of(visit),
        state=state, state_label=STATE_LABELS[state], link=link,
        qr=_qr_data_uri(link) if link else None, diaries=diaries, diary_form=DiaryForm(formdata=None),
        action_form=ActionForm(), can_write=can_write(), tz=TZ,
    )


@bp.post("/<public_id>/token")
@allow(*OFFICE_WRITERS)
def renew(public_id: str):
    visit = _visit_in_scope(public_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        issued = visits.renew_token(visit=visit, hours=_token_hours())
    except ValidationError as error:
        flash(str(error), "error")
    else:
        _remember(visit, issued)
        flash(_("已生成新的确认链接，旧链接作废。"), "success")
    return redirect(url_for("admin.visits.show", public_id=visit.public_id))


@bp.post("/<public_id>/diary")
@allow(*OFFICE_WRITERS)
def add_diary(public_id: str):
    visit = _visit_in_scope(public_id)
    form = DiaryForm()
    if form.validate_on_submit():
        try:
            visits.add_diary(cadre=visit.cadre, day=visit.day, kind=DiaryKind.VISIT,
                             text=form.text.data, at_township=False, today=local_today(),
                             visit=visit)
        except ValidationError as error:
            flash(str(error), "error")
        else:
            flash(_("已保存民情日记。"), "success")
    else:
        flash(_("请填写日记内容。"), "error")
    return redirect(url_for("admin.visits.show", public_id=visit.public_id))


@bp.route("/evening", methods=["GET", "POST"])
@allow(*ALL_STAFF)
@for_township
def evening(township: Township):
    form = EveningForm()
    form.cadre.choices = cadre_choices(township, leaders_only=True)
    if request.method == "POST":
        if not can_write():
            abort(403)
        if form.validate_on_submit():
            cadre = cadre_in_scope(form.cadre.data, township)
            try:
                visits.add_diary(cadre=cadre, day=form.day.data, kind=DiaryKind(form.kind.data),
                                 text=form.text.data, at_township=form.at_township.data,
                                 today=local_today())
            except ValidationError as error:
                flash(str(error), "error")
            else:
                flash(_("已记录四夜工作。"), "success")
                return redirect(url_for("admin.visits.evening", township=township.code))
    elif not form.day.data:
        form.day.data = local_today()
    first, following, month = _month(request.args.get("month"))
    entries = visits.diaries_between(township_id=township.id, kinds=EVENING_LABELS, first=first,
                                     following=following)
    return render_template(
        "admin/visits_evening.html", township=township, form=form, entries=entries, month=month,
        prev_month=_shift_month(first, -1), next_month=_shift_month(first, 1),
        labels=EVENING_LABELS, can_write=can_write(),
    )
