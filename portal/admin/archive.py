"""干部档案: one staff page per cadre gathering 5-4-3 history, leave, visits and diaries,
published notices, reports concluded against them, and years of continuous township service.

PRODUCT.md "Service and incentives": an ordinary cadre with 25 continuous years in townships
may be given 副主任科员 treatment, a deputy leader with 10 years 主任科员 treatment (both
subject to every annual assessment being 称职 or better, which the county checks).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta

from flask import Blueprint, abort, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from portal.access import allow
from portal.admin.office_pages import for_township, local_today
from portal.extensions import db
from portal.models import (
    Cadre,
    FieldDiary,
    Leave,
    MonthlyNotice,
    Report,
    ReportStatus,
    Role,
    Township,
    VillageVisit,
    labels,
)
from portal.rules.calendar import TZ
from portal.services.office import rule543, visits
from portal.services.shared.scope import township_ids_in_scope

bp = Blueprint("archive", __name__, url_prefix="/archive")

READERS = (Role.CLERK, Role.INSPECTOR, Role.COUNTY_ADMIN, Role.SYSADMIN)
ORDINARY_MARK_YEARS = 25
DEPUTY_MARK_YEARS = 10
# 正科 posts: the deputy-leader mark is not theirs.
PRINCIPAL_POSTS = ("党委书记", "镇长", "乡长", "办事处主任", "街道办主任", "人大主席", "人大主任", "工委书记")
HISTORY_WEEKS = (12, 26, 52)
NOTICE_MONTHS = 24
LIST_LIMIT = 100
MARKS_LIMIT = 1000
MARK_LABELS = {
    "ordinary": _l("满 25 年，可按规定享受副主任科员待遇（须历年考核称职以上）"),
    "deputy": _l("满 10 年，可按规定享受主任科员待遇（须历年考核称职以上）"),
}


@dataclass(frozen=True)
class Service:
    since: date | None
    years: int | None
    mark: str | None  # "ordinary" | "deputy" | None


def full_years(since: date, today: date) -> int:
    """Completed years from `since` to `today`."""
    years = today.year - since.year
    if (today.month, today.day) < (since.month, since.day):
        years -= 1
    return max(0, years)


def is_deputy_leader(cadre: Cadre) -> bool:
    """A member of the leadership team who is not one of the 正科 principals."""
    if not cadre.is_leader or cadre.chief_role is not None:
        return False
    return not any(cadre.post.startswith(p) for p in PRINCIPAL_POSTS)


def service_of(cadre: Cadre, today: date) -> Service:
    """Years of continuous township service and the incentive mark reached, if any."""
    if cadre.township_service_since is None:
        return Service(None, None, None)
    years = full_years(cadre.township_service_since, today)
    mark = None
    if not cadre.is_leader and years >= ORDINARY_MARK_YEARS:
        mark = "ordinary"
    elif is_deputy_leader(cadre) and years >= DEPUTY_MARK_YEARS:
        mark = "deputy"
    return Service(cadre.township_service_since, years, mark)


def _cadre(public_id: str) -> Cadre:
    cadre = db.session.scalar(select(Cadre).where(
        Cadre.public_id == public_id, Cadre.township_id.in_(township_ids_in_scope(current_user))))
    if cadre is None:
        abort(404)
    return cadre


@bp.get("/")
@allow(*READERS)
@for_township
def index(township: Township):
    cadres = list(db.session.scalars(
        select(Cadre).where(Cadre.township_id == township.id)
        .order_by(Cadre.active.desc(), Cadre.is_leader.desc(), Cadre.sort_order, Cadre.id)))
    today = local_today()
    return render_template("admin/archive.html", township=township, cadres=cadres,
                           services={c.id: service_of(c, today) for c in cadres},
                           mark_labels=MARK_LABELS)


@bp.get("/marks")
@allow(*READERS)
def marks():
    """Every active cadre in scope who reached a service mark, for the county."""
    today = local_today()
    cutoff = today.replace(year=today.year - DEPUTY_MARK_YEARS, day=min(today.day, 28))
    rows = db.session.execute(
        select(Cadre, Township).join(Township, Cadre.township_id == Township.id)
        .where(Cadre.township_id.in_(township_ids_in_scope(current_user)), Cadre.active.is_(True),
               Cadre.township_service_since <= cutoff)
        .order_by(Township.code, Cadre.sort_order, Cadre.id).limit(MARKS_LIMIT)).all()
    flagged = [(c, t, s) for c, t in rows if (s := service_of(c, today)).mark]
    return render_template("admin/archive_marks.html", flagged=flagged, mark_labels=MARK_LABELS,
                           township=None, truncated=len(rows) == MARKS_LIMIT)


def _notices(cadre: Cadre) -> list[tuple[MonthlyNotice, dict]]:
    """The cadre's row in each month's latest published notice (newest first)."""
    rows = db.session.scalars(
        select(MonthlyNotice).where(MonthlyNotice.township_id == cadre.township_id)
        .order_by(MonthlyNotice.month.desc(), MonthlyNotice.version.desc())
        .limit(NOTICE_MONTHS * 3))
    out: list[tuple[MonthlyNotice, dict]] = []
    seen: set[str] = set()
    for notice in rows:
        if notice.month in seen:
            continue
        seen.add(notice.month)
        row = next((r for r in json.loads(notice.content)["cadres"] if r["id"] == cadre.public_id), None)
        if row is not None:
            out.append((notice, row))
    return out[:NOTICE_MONTHS]


def _weeks(cadre: Cadre, count: int, today: date):
    this_monday = rule543.week_start_of(today)
    first = this_monday - timedelta(weeks=count - 1)
    results = rule543.cadre_weeks(cadre, first, this_monday)
    # Weeks before joining or after leaving the township are not the cadre's to answer for.
    return [r for r in reversed(results) if r.served]


@bp.get("/<public_id>")
@allow(*READERS)
def cadre(public_id: str):
    cadre = _cadre(public_id)
    today = local_today()
    weeks = request.args.get("weeks", type=int) or HISTORY_WEEKS[0]
    if weeks not in HISTORY_WEEKS:
        abort(404)
    history = _weeks(cadre, weeks, today)
    leaves = list(db.session.scalars(select(Leave).where(Leave.cadre_id == cadre.id)
                                     .order_by(Leave.start_date.desc()).limit(LIST_LIMIT)))
    visit_rows = list(db.session.scalars(select(VillageVisit).where(VillageVisit.cadre_id == cadre.id)
                                         .order_by(VillageVisit.day.desc()).limit(LIST_LIMIT)))
    evening = list(db.session.scalars(
        select(FieldDiary).where(FieldDiary.cadre_id == cadre.id, FieldDiary.visit_id.is_(None))
        .order_by(FieldDiary.day.desc()).limit(LIST_LIMIT)))
    reports = list(db.session.scalars(
        select(Report).where(Report.cadre_id == cadre.id,
                             Report.status.in_([ReportStatus.CONCLUDED, ReportStatus.RECTIFIED]))
        .order_by(Report.concluded_at.desc())))
    return render_template(
        "admin/archive_cadre.html", cadre=cadre, township=cadre.township,
        service=service_of(cadre, today), mark_labels=MARK_LABELS, history=history, weeks=weeks,
        week_options=HISTORY_WEEKS, leaves=leaves, visits=visit_rows,
        diaries=visits.diaries_of_visits([v.id for v in visit_rows]),
        states={v.id: visits.visit_state(v) for v in visit_rows}, evening=evening,
        reports=reports, notices=_notices(cadre), tz=TZ, leave_labels=labels.LEAVE_KIND,
        category_labels=labels.CATEGORY, finding_labels=labels.FINDING, action_labels=labels.ACTION,
    )
