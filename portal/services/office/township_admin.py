"""County administration of townships: create, edit, deactivate (never delete)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Cadre, Region, Township, User
from portal.rules.names import pinyin_keys
from portal.sanitize import clean_text
from portal.services.shared import audit
from portal.services.shared.errors import NotFoundError, ValidationError
from portal.services.shared.scope import counties_administered, township_ids_in_scope
from portal.services.shared.townships import touch


@dataclass(frozen=True)
class TownshipRow:
    township: Township
    county: Region
    cadres: int


@dataclass(frozen=True)
class TownshipFields:
    name: str
    address: str
    office_phone: str
    hotline: str


def list_townships(user: User) -> list[TownshipRow]:
    """Every township of the user's scope, active or not, with its number of active cadres."""
    counts = (
        select(Cadre.township_id, func.count(Cadre.id).label("n"))
        .where(Cadre.active.is_(True)).group_by(Cadre.township_id).subquery()
    )
    stmt = (
        select(Township, Region, func.coalesce(counts.c.n, 0))
        .join(Region, Township.county_id == Region.id)
        .outerjoin(counts, counts.c.township_id == Township.id)
        .where(Township.id.in_(township_ids_in_scope(user)))
        .order_by(Township.code)
    )
    return [TownshipRow(t, r, n) for t, r, n in db.session.execute(stmt)]


def _clean(fields: TownshipFields) -> TownshipFields:
    name = clean_text(fields.name, 64, multiline=False)
    if not name:
        raise ValidationError("name")
    return TownshipFields(
        name=name,
        address=clean_text(fields.address, 200, multiline=False),
        office_phone=clean_text(fields.office_phone, 32, multiline=False),
        hotline=clean_text(fields.hotline, 32, multiline=False),
    )


def create_township(*, user: User, county: Region, suffix: str, fields: TownshipFields) -> Township:
    """A new township: its code is the county code and a 3-digit suffix."""
    if county.id not in {c.id for c in counties_administered(user)}:
        raise NotFoundError(county.code)
    if not (len(suffix) == 3 and suffix.isdigit()) or suffix == "000":
        raise ValidationError("suffix")
    code = county.code + suffix
    if db.session.scalar(select(Township.id).where(Township.code == code)) is not None:
        raise ValidationError("taken")
    fields = _clean(fields)
    full, initials = pinyin_keys(fields.name)
    township = Township(code=code, name=fields.name, pinyin=full, initials=initials, county=county,
                        address=fields.address, office_phone=fields.office_phone,
                        hotline=fields.hotline)
    db.session.add(township)
    db.session.flush()
    audit.record("township.created", actor=user, object_type="township", object_id=code,
                 detail={"name": fields.name})
    db.session.commit()
    return township


def update_township(*, user: User, township: Township, fields: TownshipFields) -> Township:
    """Change a township's public details; its search keys follow its name."""
    fields = _clean(fields)
    before = {"name": township.name, "address": township.address,
              "office_phone": township.office_phone, "hotline": township.hotline}
    township.name = fields.name
    township.pinyin, township.initials = pinyin_keys(fields.name)
    township.address = fields.address
    township.office_phone = fields.office_phone
    township.hotline = fields.hotline
    after = {"name": township.name, "address": township.address,
             "office_phone": township.office_phone, "hotline": township.hotline}
    changed = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if changed:
        touch(township.id)
        audit.record("township.updated", actor=user, object_type="township",
                     object_id=township.code, detail=changed)
    db.session.commit()
    return township


def set_active(*, user: User, township: Township, active: bool) -> Township:
    """Deactivate (hidden from the public side, history kept) or reactivate a township."""
    if township.active != active:
        township.active = active
        touch(township.id)
        audit.record("township.activated" if active else "township.deactivated", actor=user,
                     object_type="township", object_id=township.code)
        db.session.commit()
    return township
