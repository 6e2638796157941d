"""The staff home: one card per township in the user's scope, with what needs doing today."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select

from portal.extensions import db
from portal.models import Township, User
from portal.models.base import utcnow
from portal.rules.calendar import local_date
from portal.services.office import duty, leave, whereabouts
from portal.services.shared.scope import township_ids_in_scope

MAX_CARDS = 30


@dataclass(frozen=True)
class TownshipCard:
    township: Township
    cadres: int
    stale: int
    on_leave: int
    gaps: int
    chiefs_both_away: bool
    leave_to_decide: int  # requests this user may approve (the county: leaders' leave)


@dataclass(frozen=True)
class Cards:
    cards: list[TownshipCard]
    total: int  # townships matching, of which at most MAX_CARDS have a card


def _card(township: Township, user: User) -> TownshipCard:
    now = utcnow()
    today = local_date(now)
    rows = whereabouts.board_rows(township.id, now)
    return TownshipCard(
        township, len(rows), sum(1 for r in rows if r.stale), sum(1 for r in rows if r.on_leave),
        duty.month_gap_count(township.id, today.year, today.month),
        whereabouts.chiefs_both_away(township.id, now),
        len(leave.pending_for(user, [township.id])),
    )


def township_cards(*, user: User, query: str = "", limit: int = MAX_CARDS) -> Cards:
    """Cards of the active townships in the user's scope whose name or code matches `query`."""
    stmt = select(Township).where(Township.active.is_(True), Township.id.in_(township_ids_in_scope(user)))
    if query:
        stmt = stmt.where(or_(Township.name.contains(query, autoescape=True),
                              Township.code.startswith(query, autoescape=True)))
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    found = db.session.scalars(stmt.order_by(Township.code).limit(limit))
    return Cards([_card(t, user) for t in found], total)
