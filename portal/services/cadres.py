"""The township roster: cadres added, edited, deactivated (never deleted), imported from a file."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.extensions import db
from portal.models import Cadre, ChiefRole, Township, User
from portal.models.base import utcnow
from portal.rules.calendar import TZ
from portal.sanitize import clean_text
from portal.services import audit, townships
from portal.services.errors import NotFoundError, ValidationError
from portal.services.scope import township_ids_in_scope
from portal.services.tabular import Column, RowError, parse_bool, read_table

PHONE = re.compile(r"^[0-9+\-() ]{3,32}(转[0-9]{1,6})?$")
SECRETARY_POSTS = frozenset({"党委书记", "党工委书记"})
HEAD_POSTS = frozenset({"乡长", "镇长", "乡镇长", "办事处主任"})
ROSTER_COLUMNS = [
    Column("name", ("姓名", "name", "名字")),
    Column("post", ("职务", "post", "职位", "岗位")),
    Column("leader", ("班子成员", "leader", "是否班子成员", "领导")),
    Column("office_phone", ("办公电话", "office phone", "officephone", "电话"), required=False),
]


def get_cadre(user: User, public_id: str) -> Cadre:
    """A cadre of a township in the user's scope, or NotFoundError."""
    cadre = db.session.scalar(
        select(Cadre).where(Cadre.public_id == public_id,
                            Cadre.township_id.in_(township_ids_in_scope(user)))
    )
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
        if self.township_service_since and self.township_service_since > utcnow().astimezone(TZ).date():
            raise ValidationError(_l("乡镇任职起始日期不能晚于今天。"))
        return CadreFields(
            name=name, post=post, is_leader=bool(self.is_leader), chief_role=self.chief_role,
            office_phone=self.office_phone.strip(), personal_phone=self.personal_phone.strip(),
            sort_order=self.sort_order, township_service_since=self.township_service_since,
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
    cadre = Cadre(township_id=township.id, **asdict(fields))
    db.session.add(cadre)
    db.session.flush()
    audit.record("cadre.create", actor=user, object_type="cadre", object_id=cadre.public_id,
                 detail={"township": township.code, "name": cadre.name, "post": cadre.post})
    townships.touch(township.id)
    db.session.commit()
    return cadre


def update_cadre(*, user: User, cadre: Cadre, fields: CadreFields) -> Cadre:
    """Change a cadre's record; the audit entry lists what changed."""
    fields = fields.cleaned()
    _check_chief(cadre.township_id, fields.chief_role, cadre.id)
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


def set_active(*, user: User, cadre: Cadre, active: bool) -> int:
    """Deactivate (left the township) or reactivate a cadre; the history stays.

    A cadre who leaves is taken off the shifts after today, so that those shifts show as
    gaps on the roster instead of naming someone who is gone. Returns how many.
    """
    from portal.services import whereabouts

    if cadre.active == active:
        return 0
    removed = 0
    if active:
        _check_chief(cadre.township_id, cadre.chief_role, cadre.id)
    else:
        whereabouts.close_open_entries(cadre_id=cadre.id, at=utcnow())
        removed = _drop_future_duty(cadre)
    cadre.active = active
    audit.record("cadre.reactivate" if active else "cadre.deactivate", actor=user,
                 object_type="cadre", object_id=cadre.public_id,
                 detail={"name": cadre.name, "future_shifts_removed": removed})
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


# --- roster import -------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportRow:
    """A valid row of a roster file, and whether it adds a cadre or updates one."""

    line: int
    name: str
    post: str
    is_leader: bool
    office_phone: str
    existing_id: int | None = None

    @property
    def is_new(self) -> bool:
        return self.existing_id is None


@dataclass
class RosterPreview:
    rows: list[ImportRow]
    errors: list[RowError]
    ignored_headers: list[str]

    @property
    def valid(self) -> bool:
        return bool(self.rows) and not self.errors


def _check_row(row, existing: dict[str, Cadre], seen: dict[str, int]) -> tuple[ImportRow | None,
                                                                            list[RowError]]:
    errors: list[RowError] = []
    name = clean_text(row["name"], None, multiline=False)
    post = clean_text(row["post"], None, multiline=False)
    phone = row["office_phone"].strip()
    leader = parse_bool(row["leader"])
    if not name:
        errors.append(RowError(row.line, "name", str(_l("姓名为空。"))))
    elif len(name) > 32:
        errors.append(RowError(row.line, "name", str(_l("姓名太长（最多 32 个字）。"))))
    elif name in seen:
        errors.append(RowError(row.line, "name", str(_l("与第 %(line)s 行重名。", line=seen[name]))))
    if not post:
        errors.append(RowError(row.line, "post", str(_l("职务为空。"))))
    elif len(post) > 64:
        errors.append(RowError(row.line, "post", str(_l("职务太长（最多 64 个字）。"))))
    if leader is None or not row["leader"].strip():
        errors.append(RowError(row.line, "leader", str(_l("请填“是”或“否”，而不是“%(value)s”。",
                                                           value=row["leader"]))))
    if phone and not PHONE.match(phone):
        errors.append(RowError(row.line, "office_phone", str(_l("电话号码格式不对：%(phone)s", phone=phone))))
    if name:
        seen.setdefault(name, row.line)
    if errors:
        return None, errors
    current = existing.get(name)
    return ImportRow(row.line, name, post, bool(leader), phone,
                     current.id if current else None), []


def preview_roster(*, township: Township, data: bytes, filename: str) -> RosterPreview:
    """Read a roster file and check every row; raises TabularError when the file is unreadable."""
    table = read_table(data, filename=filename, columns=ROSTER_COLUMNS, max_rows=500)
    existing = {c.name: c for c in list_cadres(township.id, include_inactive=True)}
    rows: list[ImportRow] = []
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    for row in table.rows:
        good, problems = _check_row(row, existing, seen)
        errors.extend(problems)
        if good:
            rows.append(good)
    errors.extend(_chief_errors(rows))
    if not table.rows:
        errors.append(RowError(table.header_line, "", str(_l("表头下面没有数据行。"))))
    return RosterPreview(rows=rows, errors=errors, ignored_headers=table.ignored_headers)


def _chief_errors(rows: list[ImportRow]) -> list[RowError]:
    errors = []
    for role in ChiefRole:
        lines = [r.line for r in rows if infer_chief_role(r.post) == role]
        for line in lines[1:]:
            errors.append(RowError(line, "post", str(_l("文件中有不止一位%(role)s（另见第 %(first)s 行）。",
                                                      role=chief_label(role), first=lines[0]))))
    return errors


def import_roster(*, user: User, township: Township, rows: list[ImportRow]) -> tuple[int, int]:
    """Write a checked roster in one transaction: new cadres added, same-name cadres updated.

    Returns (added, updated). Cadres missing from the file are left as they are: leaving
    the township is a deliberate deactivation, not a side effect of an import.
    """
    if not rows:
        raise ValidationError(_l("没有可导入的行。"))
    existing = {c.name: c for c in list_cadres(township.id, include_inactive=True)}
    added = updated = 0
    for order, row in enumerate(rows):
        chief = infer_chief_role(row.post)
        cadre = existing.get(row.name)
        if cadre is None:
            cadre = Cadre(township_id=township.id, name=row.name, sort_order=(0 if row.is_leader
                          else 100) + order)
            db.session.add(cadre)
            added += 1
        else:
            updated += 1
            cadre.active = True
        cadre.post, cadre.is_leader, cadre.chief_role = row.post, row.is_leader, chief
        if row.office_phone:
            cadre.office_phone = row.office_phone
    db.session.flush()
    holders = {}
    for cadre in list_cadres(township.id):
        if cadre.chief_role and holders.setdefault(cadre.chief_role, cadre.id) != cadre.id:
            db.session.rollback()
            raise ValidationError(_l("导入后会有两位%(role)s，请先修改现有记录。",
                                     role=chief_label(cadre.chief_role)))
    audit.record("cadre.import", actor=user, object_type="township", object_id=township.code,
                 detail={"added": added, "updated": updated})
    townships.touch(township.id)
    db.session.commit()
    return added, updated
