"""The township roster: cadres added, edited, deactivated (never deleted); import: roster_import."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal import clock
from portal.extensions import db
from portal.models import Cadre, ChiefRole, Township, User
from portal.models.base import utcnow
from portal.rules.calendar import TZ
from portal.sanitize import clean_text
from portal.services.shared import audit, townships
from portal.services.shared.errors import NotFoundError, ValidationError
from portal.services.shared.scope import township_ids_in_scope

PHONE = re.compile(r"^[0-9+\-() ]{3,32}(转[0-9]{1,6})?$")
MACHINE_NUMBER = re.compile(r"^[0-9A-Za-z]{1,16}$")
SECRETARY_POSTS = frozenset({"党委书记", "党工委书记"})
HEAD_POSTS = frozenset({"乡长", "镇长", "乡镇长", "办事处主任"})


def get_cadre(user: User, public_id: str, *, township_id: int | None = None) -> Cadre:
    """A cadre of a township in the user's scope (and of `township_id` when given), or
    NotFoundError."""
    stmt = select(Cadre).where(Cadre.public_id == public_id,
                               Cadre.township_id.in_(township_ids_in_scope(user)))
    if township_id is not None:
        stmt = stmt.where(Cadre.township_id == township_id)
    cadre = db.session.scalar(stmt)
    if cadre is None:
        raise NotFoundError(public_id)
    return cadre


def list_cadres(township_id: int, *, include_inactive: bool = False) -> list[Cadre]:
    """The township's cadres: leaders first, then by the roster's order and name."""
    stmt = select(Cadre).where(Cadre.township_id == township_id)
    if not include_inactive:
        stmt = stmt.where(Cadre.active.is_(True))
    return list(db.session.scalars(
        stmt.order_by(Cadre.active.desc(), Cadre.is_leader.desc(), Cadre.sort_order, Cadre.name,
                      Cadre.id)
    ))


def cadre_options(township_id: int, *, leaders_only: bool = False) -> list[tuple[str, str]]:
    """(public_id, "name · post") of a township's active cadres, by the roster's order."""
    stmt = select(Cadre).where(Cadre.township_id == township_id, Cadre.active.is_(True))
    if leaders_only:
        stmt = stmt.where(Cadre.is_leader.is_(True))
    return [(c.public_id, f"{c.name} · {c.post}")
            for c in db.session.scalars(stmt.order_by(Cadre.sort_order, Cadre.id))]


def normalize_machine_number(text: str) -> str | None:
    """A cadre's attendance-machine user ID as stored: "0012" and 12 are the same ID (the
    machine and Excel both drop the zeros); None when empty. ValidationError when malformed."""
    text = unicodedata.normalize("NFKC", text or "").strip()
    if text.endswith(".0") and text[:-2].isdigit():  # a number cell read as 12.0
        text = text[:-2]
    if not text:
        return None
    if not MACHINE_NUMBER.match(text):
        raise ValidationError(_l("考勤机号只能是数字或字母（最多 16 位）：%(value)s", value=text))
    if text.isdigit():
        return text.lstrip("0") or "0"
    return text.upper()


def machine_number_holder(township_id: int, number: str | None,
                          exclude_id: int | None = None) -> Cadre | None:
    """The cadre of the township whose attendance-machine number this is, if any."""
    if number is None:
        return None
    return db.session.scalar(select(Cadre).where(
        Cadre.township_id == township_id, Cadre.machine_number == number,
        Cadre.id != (exclude_id or 0)))


def _check_machine_number(township_id: int, number: str | None, exclude_id: int | None) -> None:
    holder = machine_number_holder(township_id, number, exclude_id)
    if holder is not None:
        raise ValidationError(_l("考勤机号 %(number)s 已是 %(name)s 的，同一乡镇不能重复。",
                                 number=number, name=holder.name))


def infer_chief_role(post: str) -> ChiefRole | None:
    """党委书记 → secretary; 乡长 / 镇长 / 办事处主任 → head."""
    if post in SECRETARY_POSTS:
        return ChiefRole.SECRETARY
    if post in HEAD_POSTS:
        return ChiefRole.HEAD
    return None


@dataclass
class CadreFields:
    """What a clerk can edit about a cadre."""

    name: str
    post: str
    is_leader: bool
    chief_role: ChiefRole | None = None
    office_phone: str = ""
    personal_phone: str = ""
    sort_order: int = 100
    township_service_since: date | None = None
    joined_on: date | None = None  # joined this township; a new cadre: today when not given
    machine_number: str | None = None  # the attendance machine's user ID (考勤机号)

    def cleaned(self) -> CadreFields:
        name = clean_text(self.name, 32, multiline=False)
        post = clean_text(self.post, 64, multiline=False)
        if not name:
            raise ValidationError(_l("请填写姓名。"))
        if not post:
            raise ValidationError(_l("请填写职务。"))
        for phone in (self.office_phone, self.personal_phone):
            if phone and not PHONE.match(phone.strip()):
                raise ValidationError(_l("电话号码格式不对：%(phone)s", phone=phone))
        today = clock.today()
        if self.township_service_since and self.township_service_since > today:
            raise ValidationError(_l("乡镇任职起始日期不能晚于今天。"))
        if self.joined_on and self.joined_on > today:
            raise ValidationError(_l("到任日期不能晚于今天：请在到任当天或以后添加。"))
        return CadreFields(
            name=name, post=post, is_leader=bool(self.is_leader), chief_role=self.chief_role,
            office_phone=self.office_phone.strip(), personal_phone=self.personal_phone.strip(),
            sort_order=self.sort_order, township_service_since=self.township_service_since,
            joined_on=self.joined_on, machine_number=normalize_machine_number(self.machine_number or ""),
        )


def _check_chief(township_id: int, role: ChiefRole | None, exclude_id: int | None) -> None:
    if role is None:
        return
    holder = db.session.scalar(
        select(Cadre).where(Cadre.township_id == township_id, Cadre.chief_role == role,
                            Cadre.active.is_(True), Cadre.id != (exclude_id or 0))
    )
    if holder is not None:
        raise ValidationError(_l("%(name)s 已经是本乡镇的%(role)s，请先修改其记录。", name=holder.name,
                                 role=chief_label(role)))


def chief_label(role: ChiefRole) -> str:
    return str(_l("党委书记")) if role == ChiefRole.SECRETARY else str(_l("乡镇长"))


def create_cadre(*, user: User, township: Township, fields: CadreFields) -> Cadre:
    """Add a cadre to the roster."""
    fields = fields.cleaned()
    _check_chief(township.id, fields.chief_role, None)
    _check_machine_number(township.id, fields.machine_number, None)
    values = asdict(fields)
    values["joined_on"] = fields.joined_on or clock.today()
    cadre = Cadre(township_id=township.id, **values)
    db.session.add(cadre)
    db.session.flush()
    audit.record("cadre.create", actor=user, object_type="cadre", object_id=cadre.public_id,
                 detail={"township": township.code, "name": cadre.name, "post": cadre.post,
                         "joined_on": cadre.joined_on.isoformat()})
    townships.touch(township.id)
    db.session.commit()
    return cadre


def update_cadre(*, user: User, cadre: Cadre, fields: CadreFields) -> Cadre:
    """Change a cadre's record; the audit entry lists what changed."""
    fields = fields.cleaned()
    _check_chief(cadre.township_id, fields.chief_role, cadre.id)
    _check_machine_number(cadre.township_id, fields.machine_number, cadre.id)
    if fields.joined_on is None:
        fields.joined_on = cadre.joined_on  # left empty: unchanged
    if fields.joined_on and cadre.left_on and fields.joined_on > cadre.left_on:
        raise ValidationError(_l("到任日期不能晚于离任日期。"))
    changed = {}
    for key, value in asdict(fields).items():
        if getattr(cadre, key) != value:
            # A personal phone is staff-only: the audit says it changed, not what to.
            changed[key] = "…" if key == "personal_phone" else str(value)
            setattr(cadre, key, value)
    if changed:
        audit.record("cadre.update", actor=user, object_type="cadre", object_id=cadre.public_id,
                     detail=changed)
        townships.touch(cadre.township_id)
    db.session.commit()
    return cadre


