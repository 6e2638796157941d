"""通报曝光: an inspector publishes a substantiated case on the county's public page.

Only a concluded case found substantiated or partly substantiated may be published. The
inspector words what the public reads (what was found, what was done), prefilled from the
conclusion and edited: the report's description is never copied, and nothing about the
reporter (the public wording may not hold a phone number, an ID number or an e-mail address,
nor the description itself). Publishing and withdrawing (with a reason) are written to the
case's history and the audit log, in one transaction each.

The public side (`county_page`, `feed_entries`) reads only `PublishedCase` rows, and gives
templates plain `PublicCase` values: township, cadre's name and post, category, what was found,
what was done, the dates. `fingerprint` is what the page's ETag is made of: it moves with every
publication and withdrawal, so a change shows at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import lazy_gettext as _
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import (
    PublishedCase,
    Region,
    RegionLevel,
    Report,
    ReportEvent,
    ReportStatus,
    Role,
    Township,
    User,
    labels,
)
from portal.models.base import utcnow
from portal.rules.calendar import local_date
from portal.rules.lifecycle import Finding
from portal.sanitize import clean_text
from portal.services.casework.cases import get_report
from portal.services.shared import audit
from portal.services.shared.errors import IllegalTransitionError, ValidationError
from portal.services.shared.transaction import use_case

PUBLISHABLE_FINDINGS = (Finding.SUBSTANTIATED, Finding.PARTLY_SUBSTANTIATED)
CONCLUDED = (ReportStatus.CONCLUDED, ReportStatus.RECTIFIED)
MAX_TEXT = 1000
MAX_NAME = 64
MAX_REASON = 1000
PAGE_SIZE = 20
FEED_SIZE = 50
# A description copied into the public wording: this many characters of it in a row.
_COPIED = 12
_MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
_PHONE = re.compile(r"(?<!\d)0\d{2,3}-?\d{7,8}(?!\d)")
_ID_CARD = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")


# --- the inspector's side ------------------------------------------------------------------


@dataclass(frozen=True)
class CaseExposure:
    """What the case page shows of a case's publication and what the user may do with it."""

    published: PublishedCase | None
    may_publish: bool
    may_withdraw: bool
    defaults: dict[str, str]  # the publish form's prefilled wording
    public_url_args: dict[str, str]  # for url_for("public.cases.page", **...)


def _publishable(report: Report) -> bool:
    return report.status in CONCLUDED and report.finding in PUBLISHABLE_FINDINGS


def _published(report: Report) -> PublishedCase | None:
    return db.session.scalar(select(PublishedCase).where(PublishedCase.report_id == report.id))


def _defaults(report: Report, row: PublishedCase | None) -> dict[str, str]:
    if row is not None:
        return {"cadre_name": row.cadre_name, "cadre_post": row.cadre_post,
                "found": row.found, "done": row.done}
    cadre = report.cadre
    action = str(labels.PUBLIC_ACTION.get(report.action, "")) if report.action else ""
    category = str(labels.CATEGORY[report.category])
    return {
        "cadre_name": cadre.name if cadre else report.cadre_text,
        "cadre_post": cadre.post if cadre else "",
        # The conclusion's public part, as the reporter read it; never the description.
        "found": report.outcome_public or category,
        "done": action,
    }


def case_exposure(*, user: User, report: Report) -> CaseExposure | None:
    """The publication part of the case page; None where there is nothing to show or do."""
    row = _published(report)
    if row is None and not _publishable(report):
        return None
    inspector = user.role == Role.INSPECTOR
    live = row is not None and row.withdrawn_at is None
    return CaseExposure(
        published=row, may_publish=inspector and _publishable(report) and not live,
        may_withdraw=inspector and live, defaults=_defaults(report, row),
        public_url_args={"code": report.township.code[:6]},
    )


def _public_text(value: str | None, limit: int, what: str) -> str:
    text = clean_text(value, limit)
    if not text:
        raise ValidationError(_("请填写%(what)s。", what=what))
    if any(p.search(text) for p in (_MOBILE, _PHONE, _ID_CARD, _EMAIL)):
        raise ValidationError(_("公开的内容里不能有电话号码、身份证号码或电子邮箱。"))
    return text


def _copies(text: str, description: str) -> bool:
    """True when `text` repeats a stretch of the description (the reporter's own words)."""
    plain = re.sub(r"\s+", "", description or "")
    flat = re.sub(r"\s+", "", text)
    if len(plain) < _COPIED:
        return bool(plain) and plain in flat
    return any(plain[i:i + _COPIED] in flat for i in range(0, len(plain) - _COPIED + 1))


def _require(user: User, report: Report) -> None:
    if user.role != Role.INSPECTOR:
        raise IllegalTransitionError(_("只有纪检监察干部可以通报曝光。"))
    if not _publishable(report):
        raise IllegalTransitionError(_("只有已办结、核查属实或部分属实的问题可以通报曝光。"))


