"""作风建设监督员: the county's register of appointed supervisors and their accounts' terms.

A county administrator (组织部 / 纪委) appoints a person of one of four kinds for a term and
for some of the county's townships, and may give them a staff account (role supervisor,
scoped to those townships). The account opens only during the term: a login before
`term_from` or after `term_until` fails like any other, and a session still open when the
term ends is ended at its next request. The public register at `/c/<county>/supervisors`
lists the supervisors in term today, with a contact only where they agreed to publish one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal import clock
from portal.extensions import db
from portal.models import (
    Region,
    RegionLevel,
    Role,
    SupervisorAppointment,
    SupervisorKind,
    Township,
    User,
)
from portal.sanitize import clean_text
from portal.services.accounts import auth, users
from portal.services.accounts.users import CreatedUser
from portal.services.shared import audit, scope
from portal.services.shared.errors import NotFoundError, ValidationError
from portal.services.shared.transaction import use_case

MAX_TERM_YEARS = 5


@dataclass(frozen=True)
class PublicSupervisor:
    """What the public register shows of a supervisor: nothing else reaches its page."""

    name: str
    kind: SupervisorKind
    term_from: date
    term_until: date
    townships: list[tuple[str, str]]
    contact: str | None

    @property
    def phone(self) -> str | None:
        """The contact as digits for a tel: link, when it is a phone number."""
        digits = (self.contact or "").replace("-", "").replace(" ", "")
        return digits if 7 <= len(digits) <= 15 and digits.isdigit() else None


@dataclass(frozen=True)
class PublicRegister:
    county_code: str
    county_name: str
    today: date
    supervisors: list[PublicSupervisor]


@dataclass(frozen=True)
class Appointed:
    appointment: SupervisorAppointment
    account: CreatedUser | None


def local_today() -> date:
    return clock.today()


# --- the public register -------------------------------------------------------------------

def public_register(county_code: str, today: date | None = None) -> PublicRegister:
    """The supervisors of a county in term today (NotFoundError for an unknown county)."""
    county = db.session.scalar(select(Region).where(Region.code == county_code,
                                                    Region.level == RegionLevel.COUNTY))
    if county is None:
        raise NotFoundError(county_code)
    today = today or local_today()
    found = db.session.scalars(
        select(SupervisorAppointment).options(selectinload(SupervisorAppointment.townships))
        .where(SupervisorAppointment.county_id == county.id,
               SupervisorAppointment.term_from <= today,
               SupervisorAppointment.term_until >= today)
        .order_by(SupervisorAppointment.name, SupervisorAppointment.id))
    kinds = list(SupervisorKind)
    found = sorted(found, key=lambda a: kinds.index(a.kind))  # 人大代表, 政协委员, 老干部, 群众代表
    return PublicRegister(county.code, county.name, today, [
        PublicSupervisor(
            name=a.name, kind=a.kind, term_from=a.term_from, term_until=a.term_until,
            townships=[(t.code, t.name) for t in a.townships if t.active],
            contact=a.contact if a.contact_public and a.contact else None)
        for a in found])


# --- the account's term --------------------------------------------------------------------

account_open = users.account_open


# --- the county's pages --------------------------------------------------------------------

def counties(admin: User) -> list[Region]:
    return scope.counties_administered(admin)


def county_of(admin: User, code: str) -> Region:
    for county in counties(admin):
        if county.code == code:
            return county
    raise NotFoundError(code)


def appointments(county: Region) -> list[SupervisorAppointment]:
    """Every appointment of a county, current and past, the latest term first."""
    return list(db.session.scalars(
        select(SupervisorAppointment).options(selectinload(SupervisorAppointment.townships),
                                              selectinload(SupervisorAppointment.user))
        .where(SupervisorAppointment.county_id == county.id)
        .order_by(SupervisorAppointment.term_until.desc(), SupervisorAppointment.name)))


def get(admin: User, public_id: str) -> SupervisorAppointment:
    """An appointment of a county the administrator administers, or NotFoundError."""
    ids = [c.id for c in counties(admin)]
    appointment = db.session.scalar(select(SupervisorAppointment).where(
        SupervisorAppointment.public_id == public_id, SupervisorAppointment.county_id.in_(ids)))
    if appointment is None:
        raise NotFoundError(public_id)
    return appointment


def county_townships(county: Region) -> list[Township]:
    return list(db.session.scalars(select(Township).where(
        Township.county_id == county.id, Township.active.is_(True)).order_by(Township.code)))


def _check(name: str, term_from: date | None, term_until: date | None,
           township_codes: list[str], county: Region) -> tuple[str, list[Township]]:
    name = clean_text(name or "", 64, multiline=False)
    if not name:
        raise ValidationError(_l("请填写监督员姓名。"))
    if term_from is None or term_until is None or term_until < term_from:
        raise ValidationError(_l("任期的结束日期不能早于开始日期。"))
    if (term_until - term_from).days > 366 * MAX_TERM_YEARS:
        raise ValidationError(_l("一届任期最长 %(n)s 年。", n=MAX_TERM_YEARS))
    chosen = [t for t in county_townships(county) if t.code in set(township_codes)]
    if not chosen or len(chosen) != len(set(township_codes)):
        raise ValidationError(_l("请选择本县的至少一个乡镇。"))
    return name, chosen


@use_case
def appoint(*, admin: User, county: Region, name: str, kind: SupervisorKind | str,
            term_from: date | None, term_until: date | None, township_codes: list[str],
            contact: str = "", contact_public: bool = False, username: str = "",
            home_township: str = "") -> Appointed:
    """Enter an appointment in the register; with a username, its account too (scoped to the
    appointment's townships; the password is shown once)."""
    name, chosen = _check(name, term_from, term_until, township_codes, county)
    kind = SupervisorKind(kind)
    contact = clean_text(contact or "", 128, multiline=False)
    if contact_public and not contact:
        raise ValidationError(_l("同意公开联系方式时，请填写联系方式。"))
    account = None
    if username.strip():
        account = auth.create_staff_user(
            admin=admin, username=username, display_name=name, role=Role.SUPERVISOR,
            scope_codes=",".join(t.code for t in chosen), home_township=home_township)
    appointment = SupervisorAppointment(
        county_id=county.id, name=name, kind=kind, term_from=term_from, term_until=term_until,
        contact=contact, contact_public=bool(contact_public and contact),
        user_id=account.user.id if account else None, created_by_id=admin.id)
    appointment.townships = chosen
    db.session.add(appointment)
    db.session.flush()
    audit.record("supervisor.appointed", actor=admin, object_type="supervisor_appointment",
                 object_id=appointment.public_id,
                 detail={"county": county.code, "kind": kind.value,
                         "from": term_from.isoformat(), "until": term_until.isoformat(),
                         "townships": [t.code for t in chosen],
                         "account": account.user.public_id if account else None})
    db.session.commit()
    return Appointed(appointment, account)


@use_case
def end_term(*, admin: User, appointment: SupervisorAppointment, today: date) -> None:
    """End a term early (the supervisor stepped down or was dismissed): it ended yesterday,
    and any session of the account ends now."""
    if appointment.term_until < today:
        raise ValidationError(_l("这位监督员的任期已经结束。"))
    if appointment.term_from >= today:
        raise ValidationError(_l("任期尚未开始，不能提前结束；如有误，请重新登记。"))
    appointment.term_until = today - timedelta(days=1)
    if appointment.user is not None:
        appointment.user.session_epoch += 1
    audit.record("supervisor.term_ended", actor=admin, object_type="supervisor_appointment",
                 object_id=appointment.public_id, detail={"until": appointment.term_until.isoformat()})
    db.session.commit()
