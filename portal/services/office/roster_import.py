"""Roster import: a clerk's Excel / CSV file checked row by row, then written in one go."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from portal import clock
from portal.extensions import db
from portal.models import Cadre, ChiefRole, Township, User
from portal.sanitize import clean_text
from portal.services.office.cadres import PHONE, chief_label, infer_chief_role, list_cadres
from portal.services.office.tabular import Column, RowError, parse_bool, read_table
from portal.services.shared import audit, townships
from portal.services.shared.errors import ValidationError

ROSTER_COLUMNS = [
    Column("name", ("姓名", "name", "名字")),
    Column("post", ("职务", "post", "职位", "岗位")),
    Column("leader", ("班子成员", "leader", "是否班子成员", "领导")),
    Column("office_phone", ("办公电话", "office phone", "officephone", "电话"), required=False),
]



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
    existing = {c.name: c for c in list_cadres(township.id)}
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
    the township is a deliberate deactivation, not a side effect of an import. A new cadre,
    or one who had left and is on the file again, joins today (a new service period: the
    old record keeps the earlier period's history).
    """
    if not rows:
        raise ValidationError(_l("没有可导入的行。"))
    existing = {c.name: c for c in list_cadres(township.id)}
    added = updated = 0
    for order, row in enumerate(rows):
        chief = infer_chief_role(row.post)
        cadre = existing.get(row.name)
        if cadre is None:
            cadre = Cadre(township_id=township.id, name=row.name, sort_order=(0 if row.is_leader
                          else 100) + order, joined_on=clock.today())
            db.session.add(cadre)
            added += 1
        else:
            updated += 1
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
