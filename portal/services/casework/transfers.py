"""转办: an inspector sends a report to the office it belongs to, with a reason.

Three ways out of the handling office:
- to a county's office (any county of the country, by its code): the report's county, city and
  province become the receiver's, so it is in the receiver's queue and out of the sender's;
- up to the office of the city or the province above (office_level 1 or 2): the offices below
  still see the case but can no longer change it (cases.may_change);
- forwarded to an authority outside the system (公安、法院、组织部门…): the case is closed here as
  已转交, with the authority named.

The receiving office starts again from 待受理 with its own deadline: the working days of the
forwarding rule (REPORT_TRANSFER_WORKING_DAYS, 5) from the day it arrives. The case number
stays the one its first county gave (Report.case_county_id). A named reporter's sealed
identity is re-sealed to the receiving county's office key (docs/security.md), so that the
receiver's inspectors can open it; the sender's keys then no longer do. The sending office
keeps the ReportTransfer rows as its read-only trace (`sent_by`), and the reporter reads
"已转交<office>办理" on /track, nothing more.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portal.extensions import db
from portal.models import (
    Region,
    RegionLevel,
    Report,
    ReportStatus,
    ReportTransfer,
    TransferKind,
    User,
)
from portal.models.base import utcnow
from portal.rules import deadlines
from portal.rules import sealing as seal_rules
from portal.rules.lifecycle import Step
from portal.sanitize import clean_text
from portal.services.casework import case_numbers, review
from portal.services.casework.cases import OFFICE_LEVELS
from portal.services.shared import sealing
from portal.services.shared.calendar import official_calendar
from portal.services.shared.errors import IllegalTransitionError, ValidationError
from portal.services.shared.transaction import commit_or_conflict, use_case

REASON_LENGTH = 2000
AUTHORITY_LENGTH = 100
TRANSFER_WORKING_DAYS = 5  # 属于其他机关或上级管辖的，5个工作日内转送


def office_name(region: Region) -> str:
    """The discipline-inspection office of a region as the public names it (演示县纪委监委)."""
    return f"{region.name}纪委监委"


def handling_region(report: Report) -> Region:
    """The region whose office handles the report now (county, city or province)."""
    region = db.session.get(Region, report.county_id)
    for _level in range(report.office_level or 0):
        if region is None or region.parent_id is None:
            break
        region = db.session.get(Region, region.parent_id)
    return region


def _receiving_county(typed: str) -> Region:
    """A county by its 6-digit code, or by its name when only one county has it."""
    typed = (typed or "").strip()[:64]
    region = None
    if typed:
        found = list(db.session.scalars(
            select(Region).where(Region.level == RegionLevel.COUNTY,
                                 (Region.code == typed) | (Region.name == typed)).limit(2)))
        region = found[0] if len(found) == 1 else None
    if region is None:
        raise ValidationError(_("找不到这个县（区）：请填写6位行政区划代码，例如 130123。"))
    return region


def _reseal(report: Report, county_id: int, keyring: sealing.Keyring) -> None:
    """The sealed identity, now openable by the receiving county's office (or waiting for its key)."""
    if report.sealed_data_key is None:
        if report.legacy_reporter_name or report.legacy_reporter_contact:
            # Waiting in the former columns for its county's key: the flush seals it to the
            # receiving county's key if that county has one (models.report._seal_identity).
            report.reporter_name = report.legacy_reporter_name
        return  # anonymous, or waiting as the receiving county's own reports do
    data_key = sealing.data_key(report, keyring)
    if data_key is None:
        raise IllegalTransitionError(_(
            "实名举报人的身份已加密封存，您的账号尚未获得本单位的密钥，不能转办到其他县。"
            "请重新登录一次，或请持有密钥的同事办理。"))
    target = sealing.current_office_key(county_id)
    if target is None:
        # The receiving county has no office key yet: the identity waits in the former
        # columns, as that county's own reports do, until `flask sealing init` seals it.
        identity = seal_rules.decrypt_fields(data_key, report.sealed_identity)
        report.legacy_reporter_name, report.legacy_reporter_contact = (identity.get("name"),
                                                                       identity.get("contact"))
        report.sealed_identity = report.sealed_data_key = None
        report.office_key_id = None
        return
    report.sealed_data_key = seal_rules.seal_to(target.public_key, data_key)
    report.office_key_id = target.id
    report.__dict__["_data_key"] = data_key


@dataclass(frozen=True)
class Target:
    kind: TransferKind
    region: Region | None
    level: int | None
    authority: str
    office: str  # as the reporter reads it


def _target(report: Report, *, kind: str, county: str, level: str, authority: str) -> Target:
    try:
        kind = TransferKind(kind)
    except ValueError as error:
        raise ValidationError(_("请选择转办去向。")) from error
    if kind == TransferKind.OUTSIDE:
        authority = clean_text(authority, AUTHORITY_LENGTH)
        if not authority:
            raise ValidationError(_("请填写接收的外部机关名称。"))
        return Target(kind, None, None, authority, authority)
    if kind == TransferKind.COUNTY:
        region = _receiving_county(county)
        if region.id == report.county_id and not report.office_level:
            raise ValidationError(_("此举报已由该县办理，请选择其他县（区）。"))
        return Target(kind, region, 0, "", office_name(region))
    wanted = {"city": 1, "province": 2}.get(level)
    if wanted is None:
        raise ValidationError(_("请选择转交市级还是省级纪委监委。"))
    if wanted <= (report.office_level or 0):
        raise ValidationError(_("只能转交给比当前办理机关更高一级的机关。"))
    region = db.session.get(Region, report.county_id)
    for _step in range(wanted):
        region = db.session.get(Region, region.parent_id) if region and region.parent_id else None
    if region is None:
        raise ValidationError(_("此县没有上一级机关的记录，不能转交。"))
    return Target(kind, region, wanted, "", office_name(region))


