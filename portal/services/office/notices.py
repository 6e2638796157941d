"""张榜公示: compute a township's month, publish it frozen, and publish corrections as new versions.

A published notice is JSON with a SHA-256 over its canonical form; nothing ever updates it.
Publishing again after the records changed makes version n+1 whose `changes` (JSON) lists
what differs from version n; publishing again with nothing changed does nothing.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask_babel import lazy_gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from portal.extensions import db
from portal.models import (
    Cadre,
    DiaryKind,
    FieldDiary,
    Finding,
    MonthlyNotice,
    Report,
    ReportStatus,
    Township,
    User,
    labels,
)
from portal.rules.calendar import TZ, iter_dates
from portal.services.office import duty, evaluation, rule543
from portal.services.shared import audit, audit_checkpoints, townships
from portal.services.shared.calendar import official_calendar
from portal.services.shared.errors import ConflictError, ValidationError

FORMAT = 1
CADRE_FIELDS = ("days_present", "nights", "village_days", "weeks_compliant", "weeks_total",
                "leave_days", "evening_work", "reports_substantiated", "from", "until",
                "evaluation_satisfied", "evaluation_basic", "evaluation_unsatisfied")
DUTY_KEYS = ("shifts_required", "shifts_staffed", "shifts_absent")
EVENING_KEYS = tuple(k.value for k in sorted(rule543.EVENING_KINDS))
SUBSTANTIATED = (Finding.SUBSTANTIATED, Finding.PARTLY_SUBSTANTIATED)
CONCLUDED = (ReportStatus.CONCLUDED, ReportStatus.RECTIFIED)
# The names of a notice's figures, as its pages (public and staff) head their columns.
FIELD_LABELS = {
    "days_present": _("在岗天数"),
    "nights": _("住宿夜数"),
    "village_days": _("入村天数"),
    "weeks_compliant": _("5-4-3 达标周数"),
    "weeks_total": _("考核周数"),
    "leave_days": _("请假天数"),
    "evening_work": _("四夜工作次数"),
    "reports_substantiated": _("举报查实件数"),
    "working_days": _("本月工作日"),
    "from": _("到任日期"),
    "until": _("离任日期"),
    **{f"evening_{kind.value}": text for kind, text in labels.DIARY_KIND.items()
       if kind != DiaryKind.VISIT},
    "duty_shifts_required": _("需排值班班次"),
    "duty_shifts_staffed": _("排满的值班班次"),
    "duty_shifts_absent": _("值班人员请假或出差而无人替班的班次"),
    # 民主评议 held during the month (of the month before): only once its vote is closed.
    "evaluation_satisfied": _("民主评议：满意"),
    "evaluation_basic": _("民主评议：基本满意"),
    "evaluation_unsatisfied": _("民主评议：不满意"),
    "evaluation_ballots_cast": _("民主评议：有效票数"),
}
EVALUATION_KEYS = ("month", "meeting_on", "ballots_cast")


@dataclass(frozen=True)
class PublishResult:
    notice: MonthlyNotice
    created: bool


def parse_month(text: str) -> tuple[date, date]:
    """First and last date of a YYYY-MM month; ValidationError when malformed."""
    try:
        year, month = (int(part) for part in text.split("-"))
        first = date(year, month, 1)
    except (ValueError, TypeError) as exc:
        raise ValidationError(_("月份格式应为 YYYY-MM。")) from exc
    if len(text) != 7:
        raise ValidationError(_("月份格式应为 YYYY-MM。"))
    following = date(year + month // 12, month % 12 + 1, 1)
    return first, following - timedelta(days=1)


def _reports(cadre_ids: list[int], first: date, last: date) -> dict[int, int]:
    lo = datetime.combine(first, time.min, tzinfo=TZ)
    hi = datetime.combine(last + timedelta(days=1), time.min, tzinfo=TZ)
    if not cadre_ids:
        return {}
    return dict(db.session.execute(
        select(Report.cadre_id, func.count(Report.id)).where(
            Report.cadre_id.in_(cadre_ids), Report.status.in_(CONCLUDED),
            Report.finding.in_(SUBSTANTIATED), Report.concluded_at >= lo, Report.concluded_at < hi,
        ).group_by(Report.cadre_id)
    ).all())


def _evening(cadre_ids: list[int], first: date, last: date) -> dict[int, dict[str, int]]:
    out: dict[int, dict[str, int]] = {}
    if not cadre_ids:
        return out
    for cid, kind, count in db.session.execute(
        select(FieldDiary.cadre_id, FieldDiary.kind, func.count(FieldDiary.id)).where(
            FieldDiary.cadre_id.in_(cadre_ids), FieldDiary.day >= first, FieldDiary.day <= last,
            FieldDiary.kind.in_(list(rule543.EVENING_KINDS)),
        ).group_by(FieldDiary.cadre_id, FieldDiary.kind)
    ):
        out.setdefault(cid, {})[kind.value] = count
    return out


def _served(cadre: Cadre, first: date, last: date) -> tuple[set[date], dict]:
    """The days of the month the cadre served, and the row's note of a partial month.

    The note ("from" / "until") appears only for a partial month, so that a full month's row
    reads, and hashes, the same as before service periods were recorded.
    """
    start, end = cadre.served_span(first, last) or (last, first)
    note = {}
    if start > first:
        note["from"] = start.isoformat()
    if end < last:
        note["until"] = end.isoformat()
    return set(iter_dates(start, end)), note


def _row(cadre: Cadre, results: list, records: rule543.CadreRecords, served: set[date],
         working: list[date], monthly: set[date]) -> dict:
    work = set().union(*(r.work_dates for r in results)) & served
    nights = set().union(*(r.night_dates for r in results)) & served
    village = set().union(*(r.village_dates for r in results)) & served
    # Weeks of the month the cadre served at least a day of; a partial week asks for less.
    in_month = [r for r in results if r.week_start in monthly and r.served]
    return {
        "id": cadre.public_id, "name": cadre.name, "post": cadre.post,
        "is_leader": cadre.is_leader,
        "days_present": len(work), "nights": len(nights), "village_days": len(village),
        "weeks_compliant": sum(r.compliant for r in in_month) if cadre.is_leader else None,
        "weeks_total": len(in_month) if cadre.is_leader else None,
        "leave_days": sum(1 for d in working if d in records.leave_days and d in served),
    }


def compute(township: Township, month: str) -> dict:
    """The figures of a township's month, as they would be published (a fixed number of queries).

    A cadre counts only for the days served at the township that month (service period):
    a later joiner is not in the month at all, a leaver not after leaving.
    """
    first, last = parse_month(month)
    cadres = list(db.session.scalars(
        select(Cadre).where(Cadre.township_id == township.id, Cadre.serving_between(first, last))
        .order_by(Cadre.is_leader.desc(), Cadre.sort_order, Cadre.id)))
    ids = [c.id for c in cadres]
    calendar = official_calendar()
    # The night of the month's last day belongs to the week of the morning after it.
    weeks = rule543.weeks_between(first, last + timedelta(days=1))
    gathered = rule543.gather(ids, *rule543.span_for(weeks), rule543.periods(cadres))
    monthly = set(rule543.month_weeks(first.year, first.month))
    working = [d for d in iter_dates(first, last) if calendar.is_working_day(d)]
    reports = _reports(ids, first, last)
    evening = _evening(ids, first, last)
    rows = []
    for cadre in cadres:
        served, note = _served(cadre, first, last)
        results = rule543.compute_weeks(gathered[cadre.id], weeks, calendar)
        row = _row(cadre, results, gathered[cadre.id], served, working, monthly)
        row.update(note, evening_work=sum(evening.get(cadre.id, {}).values()),
                   reports_substantiated=reports.get(cadre.id, 0))
        rows.append(row)
    totals = {key: sum(evening.get(cid, {}).get(key, 0) for cid in ids) for key in EVENING_KEYS}
    content = {
        "duty": duty_coverage(township.id, first, last),
        "format": FORMAT,
        "township": {"code": township.code, "name": township.name},
        "month": month, "working_days": len(working),
        "weeks": [w.isoformat() for w in sorted(monthly)],
        "cadres": rows,
        "evening_work": totals,
    }
    # The evaluation's keys appear only when there is one, so that a month without it reads,
    # and hashes, as it did before evaluations were recorded.
    summary = evaluation.notice_summary(township.id, month)
    if summary is not None:
        content["evaluation"], by_cadre = summary
        for cadre, row in zip(cadres, rows, strict=True):
            row.update(by_cadre.get(cadre.id, {}))
    return content


def duty_coverage(township_id: int, first: date, last: date) -> dict:
    """The month's duty coverage: required shifts, fully staffed ones, and the shifts short
    because a rostered cadre was on leave or on a trip with nobody standing in."""
    required, gaps = duty.coverage_of(township_id, first, last)
    return {"shifts_required": required, "shifts_staffed": required - len(gaps),
            "shifts_absent": sum(1 for g in gaps if g.absent)}


def canonical(content: dict) -> str:
    """The one text form of a notice: the bytes that are hashed and stored."""
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _section_changes(old: dict, new: dict, section: str, keys, prefix: str) -> list[dict]:
    """Changed figures of one section of totals (evening work, duty coverage)."""
    before, after = old.get(section, {}), new.get(section, {})
    return [{"field": f"{prefix}{key}", "old": before.get(key), "new": after.get(key)}
            for key in keys if before.get(key) != after.get(key)]


def diff(old: dict, new: dict) -> list[dict]:
    """What changed from one version's content to the next, cadre by cadre and field by field."""
    changes: list[dict] = []
    before = {row["id"]: row for row in old.get("cadres", [])}
    after = {row["id"]: row for row in new.get("cadres", [])}
    for cid, row in after.items():
        if cid not in before:
            changes.append({"cadre": row["name"], "post": row["post"], "change": "added"})
            continue
        for field in CADRE_FIELDS:
            if before[cid].get(field) != row.get(field):
                changes.append({"cadre": row["name"], "post": row["post"], "field": field,
                                "old": before[cid].get(field), "new": row.get(field)})
    for cid, row in before.items():
        if cid not in after:
            changes.append({"cadre": row["name"], "post": row["post"], "change": "removed"})
    changes += _section_changes(old, new, "evening_work", EVENING_KEYS, "evening_")
    changes += _section_changes(old, new, "duty", DUTY_KEYS, "duty_")
    changes += _section_changes(old, new, "evaluation", ("ballots_cast",), "evaluation_")
    if old.get("working_days") != new.get("working_days"):
        changes.append({"field": "working_days", "old": old.get("working_days"),
                        "new": new.get("working_days")})
    return changes


