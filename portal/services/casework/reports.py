"""Reports from the public, supervisors and spot checks: the one way a report comes in.

`create_report` cleans, routes (to the county of the township), sets the first deadline,
writes the first history event and stores the receipt only as a keyed hash. The plain
receipt is returned once, to be shown once; it is never stored or logged. Nothing about
the client (address, user agent) is ever passed in, so nothing of it can be stored.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable, Sequence
from contextlib import nullcontext
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import insert, select
from sqlalchemy.orm import make_transient_to_detached

from portal import database
from portal.extensions import db
from portal.models import (
    Cadre,
    Category,
    Evidence,
    Message,
    Report,
    ReportEvent,
    ReportStatus,
    Sender,
    Source,
    Township,
    User,
)
from portal.models.base import new_public_id, utcnow
from portal.models.report import report_from_columns, sealed_identity_columns
from portal.rules.deadlines import accept_deadline
from portal.rules.receipts import RECEIPT_DIGITS, new_receipt, normalize_receipt, receipt_hash
from portal.sanitize import clean_text
from portal.services.casework import alerts, case_numbers, evidence, messages
from portal.services.shared import audit, townships
from portal.services.shared.calendar import calendar_for
from portal.services.shared.errors import ValidationError
from portal.services.shared.transaction import use_case

MAX_DESCRIPTION = 2000
MIN_DESCRIPTION = 5
MAX_PLACE = 200
MAX_CADRE_TEXT = 64
MAX_NAME = 64
# Photos a reporter may send in all (with the report and later replies): bounds storage.
MAX_REPORT_PHOTOS = 20
MAX_CONTACT = 128
# A report may describe something seen a while ago, but not in the future.
FUTURE_TOLERANCE = timedelta(minutes=10)
MAX_AGE = timedelta(days=366)
# Looked up when a code is malformed, so that every look-up does the same work.
_DUMMY_RECEIPT = "0" * RECEIPT_DIGITS
# A cadre's public id, as the report form's select sends it (see new_public_id).
_PUBLIC_ID = re.compile(r"[A-Za-z0-9_-]{16}")


def receipt_key() -> bytes:
    """The HMAC key of receipt hashes: RECEIPT_SECRET, or one derived from SECRET_KEY."""
    secret = current_app.config.get("RECEIPT_SECRET") or current_app.config["SECRET_KEY"]
    if not secret:
        raise RuntimeError("SECRET_KEY is not set")
    return hmac.new(secret.encode(), b"zaigang receipt-key v1", hashlib.sha256).digest()


def hash_receipt(receipt: str) -> str:
    """The keyed hash under which a receipt is stored."""
    return receipt_hash(receipt_key(), receipt)


def find_by_receipt(receipt: str) -> Report | None:
    """The report of a receipt, or None; the same work whether it exists or is malformed."""
    digits = normalize_receipt(receipt or "")
    digest = hash_receipt(digits if digits is not None else _DUMMY_RECEIPT)
    report = db.session.scalar(select(Report).where(Report.receipt_hash == digest))
    return report if digits is not None else None


def _check_observed(observed_at: datetime | None, now: datetime) -> None:
    if observed_at is None:
        return
    if observed_at.tzinfo is None:
        raise ValueError("observed_at must be timezone-aware")
    if observed_at > now + FUTURE_TOLERANCE:
        raise ValidationError(_("发现时间不能晚于现在。"), field="observed_at")
    if observed_at < now - MAX_AGE:
        raise ValidationError(_("发现时间不能早于一年前。"), field="observed_at")


def _check_cadre(cadre: Cadre | None, township: Township) -> None:
    if cadre is not None and (cadre.township_id != township.id or not cadre.active):
        raise ValidationError(_("所选干部不在该乡镇的干部名单中。"))


def _clean_photos(photos: Iterable) -> list[evidence.CleanImage]:
    photos = list(photos)
    if len(photos) > current_app.config["MAX_PHOTOS"]:
        raise ValidationError(_("最多上传 %(n)s 张照片。", n=current_app.config["MAX_PHOTOS"]))
    # Every photo is checked before anything is written: a bad one stops the whole report.
    return evidence.clean_photos(photos)


# Built once and given their values at execution: the compiled form is then cached.
_INSERT_REPORT = insert(Report.__table__)
_INSERT_EVENT = insert(ReportEvent.__table__)


@use_case
def create_report(*, township: Township | townships.Route, category: Category, description: str,
                  cadre: Cadre | None = None, cadre_text: str = "",
                  observed_at: datetime | None = None, place: str = "", named: bool = False,
                  reporter_name: str | None = None, reporter_contact: str | None = None,
                  source: Source = Source.PUBLIC, filed_by: User | None = None,
                  photos: Sequence = (), commit: bool = True) -> tuple[Report, str]:
    """File a report; returns it with the plain receipt code (show it once, never store it)."""
    now = utcnow()
    text = clean_text(description, MAX_DESCRIPTION)
    if len(text) < MIN_DESCRIPTION:
        raise ValidationError(_("请把看到的情况写清楚（至少 %(n)s 个字）。", n=MIN_DESCRIPTION),
                              field="description")
    if not township.active:
        raise ValidationError(_("该乡镇不在本平台的范围内。"))
    category = Category(category)
    _check_cadre(cadre, township)
    _check_observed(observed_at, now)
    name = clean_text(reporter_name, MAX_NAME, multiline=False) if named else ""
    contact = clean_text(reporter_contact, MAX_CONTACT, multiline=False) if named else ""
    if named and not (name and contact):
        raise ValidationError(_("实名举报请填写姓名和联系方式。"))
    images = _clean_photos(photos)

    receipt = new_receipt()
    route = townships.route_of(township)
    accept_due = accept_deadline(now, calendar_for(route),
                                 current_app.config["REPORT_ACCEPT_WORKING_DAYS"])
    values = {
        "public_id": new_public_id(), "receipt_hash": hash_receipt(receipt),
        "township_id": route.id, "county_id": route.county_id, "city_id": route.city_id,
        "province_id": route.province_id, "escalation_level": 0,
        "cadre_id": cadre.id if cadre else None,
        "cadre_text": "" if cadre else clean_text(cadre_text, MAX_CADRE_TEXT, multiline=False),
        "category": category, "observed_at": observed_at,
        "place": clean_text(place, MAX_PLACE, multiline=False), "description": text,
        "named": named,
        "source": Source(source), "filed_by_id": filed_by.id if filed_by else None,
        "status": ReportStatus.SUBMITTED, "submitted_at": now, "accept_due": accept_due,
        "not_accepted_reason": "", "outcome_public": "", "version": 1,
    }
    # The identity is sealed here, before any row is written (one look-up of the office key,
    # for named reports only).
    identity, data_key = sealed_identity_columns(db.session, route.county_id, name or None, contact or None)
    values.update(identity)
    prepared = audit.entry("report.submitted", actor=filed_by, object_type="report",
                           object_id=values["public_id"], detail={
                               "source": values["source"].value, "township": route.code,
                               "photos": len(images), "named": named})
    # Everything is worked out above: from the report's row to the commit, the statements
    # follow one another with nothing in between, as the rows hold the chain's lock (see
    # audit.append) and, on SQLite, the database's one write lock.
    with database.write_turn() if commit else nullcontext():
        report = _write(values, images, prepared, data_key)
        if commit:
            db.session.commit()
    if report is None:
        report = _persistent(values, data_key)
    return report, receipt


def _write(values: dict, images: list, prepared: dict, data_key: bytes | None) -> Report | None:
    """The report's rows and its audit entry, in the session's transaction; the report's ORM
    object if its photos needed one, else None (it is made after the commit)."""
    # Plain INSERTs: a new report has no unit of work to track, only rows to write.
    connection = db.session.connection()
    values["case_year"] = case_numbers.year_of(values["submitted_at"])
    values["case_seq"] = case_numbers.take_number(connection, values["county_id"], values["case_year"])
    values["id"] = connection.execute(_INSERT_REPORT, values).inserted_primary_key[0]
    connection.execute(_INSERT_EVENT, {
        "report_id": values["id"], "at": values["submitted_at"],
        "actor_id": values["filed_by_id"], "kind": "submitted", "from_status": None,
        "to_status": ReportStatus.SUBMITTED, "public_note": "", "staff_note": "",
    })
    report = _persistent(values, data_key) if images else None
    for image in images:
        evidence.add_clean(report, image)
    audit.append(prepared)
    alerts.queue_new_report(values)
    return report


def _persistent(values: dict, data_key: bytes | None) -> Report:
    """The ORM's view of the report row just written, without reading it back."""
    report = report_from_columns(values, data_key)
    make_transient_to_detached(report)
    db.session.add(report)
    return report


