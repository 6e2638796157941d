"""`/admin/`: the staff home. What the user may do, in their scope, and what needs doing today.

Also the small helpers the office views share: who may edit, the township in scope or 404.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, abort, render_template, request
from flask_login import current_user
from sqlalchemy import func, or_, select

from portal.auth.access import ALL_STAFF, allow
from portal.extensions import db
from portal.models import Role, Township, User
from portal.models.base import utcnow
from portal.rules.calendar import local_date
from portal.services import cadres as cadre_service
from portal.services import duty, whereabouts
from portal.services.errors import NotFoundError
from portal.services.scope import township_ids_in_scope

bp = Blueprint("dashboard", __name__)

# Who may change the township office's records; everyone else on staff may read boards.
EDITORS = (Role.CLERK, Role.COUNTY_ADMIN, Role.SYSADMIN)
# Who may read the roster of names with staff-only fields (personal phones, leave reasons).
RECORD_READERS = (Role.CLERK, Role.INSPECTOR, Role.COUNTY_ADMIN, Role.SYSADMIN)
MAX_CARDS = 30


def me() -> User:
    return current_user._get_current_object()


def can_edit() -> bool:
    return current_user.role in EDITORS


def township_or_404(code: str) -> Township:
    """The township in the current user's scope, or 404 (as if it did not exist)."""
    try:
        return cadre_service.scoped_township(me(), code)
    except NotFoundError:
        abort(404)


@dataclass(frozen=True)
class TownshipCard:
    township: Township
    cadres: int
    stale: int
    on_leave: int
    gaps: int
    chiefs_both_away: bool


def _card(township: Township) -> TownshipCard:
    now = utcnow()
    today = local_date(now)
    rows = whereabouts.board_rows(township.id, now)
    return TownshipCard(
        township, len(rows), sum(1 for r in rows if r.stale), sum(1 for r in rows if r.on_leave),
        duty.month_gap_count(township.id, today.year, today.month),
        whereabouts.chiefs_both_away(township.id, now),
    )


def _townships(user: User, query: str) -> tuple[list[Township], int]:
    stmt = select(Township).where(Township.active.is_(True), Township.id.in_(township_ids_in_scope(user)))
    if query:
        stmt = stmt.where(or_(Township.name.contains(query, autoescape=True),
                              Township.code.startswith(query, autoescape=True)))
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    return list(db.session.scalars(stmt.order_by(Township.code).limit(MAX_CARDS))), total


@bp.get("/")
@allow(*ALL_STAFF)
def index():
    query = request.args.get("q", "").strip()[:50]
    found, total = _townships(me(), query)
    cards = [_card(t) for t in found]
    return render_template(
        "admin/dashboard.html", cards=cards, total=total, query=query, can_edit=can_edit(),
        can_read_records=current_user.role in RECORD_READERS,
        can_edit_calendar=current_user.role in (Role.COUNTY_ADMIN, Role.SYSADMIN),
        role=current_user.role, shown=len(cards), today=local_date(utcnow()),
    )
