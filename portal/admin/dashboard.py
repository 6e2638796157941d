"""`/admin/`: the staff home. What the user may do, in their scope, and what needs doing today.

Also the small helpers the office views share: who may edit, the township in scope or 404.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from portal.access import ALL_STAFF, allow
from portal.models import Role, Township, User
from portal.models.base import utcnow
from portal.rules.calendar import local_date
from portal.services.office import dashboard
from portal.services.shared import calendar as calendar_service
from portal.services.shared import scope
from portal.services.shared.errors import NotFoundError

bp = Blueprint("dashboard", __name__)

# Who may change the township office's records; everyone else on staff may read boards.
EDITORS = (Role.CLERK, Role.COUNTY_ADMIN, Role.SYSADMIN)
# Who may read the roster of names with staff-only fields (personal phones, leave reasons).
RECORD_READERS = (Role.CLERK, Role.INSPECTOR, Role.COUNTY_ADMIN, Role.SYSADMIN)

# The staff navigation: every area's entry page, shown when it exists and admits the user.
GENERAL_LINKS = [
    ("admin.dashboard.index", _l("工作台")), ("review.queue", _l("举报受理")),
    ("admin.spotchecks.index", _l("明察暗访")), ("admin.supervision.index", _l("监督")),
    ("admin.townships.index", _l("乡镇")), ("admin.users.index", _l("账号")),
    ("admin.stats_export.index", _l("统计")), ("admin.calendar.index", _l("工作日历")),
]
# A township's pages: (endpoint, name of the township parameter, label).
TOWNSHIP_LINKS = [
    ("admin.board.index", "code", _l("去向")), ("admin.roster.index", "code", _l("值班")),
    ("admin.cadres.index", "code", _l("干部")), ("admin.leave.index", "code", _l("请假")),
    ("admin.attendance.index", "township", _l("签到")), ("admin.visits.index", "township", _l("入村")),
    ("admin.notices.index", "township", _l("公示")), ("admin.archive.index", "township", _l("档案")),
    ("admin.cars.index", "code", _l("公车")),
]


def me() -> User:
    return current_user._get_current_object()


def can_edit() -> bool:
    return current_user.role in EDITORS


def township_or_404(code: str) -> Township:
    """The township in the current user's scope, or 404 (as if it did not exist)."""
    try:
        return scope.scoped_township(me(), code)
    except NotFoundError:
        abort(404)


def _admits(endpoint: str) -> bool:
    view = current_app.view_functions.get(endpoint)
    roles = getattr(view, "allowed_roles", None)
    return view is not None and (roles is None or current_user.role in roles)


def staff_nav(township: Township | None = None) -> dict[str, list[tuple[str, str, str]]]:
    """The links of the staff navigation for the current user: (endpoint, url, label)."""
    general = [(ep, url_for(ep), str(label)) for ep, label in GENERAL_LINKS if _admits(ep)]
    local = []
    if township is not None:
        local = [(ep, url_for(ep, **{param: township.code}), str(label))
                 for ep, param, label in TOWNSHIP_LINKS if _admits(ep)]
    return {"general": general, "township": local}


@bp.app_context_processor
def _navigation() -> dict:
    return {"staff_nav": staff_nav}


@bp.get("/")
@allow(*ALL_STAFF)
def index():
    query = request.args.get("q", "").strip()[:50]
    found = dashboard.township_cards(user=me(), query=query)
    cards, total = found.cards, found.total
    today = local_date(utcnow())
    can_edit_calendar = current_user.role in (Role.COUNTY_ADMIN, Role.SYSADMIN)
    return render_template(
        "admin/dashboard.html", cards=cards, total=total, query=query, can_edit=can_edit(),
        can_read_records=current_user.role in RECORD_READERS, can_edit_calendar=can_edit_calendar,
        role=current_user.role, shown=len(cards), today=today,
        schedule_missing=calendar_service.missing_schedule_year(today) if can_edit_calendar else None,
    )