def latest(township_id: int, month: str) -> MonthlyNotice | None:
    return db.session.scalar(
        select(MonthlyNotice).where(MonthlyNotice.township_id == township_id,
                                    MonthlyNotice.month == month)
        .order_by(MonthlyNotice.version.desc()).limit(1))


def versions(township_id: int, month: str) -> list[MonthlyNotice]:
    """Every version of a month, newest first."""
    return list(db.session.scalars(
        select(MonthlyNotice).where(MonthlyNotice.township_id == township_id,
                                    MonthlyNotice.month == month)
        .order_by(MonthlyNotice.version.desc())))


def months(township_id: int) -> list[tuple[str, int, datetime]]:
    """(month, latest version, first published) of every published month, newest first."""
    rows = db.session.execute(
        select(MonthlyNotice.month, func.max(MonthlyNotice.version), func.min(MonthlyNotice.published_at))
        .where(MonthlyNotice.township_id == township_id)
        .group_by(MonthlyNotice.month).order_by(MonthlyNotice.month.desc())).all()
    return [(m, v, at) for m, v, at in rows]


def check_month_over(month: str, today: date) -> None:
    """A month is published once it is over."""
    _first, last = parse_month(month)
    if last >= today:
        raise ValidationError(_("%(month)s 还没有结束，月底以后才能公示。", month=month))


