"""`/admin/supervision`: the appointed public supervisor's side (作风建设监督员).

A supervisor watches the boards and rosters of the townships they are appointed to, with the
staff-only details (whereabouts history, coverage gaps, leave); files NAMED reports that the
queue marks as from a supervisor (source supervisor, filed_by the supervisor); records spot
checks; and follows what they filed, never anybody else's reports.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms import DateTimeLocalField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from portal.access import allow
from portal.admin.dashboard import township_or_404
from portal.extensions import db
from portal.models import Cadre, Category, Leave, Report, Role, Source, Whereabouts, labels
from portal.models.base import utcnow
from portal.rules.calendar import TZ, local_date
from portal.services.casework import tracking
from portal.services.casework.reports import create_report, reporter_reply
from portal.services.office.roster import month_roster
from portal.services.oversight import board_at
from portal.services.shared.errors import ServiceError, ValidationError
from portal.services.shared.scope import townships_in_scope

bp = Blueprint("supervision", __name__, url_prefix="/supervision")

HISTORY_DAYS = 7
# An entry typed in more than this long after the time it claims is flagged as backfilled.
BACKFILL_GRACE = timedelta(hours=1)


class NamedReportForm(FlaskForm):
    """The report form's contract names: township, cadre, category, observed_at, place, ..."""

    township = SelectField(_l("乡镇"), validators=[DataRequired()])
    cadre = SelectField(_l("干部（可不选）"), validators=[Optional()])
    category = SelectField(_l("问题类型"), validators=[DataRequired()],
                           choices=[SelectChoice(c.value, label)
                                    for c, label in labels.CATEGORY.items()])
    observed_at = DateTimeLocalField(_l("发现时间"), format="%Y-%m-%dT%H:%M",
                                     validators=[Optional()])
    place = StringField(_l("地点"), validators=[Optional(), Length(max=200)])
    description = TextAreaField(_l("情况说明"), validators=[DataRequired(), Length(max=2000)])
    contact = StringField(_l("您的联系方式"), validators=[DataRequired(), Length(max=128)])


class ActionForm(FlaskForm):
    """A POST button: just the CSRF token."""


def _me():
    return current_user._get_current_object()


def my_reports():
    """A SELECT of the reports this user filed: the only ones a supervisor may see."""
    return select(Report).where(Report.filed_by_id == _me().id)


@bp.get("/")
@allow(Role.SUPERVISOR)
def index():
    reports = list(db.session.scalars(
        my_reports().options(selectinload(Report.township))
        .order_by(Report.submitted_at.desc(), Report.id.desc()).limit(200)
    ))
    return render_template(
        "admin/supervision.html", townships=townships_in_scope(_me()), reports=reports,
        statuses={s: words[0] for s, words in tracking.STATUS_WORDS.items()},
        categories=labels.CATEGORY, sources={Source.SPOT_CHECK: _l("明察暗访"),
                                             Source.SUPERVISOR: _l("监督员实名举报")},
    )


def _history(township_id: int, since: datetime) -> list[Whereabouts]:
    return list(db.session.scalars(
        select(Whereabouts).where(Whereabouts.township_id == township_id,
                                  Whereabouts.starts_at >= since)
        .options(selectinload(Whereabouts.cadre))
        .order_by(Whereabouts.starts_at.desc(), Whereabouts.id.desc()).limit(300)
    ))