def resolve_cadre(township: Township, chosen: str | None = "",
                  typed: str | None = "") -> tuple[Cadre | None, str]:
    """The active cadre of the township a reporter chose (by public id) or typed (by a name
    that only one of them has), else None and the typed text.

    At most one bounded query, whatever the size of the roster.
    """
    chosen, typed = (chosen or "").strip(), (typed or "").strip()
    name = typed or chosen
    if not name:
        return None, ""
    roster = select(Cadre).where(Cadre.township_id == township.id, Cadre.active.is_(True))
    if _PUBLIC_ID.fullmatch(chosen):
        cadre = db.session.scalar(roster.where(Cadre.public_id == chosen))
        if cadre is None:
            raise ValidationError(_("所选干部不在该乡镇的干部名单中。"))
        return cadre, ""
    matches = db.session.scalars(roster.where(Cadre.name == name).limit(2)).all()
    return (matches[0], "") if len(matches) == 1 else (None, name)


def reply_token(report: Report) -> str:
    """A token of the thread's length: a reply form sent twice (reload, back) is refused once."""
    state = f"{report.public_id}:{len(report.messages)}".encode()
    return hmac.new(receipt_key(), b"reply:" + state, hashlib.sha256).hexdigest()[:32]


def form_roster(township: Township | townships.Route) -> tuple[Township, list[Cadre]]:
    """The township and its active cadres, leaders first, for the report form to choose from."""
    if isinstance(township, townships.Route):
        township = db.session.get(Township, township.id)
    return township, list(db.session.scalars(
        select(Cadre).where(Cadre.township_id == township.id, Cadre.active.is_(True))
        .order_by(Cadre.is_leader.desc(), Cadre.sort_order, Cadre.id)
    ))


