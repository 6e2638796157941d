"""Monthly notices on the office side: preview a month's figures and publish them."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectField

from portal.access import ALL_STAFF, allow
from portal.admin.office_pages import (
    OFFICE_WRITERS,
    can_write,
    choices,
    current_township,
    for_township,
    local_today,
)
from portal.models import Township
from portal.rules.calendar import TZ
from portal.services.office import notices
from portal.services.shared.errors import ServiceError

bp = Blueprint("notices", __name__, url_prefix="/notices")
RECENT_MONTHS = 12


class PublishForm(FlaskForm):
    month = SelectField(_l("月份"))


def _recent_months(today: date) -> list[str]:
    """The last complete months, newest first."""
    index = today.year * 12 + today.month - 1
    return [f"{(index - i) // 12:04d}-{(index - i) % 12 + 1:02d}" for i in range(1, RECENT_MONTHS + 1)]


@bp.get("/")
@allow(*ALL_STAFF)
@for_township
def index(township: Township):
    months = _recent_months(local_today())
    month = request.args.get("month") or months[0]
    if month not in months and not notices.latest(township.id, month):
        abort(404)
    form = PublishForm(formdata=None, month=month)
    form.month.choices = choices((m, m) for m in months)
    preview = notices.compute(township, month)
    previous = notices.latest(township.id, month)
    changes = notices.diff(notices.content_of(previous), preview) if previous else None
    return render_template(
        "admin/notices.html", township=township, form=form, month=month, preview=preview,
        previous=previous, changes=changes, published=notices.months(township.id),
        labels=notices.FIELD_LABELS, can_write=can_write(), tz=TZ,
    )


@bp.post("/publish")
@allow(*OFFICE_WRITERS)
def publish():
    township, _choices = current_township()
    if township is None:
        abort(404)
    form = PublishForm()
    form.month.choices = choices((m, m) for m in _recent_months(local_today()))
    if not form.validate_on_submit():
        flash(_("请选择要公示的月份。"), "error")
        return redirect(url_for("admin.notices.index", township=township.code))
    try:
        result = notices.publish(township=township, month=form.month.data, actor=current_user,
                                 today=local_today())
    except ServiceError as error:
        flash(str(error), "error")
        return redirect(url_for("admin.notices.index", township=township.code, month=form.month.data))
    if result.created:
        flash(_("已发布 %(month)s 公示第 %(v)s 版。", month=result.notice.month,
                v=result.notice.version), "success")
    else:
        flash(_("数据没有变化，第 %(v)s 版仍然有效，未重新发布。", v=result.notice.version), "info")
    return redirect(url_for("admin.notices.index", township=township.code, month=form.month.data))
