"""Sign-in records entered by hand: a sign-in or sign-out, a night stay (an evening and the
next morning), their deletion, and the week's records of a township. The import of
attendance-machine exports is `attendance_import`.
"""


from __future__ import annotations

from datetime import date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.extensions import db
from portal.models import Cadre, SignIn, SignInKind, Township, User
from portal.models.base import utcnow
from portal.rules.calendar import TZ
from portal.sanitize import clean_text
from portal.services.office.rule543 import EVENING_FROM, MORNING_BY
from portal.services.shared import audit, townships
from portal.services.shared.errors import NotFoundError, ValidationError
from portal.services.shared.scope import township_ids_in_scope

# --- manual entry -----------------------------------------------------------------------------

def _check_moment(at: datetime, now: datetime) -> None:
    if at.tzinfo is None:
        raise ValueError("aware datetime required")
    if at > now + timedelta(minutes=5):
        raise ValidationError(_l("签到时间不能晚于现在。"))
    if now - at > timedelta(days=366):
        raise ValidationError(_l("只能录入一年内的签到记录。"))


def add_sign_in(*, cadre: Cadre, at: datetime, kind: SignInKind, place: str, at_township: bool,
                actor: User | None, now: datetime | None = None) -> SignIn:
    """Record one sign-in or sign-out by hand."""
    _check_moment(at, now or utcnow())
    record = SignIn(cadre_id=cadre.id, township_id=cadre.township_id, at=at, kind=kind,
                    place=clean_text(place, 64, multiline=False), at_township=at_township,
                    source="manual", recorded_by_id=actor.id if actor else None)
    db.session.add(record)
    townships.touch(cadre.township_id)  # an evening check-in shows on the board (住镇)
    db.session.commit()
    return record


def add_night_stay(*, cadre: Cadre, night_of: date, evening: time, morning: time,
                   actor: User | None, now: datetime | None = None) -> tuple[SignIn, SignIn]:
    """A night in the township: the evening check-in on night_of and the next morning's."""
    if evening < EVENING_FROM:
        raise ValidationError(_l("晚间签到应在 %(t)s 以后。", t=EVENING_FROM.strftime("%H:%M")))
    if morning >= MORNING_BY:
        raise ValidationError(_l("次日早签到应在 %(t)s 以前。", t=MORNING_BY.strftime("%H:%M")))
    evening_at = datetime.combine(night_of, evening, tzinfo=TZ)
    morning_at = datetime.combine(night_of + timedelta(days=1), morning, tzinfo=TZ)
    now = now or utcnow()
    _check_moment(evening_at, now)
    _check_moment(morning_at, now)
    records = tuple(
        SignIn(cadre_id=cadre.id, township_id=cadre.township_id, at=at, kind=SignInKind.IN,
               place="住宿签到", at_township=True, source="manual",
               recorded_by_id=actor.id if actor else None)
        for at in (evening_at, morning_at)
    )
    db.session.add_all(records)
    townships.touch(cadre.township_id)
    db.session.commit()
    return records  # type: ignore[return-value]


def delete_sign_in(*, record: SignIn, actor: User | None) -> None:
    """Remove a record entered by mistake; machine records stay, and the removal is audited."""
    if record.source != "manual":
        raise ValidationError(_l("考勤机导入的记录不能删除。"))
    audit.record("attendance.delete", actor=actor, object_type="sign_in", object_id=str(record.id),
                 detail={"cadre": record.cadre_id, "at": record.at.isoformat(),
                         "kind": record.kind.value})
    db.session.delete(record)
    townships.touch(record.township_id)
    db.session.commit()


def week_records(township_id: int, monday: date) -> list[SignIn]:
    """A township's sign-in records of an ISO week (local dates), in one query."""
    lo = datetime.combine(monday, time.min, tzinfo=TZ)
    hi = lo + timedelta(days=7)
    return list(db.session.scalars(
        select(SignIn).where(SignIn.township_id == township_id, SignIn.at >= lo, SignIn.at < hi)
        .order_by(SignIn.at, SignIn.id)
    ))


def get_record(record_id: int, township_ids) -> SignIn:
    """One sign-in record within the user's scope, or NotFoundError."""
    record = db.session.scalar(select(SignIn).where(SignIn.id == record_id,
                                                    SignIn.township_id.in_(township_ids)))
    if record is None:
        raise NotFoundError("sign-in")
    return record


def record_in_scope(*, user: User, record_id: int) -> tuple[SignIn, Township]:
    """A sign-in record of the user's scope with its township, or NotFoundError."""
    record = get_record(record_id, township_ids_in_scope(user))
    return record, db.session.get(Township, record.township_id)
