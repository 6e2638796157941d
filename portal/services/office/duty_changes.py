"""Changes to single duty assignments after the month is planned: two cadres swap shifts,
or another cadre substitutes (替班); both keep whom the new cadre replaces
(`DutyAssignment.replaces_id`), are audited and bump the township's data version.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.extensions import db
from portal.models import DutyAssignment, DutyRole, Township, User
from portal.sanitize import clean_text
from portal.services.office.duty import active_ids
from portal.services.shared import audit, townships
from portal.services.shared.errors import NotFoundError, ValidationError


def get_assignment(township_id: int, assignment_id: int) -> DutyAssignment:
    """An assignment of the township, or NotFoundError."""
    assignment = db.session.get(DutyAssignment, assignment_id)
    if assignment is None or assignment.shift.township_id != township_id:
        raise NotFoundError(str(assignment_id))
    return assignment


def swap(*, user: User, township: Township, first: DutyAssignment, second: DutyAssignment) -> None:
    """Two cadres of the same role exchange shifts; each records whom they replace."""
    if first.id == second.id:
        raise ValidationError(_l("请选择两个不同的班次。"))
    if first.role != second.role:
        raise ValidationError(_l("只能对调同一角色（带班领导与带班领导，值班人员与值班人员）。"))
    if first.cadre_id == second.cadre_id:
        raise ValidationError(_l("两个班次是同一个人，无需对调。"))
    for mine, other in ((first, second), (second, first)):
        if any(a.cadre_id == other.cadre_id for a in mine.shift.assignments if a.id != mine.id):
            raise ValidationError(_l("对调后同一班次会出现同一个人两次。"))
    a_id, b_id = first.cadre_id, second.cadre_id
    first.cadre_id, first.replaces_id = b_id, first.replaces_id or a_id
    second.cadre_id, second.replaces_id = a_id, second.replaces_id or b_id
    for assignment in (first, second):
        if assignment.replaces_id == assignment.cadre_id:
            assignment.replaces_id = None  # swapped back: nobody is replaced any more
        assignment.recorded_by_id = user.id
    audit.record("roster.swap", actor=user, object_type="township", object_id=township.code,
                 detail={"first": [str(first.shift.day), first.shift.kind.value],
                         "second": [str(second.shift.day), second.shift.kind.value]})
    townships.touch(township.id)
    db.session.commit()


def substitute(*, user: User, township: Township, assignment: DutyAssignment, cadre_id: int,
               note: str = "") -> None:
    """替班: another cadre takes the shift; the record keeps whom they replace."""
    leaders, everyone = active_ids(township.id)
    allowed = leaders if assignment.role == DutyRole.LEADER else everyone
    if cadre_id not in allowed:
        raise ValidationError(_l("替班人必须是本乡镇在册的干部（带班须为班子成员）。"))
    if cadre_id == assignment.cadre_id:
        raise ValidationError(_l("替班人不能是本人。"))
    if any(a.cadre_id == cadre_id for a in assignment.shift.assignments):
        raise ValidationError(_l("替班人已在这个班次上。"))
    original = assignment.replaces_id or assignment.cadre_id
    assignment.cadre_id = cadre_id
    assignment.replaces_id = original if original != cadre_id else None
    assignment.note = clean_text(note, 200, multiline=False)
    assignment.recorded_by_id = user.id
    audit.record("roster.substitute", actor=user, object_type="township", object_id=township.code,
                 detail={"day": str(assignment.shift.day), "kind": assignment.shift.kind.value,
                         "role": assignment.role.value})
    townships.touch(township.id)
    db.session.commit()