def _receiver_deadline(now: datetime) -> datetime:
    days = current_app.config.get("REPORT_TRANSFER_WORKING_DAYS", TRANSFER_WORKING_DAYS)
    return deadlines.accept_deadline(now, official_calendar(), days)


def _move(report: Report, target: Target, now: datetime) -> None:
    """The report now belongs to the receiving office, from 待受理, with its own deadline."""
    if target.kind == TransferKind.COUNTY and target.region.id != report.county_id:
        if report.case_county_id is None:
            report.case_county_id = report.county_id  # the number stays its first county's
        elif report.case_county_id == target.region.id:
            report.case_county_id = None  # back home: the number is that county's own again
        report.county_id = target.region.id
        report.city_id = target.region.parent_id
        parent = db.session.get(Region, target.region.parent_id) if target.region.parent_id else None
        report.province_id = parent.parent_id if parent else None
    report.office_level = target.level
    # A case handled by a city or province is in its "escalated" view, and escalates on
    # from there when overdue; a county starts from level 0.
    report.escalation_level = target.level
    report.escalated_at = now if target.level else None
    report.status = ReportStatus.SUBMITTED
    report.assignee_id = None
    report.accept_due = _receiver_deadline(now)
    report.conclude_due = None
    report.accepted_at = None


@use_case
def transfer(*, user: User, report: Report, kind: str, reason: str, county: str = "",
             level: str = "", authority: str = "",
             keyring: sealing.Keyring | None = None) -> ReportTransfer:
    """Transfer the report to another office (or forward it out of the system), with a reason."""
    review._require_inspector(user)
    outside = kind == TransferKind.OUTSIDE
    to_status = review._require(Step.FORWARD if outside else Step.TRANSFER, report, user)
    reason = clean_text(reason, review.NOTE_LENGTH, multiline=True)
    if not reason:
        raise ValidationError(_("请填写转办的理由。"))
    if db.session.scalar(select(Report.id).where(Report.merged_into_id == report.id).limit(1)):
        raise ValidationError(_("有其他举报并入此举报，不能单独转办。"))
    target = _target(report, kind=kind, county=county, level=level, authority=authority)
    sender = handling_region(report)
    now = utcnow()
    record = ReportTransfer(
        report=report, at=now, actor_id=user.id, kind=target.kind, from_region_id=sender.id,
        from_level=OFFICE_LEVELS.get(sender.level, 0), from_status=report.status,
        to_region_id=target.region.id if target.region else None, to_level=target.level,
        to_authority=target.authority, reason=reason,
    )
    db.session.add(record)
    review._event(report, user, "transferred", to_status, at=now,
                  public_note=review.PUBLIC_NOTES["transferred"] % {"office": target.office},
                  staff_note=f"{office_name(sender)} → {target.office}: {reason}")
    if target.kind == TransferKind.COUNTY and target.region.id != report.county_id:
        _reseal(report, target.region.id, keyring or {})
    if outside:
        report.status = to_status
        report.assignee_id = None
        report.closed_at = now
    else:
        _move(report, target, now)
    review._audit("transferred", user, report, kind=target.kind.value, sender=sender.code,
                  receiver=target.region.code if target.region else target.authority)
    commit_or_conflict(review.CONFLICT)
    return record


# --- what the offices and the reporter see of transfers ---------------------------------------


@dataclass(frozen=True)
class TraceRow:
    """A transfer as the sending office keeps it: what, when, to whom, why; the case as it is."""

    case_number: str
    township: str
    category: object
    at: datetime
    kind: TransferKind
    to_office: str
    reason: str
    status: ReportStatus  # the case's status now, wherever it is


def sent_by(*, user: User, limit: int = 200) -> list[TraceRow]:
    """The transfers out of the user's office, newest first (read-only: the case may be gone)."""
    region = user.scope_region
    if region is None:
        return []
    rows = list(db.session.scalars(
        select(ReportTransfer).where(ReportTransfer.from_region_id == region.id)
        .options(joinedload(ReportTransfer.report).joinedload(Report.township),
                 joinedload(ReportTransfer.to_region))
        .order_by(ReportTransfer.at.desc(), ReportTransfer.id.desc()).limit(limit)))
    numbers = case_numbers.numbers_of([r.report for r in rows])
    return [TraceRow(
        case_number=numbers[r.report.id] or r.report.public_id, township=r.report.township.name,
        category=r.report.category, at=r.at, kind=r.kind,
        to_office=office_name(r.to_region) if r.to_region else r.to_authority,
        reason=r.reason, status=r.report.status) for r in rows]


def history(report: Report) -> list[ReportTransfer]:
    """A report's transfers, oldest first, with their offices loaded (for the case page)."""
    return list(db.session.scalars(
        select(ReportTransfer).where(ReportTransfer.report_id == report.id)
        .options(joinedload(ReportTransfer.from_region), joinedload(ReportTransfer.to_region))
        .order_by(ReportTransfer.at, ReportTransfer.id)))


def last_office(report: Report) -> str:
    """The office (or authority) the report was last transferred to, as the reporter reads it."""
    row = db.session.scalars(
        select(ReportTransfer).where(ReportTransfer.report_id == report.id)
        .options(joinedload(ReportTransfer.to_region))
        .order_by(ReportTransfer.at.desc(), ReportTransfer.id.desc()).limit(1)).first()
    if row is None:
        return ""
    return office_name(row.to_region) if row.to_region else row.to_authority
