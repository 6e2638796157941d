"""One row of a roster file (花名册) checked: names, posts, 班子成员, phones, attendance-machine numbers.

The columns are those offices keep: 姓名 and 职务 are required; 班子成员 (是/否) may be left
out, and is then judged from the post (`portal.rules.posts`); 办公电话 is public on the board,
手机 / 联系电话 are staff-only; 考勤机号 is the cadre's user ID on the attendance machine.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from portal.rules import phones, posts
from portal.sanitize import clean_text
from portal.services.office.cadres import PHONE, normalize_machine_number
from portal.services.office.tabular import Column, Row, RowError, parse_bool
from portal.services.shared.errors import ValidationError

ROSTER_COLUMNS = [
    Column("name", ("姓名", "name", "名字", "干部姓名")),
    Column("post", ("职务", "post", "职位", "岗位", "现任职务", "职务岗位")),
    Column("leader", ("班子成员", "leader", "是否班子成员", "领导", "是否领导班子成员",
                      "领导班子成员"), required=False),
    Column("office_phone", ("办公电话", "office phone", "officephone", "电话", "办公室电话", "座机",
                            "固定电话"), required=False),
    Column("personal_phone", ("手机", "手机号码", "手机号", "个人手机", "移动电话", "联系电话",
                              "mobile"), required=False),
    Column("machine_number", ("考勤机号", "考勤号", "考勤号码", "考勤编号", "工号", "ac-no.",
                              "machine no"), required=False),
]
COLUMN_LABELS = {"name": _l("姓名"), "post": _l("职务"), "leader": _l("班子成员"),
                 "is_leader": _l("班子成员"), "office_phone": _l("办公电话"),
                 "personal_phone": _l("手机"), "machine_number": _l("考勤机号")}


@dataclass(frozen=True)
class Change:
    """A field an import changes: the value stored now and the one from the file."""

    field: str
    old: object
    new: object


@dataclass
class RowCheck:
    """A row's cleaned values, its errors, and what the clerk should know about it."""

    line: int
    values: dict = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    notes: tuple[str, ...] = ()
    leader_inferred: bool = False
    leader_note: str | None = None


def phone_value(text: str, area_hint: str | None) -> tuple[str, str | None, str | None]:
    """(number to store, error, note) of a phone cell as a spreadsheet gave it."""
    text = (text or "").strip()
    if not text:
        return "", None, None
    if phones.is_scientific(text):
        return "", str(_l("“%(text)s”是 Excel 的科学计数法，后几位已经丢失：请把这一列设为“文本”，"
                          "重新填写号码。", text=text)), None
    restored = phones.restore_leading_zero(text, area_hint)
    if restored is not None:
        note = str(_l("%(typed)s 在 Excel 中被当成数字，丢了开头的 0：将按 %(number)s 导入。",
                      typed=text, number=restored))
        return restored, None, note
    if not PHONE.match(text):
        return "", str(_l("电话号码格式不对：%(phone)s", phone=text)), None
    completed = phones.with_area_code(text, area_hint)
    if completed is not None:
        return completed, None, str(_l("%(typed)s 没有区号：将按 %(number)s 导入。", typed=text,
                                       number=completed))
    return text, None, None


def _leader(row: Row, post: str, has_column: bool) -> tuple[bool | None, str | None, bool]:
    """(班子成员, note, inferred): as written, or judged from the post when the cell is empty."""
    text = row["leader"].strip()
    if text:
        return parse_bool(text), None, False
    if has_column and not post:
        return None, None, False
    judged = posts.is_leader_post(post)
    note = str(_l("没有填班子成员，按职务“%(post)s”判断为%(answer)s。", post=post,
                  answer=_l("班子成员") if judged else _l("一般干部")))
    return judged, note, True


def _name_and_post(row: Row, seen: dict[str, int], refuse) -> tuple[str, str]:
    name = clean_text(row["name"], None, multiline=False)
    post = clean_text(row["post"], None, multiline=False)
    if not name:
        refuse("name", _l("姓名为空。"))
    elif len(name) > 32:
        refuse("name", _l("姓名太长（最多 32 个字）。"))
    elif name in seen:
        refuse("name", _l("与第 %(line)s 行重名。", line=seen[name]))
    if not post:
        refuse("post", _l("职务为空。"))
    elif len(post) > 64:
        refuse("post", _l("职务太长（最多 64 个字）。"))
    if name:
        seen.setdefault(name, row.line)
    return name, post


def check_row(row: Row, seen: dict[str, int], *, area_hint: str | None,
              has_leader_column: bool) -> RowCheck:
    """Check one data row; `seen` (name → first line) finds names given twice."""
    check = RowCheck(row.line)
    notes: list[str] = []

    def refuse(column: str, message) -> None:
        check.errors.append(RowError(row.line, column, str(message)))

    name, post = _name_and_post(row, seen, refuse)
    leader, leader_note, inferred = _leader(row, post, has_leader_column)
    if leader is None and (row["leader"].strip() or post):
        refuse("leader", _l("请填“是”或“否”，而不是“%(value)s”。", value=row["leader"]))
    values = {"name": name, "post": post, "is_leader": bool(leader)}
    for key in ("office_phone", "personal_phone"):
        number, error, note = phone_value(row[key], area_hint)
        if error:
            refuse(key, error)
        notes += [note] if note else []
        values[key] = number
    try:
        values["machine_number"] = normalize_machine_number(row["machine_number"])
    except ValidationError as error:
        refuse("machine_number", error)
    check.values = values
    check.notes = tuple(([leader_note] if leader_note else []) + notes)
    check.leader_inferred, check.leader_note = inferred, leader_note
    return check