def _check_left_on(cadre: Cadre, left_on: date, today: date) -> None:
    if left_on > today:
        raise ValidationError(_l("离任日期不能晚于今天：请在离任当天或以后停用。"))
    if cadre.joined_on and left_on < cadre.joined_on:
        raise ValidationError(_l("离任日期不能早于到任日期（%(day)s）。", day=cadre.joined_on.isoformat()))


def set_active(*, user: User, cadre: Cadre, active: bool, left_on: date | None = None) -> int:
    """Deactivate (the cadre left the township on left_on, default today) or reactivate.

    Leaving ends the cadre's service period: the days up to left_on still count in that
    month's notice and statistics, later days do not, and the history stays. Reactivating
    undoes a leaving recorded by mistake (the period is open again); a cadre who comes back
    after a time away, or is transferred to another township, is added there anew.

    A cadre who leaves is taken off the shifts after today, so that those shifts show as
    gaps on the roster instead of naming someone who is gone. Returns how many.
    """
    from portal.services.office import whereabouts

    if cadre.active == active:
        return 0
    removed = 0
    detail: dict = {"name": cadre.name}
    if active:
        _check_chief(cadre.township_id, cadre.chief_role, cadre.id)
        detail["left_on_cleared"] = cadre.left_on.isoformat() if cadre.left_on else None
        cadre.left_on = None
    else:
        left_on = left_on or clock.today()
        _check_left_on(cadre, left_on, clock.today())
        whereabouts.close_open_entries(cadre_id=cadre.id, at=utcnow())
        removed = _drop_future_duty(cadre)
        cadre.left_on = left_on
        detail["left_on"] = left_on.isoformat()
    detail["future_shifts_removed"] = removed
    cadre.active = active
    audit.record("cadre.reactivate" if active else "cadre.deactivate", actor=user,
                 object_type="cadre", object_id=cadre.public_id, detail=detail)
    townships.touch(cadre.township_id)
    db.session.commit()
    return removed


def _drop_future_duty(cadre: Cadre) -> int:
    from portal.models import DutyAssignment, DutyShift

    tomorrow = utcnow().astimezone(TZ).date() + timedelta(days=1)
    rows = db.session.scalars(
        select(DutyAssignment).join(DutyShift).where(DutyAssignment.cadre_id == cadre.id,
                                                     DutyShift.day >= tomorrow)
    ).all()
    for row in rows:
        db.session.delete(row)
    return len(rows)