@use_case
def publish(*, user: User, public_id: str, cadre_name: str, cadre_post: str, found: str,
            done: str) -> PublishedCase:
    """Publish a concluded substantiated case with the inspector's public wording."""
    report = get_report(user=user, public_id=public_id, for_update=True)
    _require(user, report)
    values = {
        "cadre_name": _public_text(cadre_name, MAX_NAME, _("干部姓名")),
        "cadre_post": _public_text(cadre_post, MAX_NAME, _("职务")),
        "found": _public_text(found, MAX_TEXT, _("查实的问题")),
        "done": _public_text(done, MAX_TEXT, _("处理结果")),
    }
    if any(_copies(values[k], report.description) for k in ("found", "done")):
        raise ValidationError(_("公开的内容不能照抄举报描述，请用通报的语言概括查实的问题。"))
    row = _published(report)
    if row is not None and row.withdrawn_at is None:
        raise IllegalTransitionError(_("此问题已经通报曝光。"))
    now = utcnow()
    concluded = report.concluded_at or now
    if row is None:
        row = PublishedCase(report_id=report.id, county_id=report.county_id,
                            township_id=report.township_id, times_published=0)
        db.session.add(row)
    for key, value in values.items():
        setattr(row, key, value)
    row.category, row.finding, row.action = report.category, report.finding, report.action
    row.concluded_on = local_date(concluded)
    row.published_at = row.changed_at = now
    row.published_by_id = user.id
    row.withdrawn_at = row.withdrawn_by_id = None
    row.withdraw_reason = ""
    row.times_published += 1
    db.session.add(ReportEvent(report_id=report.id, at=now, actor_id=user.id, kind="published",
                               from_status=report.status, to_status=report.status))
    db.session.flush()
    audit.record("case.published", actor=user, object_type="report", object_id=report.public_id,
                 detail={"case": row.public_id, "county": report.township.code[:6],
                         "times": row.times_published})
    db.session.commit()
    return row


@use_case
def withdraw(*, user: User, public_id: str, reason: str) -> PublishedCase:
    """Take a published case off the public page, with the reason (kept for staff)."""
    if user.role != Role.INSPECTOR:
        raise IllegalTransitionError(_("只有纪检监察干部可以撤回通报。"))
    report = get_report(user=user, public_id=public_id, for_update=True)
    row = _published(report)
    if row is None or row.withdrawn_at is not None:
        raise IllegalTransitionError(_("此问题目前没有通报曝光。"))
    text = clean_text(reason, MAX_REASON)
    if not text:
        raise ValidationError(_("请写明撤回的理由。"))
    now = utcnow()
    row.withdrawn_at = row.changed_at = now
    row.withdrawn_by_id = user.id
    row.withdraw_reason = text
    db.session.add(ReportEvent(report_id=report.id, at=now, actor_id=user.id, kind="withdrawn",
                               from_status=report.status, to_status=report.status, staff_note=text))
    audit.record("case.withdrawn", actor=user, object_type="report", object_id=report.public_id,
                 detail={"case": row.public_id, "reason": text})
    db.session.commit()
    return row


# --- the public side -----------------------------------------------------------------------


@dataclass(frozen=True)
class PublicCase:
    """One published case as the public page and the feed show it: nothing else reaches them."""

    public_id: str
    township: str
    township_code: str
    cadre_name: str
    cadre_post: str
    category: str
    found: str
    done: str
    concluded_on: date
    published_at: datetime


@dataclass(frozen=True)
class CountyCases:
    county_code: str
    county_name: str
    cases: list[PublicCase]
    page: int
    has_next: bool
    updated: datetime | None  # the latest publication or withdrawal


def county_of(code: str) -> Region | None:
    """The county of a 6-digit code, or None."""
    if not (len(code) == 6 and code.isdigit()):
        return None
    return db.session.scalar(select(Region).where(Region.code == code,
                                                  Region.level == RegionLevel.COUNTY))


def fingerprint(county: Region) -> tuple:
    """What changes with every publication and withdrawal in the county (for the ETag)."""
    count, changed = db.session.execute(
        select(func.count(), func.max(PublishedCase.changed_at))
        .where(PublishedCase.county_id == county.id)).one()
    return county.code, count, changed.isoformat() if changed else ""


def _live(county: Region):
    return (select(PublishedCase, Township.name, Township.code)
            .join(Township, Township.id == PublishedCase.township_id)
            .where(PublishedCase.county_id == county.id, PublishedCase.withdrawn_at.is_(None))
            .order_by(PublishedCase.published_at.desc(), PublishedCase.id.desc()))


def _public(row: PublishedCase, township: str, code: str) -> PublicCase:
    return PublicCase(
        public_id=row.public_id, township=township, township_code=code, cadre_name=row.cadre_name,
        cadre_post=row.cadre_post, category=str(labels.CATEGORY[row.category]), found=row.found,
        done=row.done, concluded_on=row.concluded_on, published_at=row.published_at,
    )


def _updated(county: Region) -> datetime | None:
    return db.session.scalar(select(func.max(PublishedCase.changed_at))
                             .where(PublishedCase.county_id == county.id))


def county_page(county: Region, page: int = 1) -> CountyCases:
    """A page of the county's published cases, newest first (PAGE_SIZE a page)."""
    page = max(1, page)
    rows = db.session.execute(_live(county).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)).all()
    cases = [_public(*row) for row in rows[:PAGE_SIZE]]
    return CountyCases(county.code, county.name, cases, page, len(rows) > PAGE_SIZE, _updated(county))


def feed_entries(county: Region) -> CountyCases:
    """The newest FEED_SIZE published cases of the county, for the Atom feed."""
    rows = db.session.execute(_live(county).limit(FEED_SIZE)).all()
    return CountyCases(county.code, county.name, [_public(*row) for row in rows], 1, False,
                       _updated(county))
