"""`/admin/calendar`: the official working calendar, as administrators keep it.

Each year's statutory holidays are computed; the State Council's 调休 (make-up working days)
are not. An administrator pastes the State Council's notice of a year's holidays, checks the
preview of what was read, and confirms it; single days can still be overridden. Audited.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal.access import allow
from portal.admin.dashboard import me
from portal.admin.forms import ActionForm, CalendarOverrideForm, HolidayNoticeForm
from portal.models import Role
from portal.models.base import utcnow
from portal.rules.calendar import OfficialCalendar, local_date
from portal.rules.holiday_notice import NoticeError, NoticeWarning, parse_notice
from portal.sanitize import clean_text
from portal.services.office import calendar_days
from portal.services.shared import calendar as service
from portal.services.shared.errors import NotFoundError

bp = Blueprint("calendar", __name__)

NOTICE_ERRORS = {
    "no_year": _l("没有找到通知的年份。请粘贴通知全文，包括标题“国务院办公厅关于××××年部分节假日安排的通知”。"),  # noqa: E501
    "no_sections": _l("没有找到“一、元旦：……”这样的分项安排。请粘贴通知正文。"),
    "no_days": _l("通知中没有读到放假或上班的日期。"),
}
NOTICE_WARNINGS = {
    "weekday": _l("%(subject)s：星期与日期不符。"),
    "count": _l("%(subject)s：放假天数与通知所写“共×天”不符。"),
    "makeup_weekday": _l("%(subject)s：调休上班日不是周六或周日。"),
    "unknown_name": _l("“%(subject)s”不是法定节假日的名称。"),
    "conflict": _l("%(subject)s：既是放假日又是上班日，以先出现的为准。"),
    "bad_date": _l("%(subject)s：没有这一天，已略过。"),
    "missing": _l("法定节假日 %(subject)s 不在通知的放假日期中。"),
}


def _warning_text(warning: NoticeWarning) -> str:
    return str(NOTICE_WARNINGS[warning.code]) % {"subject": warning.subject}


def _page(notice_form: HolidayNoticeForm | None = None, form: CalendarOverrideForm | None = None,
          status: int = 200):
    page = calendar_days.calendar_page()
    package = OfficialCalendar()
    first, last = package.known_range()
    this_year = local_date(utcnow()).year
    years = sorted({this_year, this_year + 1, *page.confirmed_years})
    return render_template(
        "admin/calendar.html", form=form or CalendarOverrideForm(formdata=None),
        notice_form=notice_form or HolidayNoticeForm(formdata=None), action_form=ActionForm(),
        rows=[(o, package.day(o.day)) for o in page.overrides], years=service.year_statuses(years),
        known_first=first, known_last=last), status


@bp.route("/calendar", methods=["GET", "POST"])
@allow(Role.COUNTY_ADMIN, Role.SYSADMIN)
def index():
    form = CalendarOverrideForm()
    if form.validate_on_submit():
        day, working = form.day.data, form.is_working.data == "work"
        name = clean_text(form.name.data, 32, multiline=False)
        calendar_days.set_day(user=me(), day=day, working=working, name=name)
        flash(_("已设置 %(day)s 为%(kind)s。", day=day.isoformat(),
                kind=_("工作日") if working else _("休息日")), "success")
        return redirect(url_for(".index"))
    return _page(form=form, status=400 if form.errors else 200)


def _parsed_or_page(form: HolidayNoticeForm):
    """The notice the form carries, or the calendar page again with the text and a message."""
    if not form.validate_on_submit():
        return None, _page(notice_form=form, status=400)
    try:
        return parse_notice(form.notice.data), None
    except NoticeError as error:
        form.notice.errors = [str(NOTICE_ERRORS[error.code])]
        return None, _page(notice_form=form, status=400)


@bp.post("/calendar/notice")
@allow(Role.COUNTY_ADMIN, Role.SYSADMIN)
def notice_preview():
    form = HolidayNoticeForm()
    parsed, page = _parsed_or_page(form)
    if parsed is None:
        return page
    current = service.year_statuses([parsed.year])[0]
    return render_template("admin/calendar_notice.html", parsed=parsed, form=form, current=current,
                           warnings=[_warning_text(w) for w in parsed.warnings])


@bp.post("/calendar/notice/confirm")
@allow(Role.COUNTY_ADMIN, Role.SYSADMIN)
def notice_confirm():
    form = HolidayNoticeForm()
    parsed, page = _parsed_or_page(form)
    if parsed is None:
        return page
    service.confirm_schedule(parsed, form.notice.data, by=me())
    flash(_("已确认 %(year)s 年的节假日安排：放假 %(holidays)s 天，调休上班 %(makeup)s 天。",
            year=parsed.year, holidays=len(parsed.holidays), makeup=len(parsed.makeup_days)), "success")
    return redirect(url_for(".index"))


@bp.post("/calendar/remove")
@allow(Role.COUNTY_ADMIN, Role.SYSADMIN)
def remove():
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        day = date.fromisoformat(request.form.get("day", ""))
    except ValueError:
        abort(400)
    try:
        calendar_days.restore_day(user=me(), day=day)
    except NotFoundError:
        abort(404)
    flash(_("已删除 %(day)s 的设置，恢复为国务院公布的安排。", day=day.isoformat()), "success")
    return redirect(url_for(".index"))
