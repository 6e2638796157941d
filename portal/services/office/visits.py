"""Village visits (入村), their villager confirmation by a one-time link, and field diaries.

The confirmation token comes from `secrets`, is shown to the clerk once (as a link and a QR
code) and is stored only as its SHA-256: a database reader cannot confirm a visit. A token
expires after a few days and works once. Nothing about the confirming villager's device is
stored: only the optional name and comment they typed.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _
from sqlalchemy import select

from portal.extensions import db
from portal.models import Cadre, DiaryKind, FieldDiary, Township, User, VillageVisit
from portal.models.base import utcnow
from portal.sanitize import clean_text
from portal.services.office.rule543 import EVENING_KINDS
from portal.services.shared import townships
from portal.services.shared.errors import NotFoundError, ValidationError
from portal.services.shared.scope import township_ids_in_scope

DEFAULT_TOKEN_HOURS = 72
MAX_VILLAGE = 64
MAX_PURPOSE = 200
MAX_NAME = 32
MAX_COMMENT = 500
MAX_DIARY = 5000
# A visit may be recorded up to this many days after it happened, never before.
MAX_AGE_DAYS = 31


class TokenExpiredError(ValidationError):
    """The confirmation link is past its expiry."""


class AlreadyConfirmedError(ValidationError):
    """The visit was confirmed already: a link works once."""


@dataclass(frozen=True)
class IssuedToken:
    """A fresh confirmation token (shown once) and when it expires."""

    token: str
    expires_at: datetime


def token_hash(token: str) -> str:
    """The stored form of a token."""
    return hashlib.sha256(token.encode()).hexdigest()


def _issue(visit: VillageVisit, hours: int) -> IssuedToken:
    token = secrets.token_urlsafe(24)
    visit.token_hash = token_hash(token)
    visit.token_expires_at = utcnow() + timedelta(hours=hours)
    return IssuedToken(token, visit.token_expires_at)


def _check_day(day: date, today: date) -> None:
    if day > today:
        raise ValidationError(_("入村日期不能晚于今天。"))
    if (today - day).days > MAX_AGE_DAYS:
        raise ValidationError(_("只能补录 31 天内的记录。"))


def record_visit(*, cadre: Cadre, village: str, day: date, purpose: str, diary: str,
                 actor: User | None, today: date, hours: int = DEFAULT_TOKEN_HOURS,
                 ) -> tuple[VillageVisit, IssuedToken]:
    """Record a visit with its field diary entry and issue its confirmation token."""
    village = clean_text(village, MAX_VILLAGE, multiline=False)
    if not village:
        raise ValidationError(_("请填写村名。"))
    _check_day(day, today)
    visit = VillageVisit(
        cadre_id=cadre.id, township_id=cadre.township_id, village=village, day=day,
        purpose=clean_text(purpose, MAX_PURPOSE, multiline=False),
        recorded_by_id=actor.id if actor else None,
    )
    issued = _issue(visit, hours)
    db.session.add(visit)
    db.session.flush()
    text = clean_text(diary, MAX_DIARY)
    if text:
        db.session.add(FieldDiary(cadre_id=cadre.id, visit_id=visit.id, day=day,
                                  kind=DiaryKind.VISIT, at_township=False, text=text))
    db.session.commit()
    return visit, issued


def renew_token(*, visit: VillageVisit, hours: int = DEFAULT_TOKEN_HOURS) -> IssuedToken:
    """A new link for an unconfirmed visit; the previous link stops working."""
    if visit.confirmed_at is not None:
        raise AlreadyConfirmedError(_("这次入村已经确认过了，确认链接只能使用一次。"))
    issued = _issue(visit, hours)
    db.session.commit()
    return issued


def find_by_token(token: str, now: datetime | None = None) -> VillageVisit:
    """The visit a token confirms; raises when unknown, used or expired."""
    if not token or len(token) > 64:
        raise NotFoundError(_("确认链接无效。"))
    visit = db.session.scalar(select(VillageVisit).where(VillageVisit.token_hash == token_hash(token)))
    if visit is None:
        raise NotFoundError(_("确认链接无效。"))
    if visit.confirmed_at is not None:
        raise AlreadyConfirmedError(_("这次入村已经确认过了，确认链接只能使用一次。"))
    if visit.token_expires_at is None or visit.token_expires_at <= (now or utcnow()):
        raise TokenExpiredError(_("确认链接已过期。"))
    return visit


def confirm(*, token: str, name: str = "", comment: str = "", now: datetime | None = None,
            ) -> VillageVisit:
    """A villager confirms the visit; the link is spent."""
    visit = find_by_token(token, now)
    # Only an unconfirmed row is updated: of two simultaneous confirmations one wins.
    now = now or utcnow()
    updated = db.session.execute(
        VillageVisit.__table__.update()
        .where(VillageVisit.id == visit.id, VillageVisit.confirmed_at.is_(None))
        .values(confirmed_at=now, confirmer_name=clean_text(name, MAX_NAME, multiline=False),
                confirmer_comment=clean_text(comment, MAX_COMMENT))
    ).rowcount
    db.session.commit()
    if updated != 1:
        raise AlreadyConfirmedError(_("这次入村已经确认过了，确认链接只能使用一次。"))
    db.session.refresh(visit)
    return visit


def add_diary(*, cadre: Cadre, day: date, kind: DiaryKind, text: str, at_township: bool,
              today: date, visit: VillageVisit | None = None) -> FieldDiary:
    """A field diary entry: a visit's 民情日记 or an evening's work (夜学/夜议/夜谈/夜访)."""
    text = clean_text(text, MAX_DIARY)
    if not text:
        raise ValidationError(_("请填写日记内容。"))
    _check_day(day, today)
    if visit is not None and (kind != DiaryKind.VISIT or visit.cadre_id != cadre.id):
        raise ValidationError(_("日记与入村记录不符。"))
    if visit is None and kind not in EVENING_KINDS:
        raise ValidationError(_("请选择夜学、夜议、夜谈或夜访。"))
    entry = FieldDiary(cadre_id=cadre.id, visit_id=visit.id if visit else None, day=day, kind=kind,
                       at_township=at_township if visit is None else False, text=text)
    db.session.add(entry)
    if visit is None:
        townships.touch(cadre.township_id)  # evening work at the township shows as 住镇
    db.session.commit()
    return entry


def diaries_of_visits(visit_ids: list[int]) -> dict[int, list[FieldDiary]]:
    """The diary entries of several visits, in one query."""
    out: dict[int, list[FieldDiary]] = {vid: [] for vid in visit_ids}
    if visit_ids:
        for entry in db.session.scalars(
            select(FieldDiary).where(FieldDiary.visit_id.in_(visit_ids)).order_by(FieldDiary.id)
        ):
            out[entry.visit_id].append(entry)
    return out


def visit_state(visit: VillageVisit, now: datetime | None = None) -> str:
    """confirmed, pending (link still valid) or expired."""
    if visit.confirmed_at is not None:
        return "confirmed"
    if visit.token_expires_at and visit.token_expires_at > (now or utcnow()):
        return "pending"
    return "expired"


def visit_in_scope(*, user: User, public_id: str) -> VillageVisit:
    """A visit of a township in the user's scope, or NotFoundError."""
    visit = db.session.scalar(select(VillageVisit).where(
        VillageVisit.public_id == public_id,
        VillageVisit.township_id.in_(township_ids_in_scope(user))))
    if visit is None:
        raise NotFoundError(public_id)
    return visit


def township_of(visit: VillageVisit) -> Township:
    """The township the visit was made for."""
    return db.session.get(Township, visit.township_id)


def visits_between(*, township_id: int, first: date, following: date) -> list[VillageVisit]:
    """The township's visits from `first` up to (not including) `following`, newest first."""
    return list(db.session.scalars(
        select(VillageVisit).where(VillageVisit.township_id == township_id,
                                   VillageVisit.day >= first, VillageVisit.day < following)
        .order_by(VillageVisit.day.desc(), VillageVisit.id.desc())
    ))


def diaries_between(*, township_id: int, kinds: Iterable[DiaryKind], first: date,
                    following: date) -> list[FieldDiary]:
    """The township's diary entries of these kinds from `first` up to `following`, newest first."""
    return list(db.session.scalars(
        select(FieldDiary).join(Cadre, FieldDiary.cadre_id == Cadre.id)
        .where(Cadre.township_id == township_id, FieldDiary.kind.in_(list(kinds)),
               FieldDiary.day >= first, FieldDiary.day < following)
        .order_by(FieldDiary.day.desc(), FieldDiary.id.desc())
    ))