@bp.get("/t/<code>")
@allow(Role.SUPERVISOR)
def township(code: str):
    place = township_or_404(code)
    now = utcnow()
    today = local_date(now)
    cadres = list(db.session.scalars(
        select(Cadre).where(Cadre.township_id == place.id, Cadre.active.is_(True))
        .order_by(Cadre.sort_order, Cadre.id)
    ))
    said = board_at.township_at(place.id, now, cadre_ids=[c.id for c in cadres])
    roster = month_roster(place, today.year, today.month)
    leave = list(db.session.scalars(
        select(Leave).where(Leave.township_id == place.id, Leave.cancelled.is_(False),
                            Leave.end_date >= today - timedelta(days=HISTORY_DAYS))
        .options(selectinload(Leave.cadre)).order_by(Leave.start_date, Leave.id)
    ))
    history = _history(place.id, now - timedelta(days=HISTORY_DAYS))
    return render_template(
        "admin/supervision_township.html", township=place, cadres=cadres, said=said,
        gaps=[g for g in roster.gaps if g.date <= today + timedelta(days=7)],
        coverage=roster.coverage_ratio, leave=leave, history=history,
        backfilled={e.id for e in history if e.recorded_at - e.starts_at > BACKFILL_GRACE},
        statuses=labels.BOARD_STATUS, kinds=labels.LEAVE_KIND, today=today, days=HISTORY_DAYS,
    )


def _cadre_choices(townships) -> list[SelectChoice]:
    """Every active cadre of the townships, grouped by township (works without JavaScript)."""
    cadres = db.session.scalars(
        select(Cadre).where(Cadre.township_id.in_([t.id for t in townships]),
                            Cadre.active.is_(True))
        .order_by(Cadre.township_id, Cadre.sort_order, Cadre.id)
    ).all()
    names = {t.id: t.name for t in townships}
    return [SelectChoice("", _("不指定"))] + [
        SelectChoice(c.public_id, f"{c.name} · {c.post}", optgroup=names[c.township_id])
        for c in cadres
    ]


def _file(form: NamedReportForm, townships) -> Report | None:
    place = next((t for t in townships if t.code == form.township.data), None)
    if place is None:
        abort(404)
    cadre = None
    if form.cadre.data:
        cadre = db.session.scalar(select(Cadre).where(Cadre.public_id == form.cadre.data))
    observed = form.observed_at.data.replace(tzinfo=TZ) if form.observed_at.data else None
    me = _me()
    try:
        report, _receipt = create_report(
            township=place, category=Category(form.category.data),
            description=form.description.data, cadre=cadre, observed_at=observed,
            place=form.place.data or "", named=True,
            reporter_name=me.display_name or me.username, reporter_contact=form.contact.data,
            source=Source.SUPERVISOR, filed_by=me,
        )
    except ValidationError as error:
        flash(str(error), "error")
        return None
    return report


@bp.route("/report", methods=["GET", "POST"])
@allow(Role.SUPERVISOR)
def new_report():
    townships = townships_in_scope(_me())
    form = NamedReportForm()
    form.township.choices = [SelectChoice(t.code, t.name) for t in townships]
    form.cadre.choices = _cadre_choices(townships)
    if request.method == "GET" and request.args.get("township"):
        form.township.data = request.args["township"]
    if form.validate_on_submit():
        report = _file(form, townships)
        if report is not None:
            flash(_("举报已提交，进入受理队列。您可以在这里查看办理进度。"), "success")
            return redirect(url_for(".report", public_id=report.public_id))
    return render_template("admin/supervision_report_new.html", form=form)


def _mine_or_404(public_id: str) -> Report:
    report = db.session.scalar(my_reports().where(Report.public_id == public_id))
    if report is None:
        abort(404)
    return report


@bp.get("/reports/<public_id>")
@allow(Role.SUPERVISOR)
def report(public_id: str):
    mine = _mine_or_404(public_id)
    return render_template("admin/supervision_report.html", report=mine,
                           view=tracking.public_view(mine), categories=labels.CATEGORY,
                           reply=ActionForm())


@bp.post("/reports/<public_id>/reply")
@allow(Role.SUPERVISOR)
def reply(public_id: str):
    mine = _mine_or_404(public_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    body = request.form.get("body", "").strip()
    if not body:
        flash(_("请填写回复内容。"), "error")
    else:
        try:
            reporter_reply(report=mine, body=body[:2000])
        except ServiceError as error:
            flash(str(error), "error")
        else:
            flash(_("已回复。"), "success")
    return redirect(url_for(".report", public_id=public_id))
