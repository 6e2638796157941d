"""What an appointed supervisor (作风建设监督员) files: NAMED reports that the queue marks as
from a supervisor (source supervisor, filed_by the supervisor), and following them. A
supervisor sees the reports they filed, never anybody else's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.models import Cadre, Category, Message, Report, Source, Township, User
from portal.services.casework import tracking
from portal.services.casework.reports import create_report, reporter_reply
from portal.services.shared.errors import NotFoundError, ValidationError

LIST_LIMIT = 200


@dataclass(frozen=True)
class FiledCase:
    report: Report
    view: tracking.PublicView


def _filed_by(user: User) -> Select:
    """A SELECT of the reports this user filed: the only ones a supervisor may see."""
    return select(Report).where(Report.filed_by_id == user.id)


def filed_reports(*, user: User) -> list[Report]:
    """The reports the user filed, newest first (with their townships)."""
    return list(db.session.scalars(
        _filed_by(user).options(selectinload(Report.township))
        .order_by(Report.submitted_at.desc(), Report.id.desc()).limit(LIST_LIMIT)
    ))


def _filed(user: User, public_id: str) -> Report:
    report = db.session.scalar(_filed_by(user).where(Report.public_id == public_id))
    if report is None:
        raise NotFoundError("report")
    return report


def filed_case(*, user: User, public_id: str) -> FiledCase:
    """One report the user filed and how far it got; NotFoundError for anybody else's."""
    report = _filed(user, public_id)
    return FiledCase(report=report, view=tracking.public_view(report))


def reply(*, user: User, public_id: str, body: str) -> Message:
    """The supervisor answers in the thread of a report they filed (at most 2,000 characters)."""
    report = _filed(user, public_id)
    body = body.strip()
    if not body:
        raise ValidationError(_("请填写回复内容。"))
    return reporter_reply(report=report, body=body[:2000])


def cadres_of(*, townships: list[Township]) -> list[Cadre]:
    """Every active cadre of the townships, by township and in board order."""
    return list(db.session.scalars(
        select(Cadre).where(Cadre.township_id.in_([t.id for t in townships]),
                            Cadre.active.is_(True))
        .order_by(Cadre.township_id, Cadre.sort_order, Cadre.id)
    ))


def file_named(*, user: User, townships: list[Township], township_code: str,
               cadre_public_id: str | None, category: str, description: str,
               observed_at: datetime | None, place: str, contact: str) -> Report:
    """File a named report as the supervisor into one of `townships` (NotFoundError otherwise)."""
    township = next((t for t in townships if t.code == township_code), None)
    if township is None:
        raise NotFoundError("township")
    cadre = None
    if cadre_public_id:
        cadre = db.session.scalar(select(Cadre).where(Cadre.public_id == cadre_public_id))
    report, _receipt = create_report(
        township=township, category=Category(category), description=description, cadre=cadre,
        observed_at=observed_at, place=place, named=True,
        reporter_name=user.display_name or user.username, reporter_contact=contact,
        source=Source.SUPERVISOR, filed_by=user,
    )
    return report