@use_case
def reporter_reply(*, report: Report, body: str, photos: Sequence = ()) -> Message:
    """The reporter answers in the thread, optionally with photos; one transaction."""
    if report.purged_at is not None:
        raise messages.ReportClosedError(_("此举报已归档，不能再补充内容。"))
    if not clean_text(body, messages.MAX_MESSAGE_LENGTH):
        raise ValidationError(_("请写下要回复的内容。"))
    images = _clean_photos(photos)
    if images and sum(photo_counts(report).values()) + len(images) > MAX_REPORT_PHOTOS:
        raise evidence.PhotoError(_("这件举报的照片已经够多了（最多 %(n)s 张），不能再添加。",
                                    n=MAX_REPORT_PHOTOS))
    message = messages.add_message(report=report, sender=Sender.REPORTER, body=body, commit=False)
    db.session.flush()
    for image in images:
        evidence.add_clean(report, image, message)
    alerts.queue_reporter_message(report, message.at)
    db.session.commit()
    return message


def photo_counts(report: Report) -> dict[int | None, int]:
    """How many photos the report (key None) and each message carry."""
    counts: dict[int | None, int] = {}
    rows = db.session.execute(
        select(Evidence.message_id).where(Evidence.report_id == report.id,
                                          Evidence.purged_at.is_(None))
    )
    for (message_id,) in rows:
        counts[message_id] = counts.get(message_id, 0) + 1
    return counts


_MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
_ID_CARD = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_SELF_WORDS = ("我叫", "我的名字", "本人姓名", "我家住", "我的电话", "我的手机")


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def identifying_details(description: str, name: str | None = None,
                        contact: str | None = None) -> list[str]:
    """What in the description could identify the reporter, in plain words (may be empty)."""
    found: list[str] = []
    text = description or ""
    name = (name or "").strip()
    if name and (name in text or (len(name) >= 3 and name[1:] in text)):
        found.append(_("描述里有您自己的姓名"))
    contact = (contact or "").strip()
    contact_digits = _digits(contact)
    if contact and (contact.lower() in text.lower()
                    or (len(contact_digits) >= 6 and contact_digits in _digits(text))):
        found.append(_("描述里有您自己的联系方式"))
    if _MOBILE.search(text) and _("描述里有您自己的联系方式") not in found:
        found.append(_("描述里有手机号码"))
    if _ID_CARD.search(text):
        found.append(_("描述里有身份证号码"))
    if _EMAIL.search(text):
        found.append(_("描述里有电子邮箱"))
    if any(word in text for word in _SELF_WORDS):
        found.append(_("描述里有介绍您自己的话（如“我叫……”“我家住……”）"))
    return found