def publish(*, township: Township, month: str, actor: User | None, today: date) -> PublishResult:
    """Publish the month (version 1), or a correction when the figures changed; else nothing."""
    check_month_over(month, today)
    content = compute(township, month)
    text = canonical(content)
    digest = hashlib.sha256(text.encode()).hexdigest()
    previous = latest(township.id, month)
    if previous is not None and previous.sha256 == digest:
        return PublishResult(previous, created=False)
    changes = diff(json.loads(previous.content), content) if previous else []
    notice = MonthlyNotice(
        township_id=township.id, month=month, version=(previous.version + 1) if previous else 1,
        content=text, sha256=digest,
        changes=json.dumps(changes, ensure_ascii=False, sort_keys=True) if previous else "",
        published_by_id=actor.id if actor else None,
    )
    db.session.add(notice)
    audit.record("notice.publish", actor=actor, object_type="township", object_id=township.code,
                 detail={"month": month, "version": notice.version, "sha256": digest})
    townships.touch(township.id)
    try:
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        raise ConflictError(_("有人同时发布了这个月的公示，请刷新后再试。")) from exc
    # The chain's head, with this publication in it, anchored outside the database and
    # printed on the notice, so that the public holds a copy.
    notice.audit_checkpoint = audit_checkpoints.take().printed()
    db.session.commit()
    return PublishResult(notice, created=True)


def publish_many(*, month: str, township_codes: list[str] | None, actor: User | None,
                 today: date) -> list[tuple[Township, PublishResult]]:
    """Publish a month for the given townships (every active one when None)."""
    check_month_over(month, today)
    stmt = select(Township).where(Township.active.is_(True)).order_by(Township.code)
    if township_codes:
        stmt = select(Township).where(Township.code.in_(township_codes)).order_by(Township.code)
    targets = list(db.session.scalars(stmt))
    missing = set(township_codes or []) - {t.code for t in targets}
    if missing:
        raise ValidationError(_("没有代码为 %(codes)s 的乡镇。", codes=", ".join(sorted(missing))))
    return [(t, publish(township=t, month=month, actor=actor, today=today)) for t in targets]


def content_of(notice: MonthlyNotice) -> dict:
    """A published notice's figures, exactly as frozen."""
    return json.loads(notice.content)


def changes_of(notice: MonthlyNotice) -> list[dict]:
    return json.loads(notice.changes) if notice.changes else []
