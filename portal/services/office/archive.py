"""The cadre archive (干部档案): years of continuous township service and the incentive marks,
and everything one cadre's archive page shows (5-4-3 history, leave, visits and diaries, the
published notices, the reports concluded against them).

PRODUCT.md "Service and incentives": an ordinary cadre with 25 continuous years in townships
may be given 副主任科员 treatment, a deputy leader with 10 years 主任科员 treatment (both
subject to every annual assessment being 称职 or better, which the county checks).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.extensions import db
from portal.models import (
    PASSING_GRADES,
    AnnualAssessment,
    AssessmentGrade,
    Cadre,
    FieldDiary,
    Leave,
    MonthlyNotice,
    Report,
    ReportStatus,
    Township,
    User,
    VillageVisit,
)
from portal.rules import incentives, rule_543
from portal.services.office import rule543, visits
from portal.services.shared import audit
from portal.services.shared.errors import NotFoundError, ValidationError
from portal.services.shared.scope import township_ids_in_scope

ORDINARY_MARK_YEARS = 25
DEPUTY_MARK_YEARS = 10
# 正科 posts: the deputy-leader mark is not theirs.
PRINCIPAL_POSTS = ("党委书记", "镇长", "乡长", "办事处主任", "街道办主任", "人大主席", "人大主任", "工委书记")
HISTORY_WEEKS = (12, 26, 52)
NOTICE_MONTHS = 24
LIST_LIMIT = 100
MARKS_LIMIT = 1000
FIRST_ASSESSED_YEAR = 1980


@dataclass(frozen=True)
class Service:
    since: date | None
    years: int | None
    mark: str | None  # "ordinary" | "deputy" | None
    # The annual assessments of the service's completed years (the article's condition).
    assessments: incentives.YearsCheck | None = None

    @property
    def meets(self) -> bool:
        """The mark is reached and every year's assessment is at least 称职."""
        return bool(self.mark) and self.assessments is not None and self.assessments.ok


@dataclass(frozen=True)
class Marks:
    flagged: list[tuple[Cadre, Township, Service]]
    truncated: bool


@dataclass(frozen=True)
class CadreArchive:
    cadre: Cadre
    service: Service
    history: list[rule_543.WeekResult]
    leaves: list[Leave]
    visits: list[VillageVisit]
    diaries: dict
    states: dict
    evening: list[FieldDiary]
    reports: list[Report]
    notices: list[tuple[MonthlyNotice, dict]]


def full_years(since: date, today: date) -> int:
    """Completed years from `since` to `today`."""
    years = today.year - since.year
    if (today.month, today.day) < (since.month, since.day):
        years -= 1
    return max(0, years)


def is_deputy_leader(cadre: Cadre) -> bool:
    """A member of the leadership team who is not one of the 正科 principals."""
    if not cadre.is_leader or cadre.chief_role is not None:
        return False
    return not any(cadre.post.startswith(p) for p in PRINCIPAL_POSTS)


def service_of(cadre: Cadre, today: date, grades: dict[int, str] | None = None) -> Service:
    """Years of continuous township service, the incentive mark reached, if any, and (given
    the cadre's assessments by year) whether every year was assessed at least 称职."""
    if cadre.township_service_since is None:
        return Service(None, None, None)
    years = full_years(cadre.township_service_since, today)
    mark = None
    if not cadre.is_leader and years >= ORDINARY_MARK_YEARS:
        mark = "ordinary"
    elif is_deputy_leader(cadre) and years >= DEPUTY_MARK_YEARS:
        mark = "deputy"
    check = (incentives.check_years(cadre.township_service_since, today, grades, PASSING_GRADES)
             if grades is not None else None)
    return Service(cadre.township_service_since, years, mark, check)


def grades_of(cadre_ids: list[int]) -> dict[int, dict[int, str]]:
    """The recorded assessments of the cadres: {cadre_id: {year: grade}}, in one query."""
    out: dict[int, dict[int, str]] = {cid: {} for cid in cadre_ids}
    if cadre_ids:
        for cid, year, grade in db.session.execute(
            select(AnnualAssessment.cadre_id, AnnualAssessment.year, AnnualAssessment.grade)
            .where(AnnualAssessment.cadre_id.in_(cadre_ids))):
            out[cid][year] = grade
    return out


def township_cadres(*, township_id: int, today: date) -> list[tuple[Cadre, Service]]:
    """Every cadre of the township (active and leaders first) with their service."""
    cadres = db.session.scalars(
        select(Cadre).where(Cadre.township_id == township_id)
        .order_by(Cadre.active.desc(), Cadre.is_leader.desc(), Cadre.sort_order, Cadre.id))
    return [(c, service_of(c, today)) for c in cadres]


def marks(*, user: User, today: date) -> Marks:
    """Every active cadre in the user's scope who reached a service mark, for the county."""
    cutoff = today.replace(year=today.year - DEPUTY_MARK_YEARS, day=min(today.day, 28))
    rows = db.session.execute(
        select(Cadre, Township).join(Township, Cadre.township_id == Township.id)
        .where(Cadre.township_id.in_(township_ids_in_scope(user)), Cadre.active.is_(True),
               Cadre.township_service_since <= cutoff)
        .order_by(Township.code, Cadre.sort_order, Cadre.id).limit(MARKS_LIMIT)).all()
    grades = grades_of([c.id for c, _t in rows])
    flagged = [(c, t, s) for c, t in rows if (s := service_of(c, today, grades[c.id])).mark]
    return Marks(flagged=flagged, truncated=len(rows) == MARKS_LIMIT)


def _notices(cadre: Cadre) -> list[tuple[MonthlyNotice, dict]]:
    """The cadre's row in each month's latest published notice (newest first)."""
    rows = db.session.scalars(
        select(MonthlyNotice).where(MonthlyNotice.township_id == cadre.township_id)
        .order_by(MonthlyNotice.month.desc(), MonthlyNotice.version.desc())
        .limit(NOTICE_MONTHS * 3))
    out: list[tuple[MonthlyNotice, dict]] = []
    seen: set[str] = set()
    for notice in rows:
        if notice.month in seen:
            continue
        seen.add(notice.month)
        row = next((r for r in json.loads(notice.content)["cadres"] if r["id"] == cadre.public_id), None)
        if row is not None:
            out.append((notice, row))
    return out[:NOTICE_MONTHS]


def _weeks(cadre: Cadre, count: int, today: date) -> list[rule_543.WeekResult]:
    this_monday = rule543.week_start_of(today)
    first = this_monday - timedelta(weeks=count - 1)
    results = rule543.cadre_weeks(cadre, first, this_monday)
    # Weeks before joining or after leaving the township are not the cadre's to answer for.
    return [r for r in reversed(results) if r.served]


def _cadre(user: User, public_id: str) -> Cadre:
    cadre = db.session.scalar(select(Cadre).where(
        Cadre.public_id == public_id, Cadre.township_id.in_(township_ids_in_scope(user))))
    if cadre is None:
        raise NotFoundError("cadre")
    return cadre


def _listed(query) -> list:
    return list(db.session.scalars(query.limit(LIST_LIMIT)))


def cadre_archive(*, user: User, public_id: str, weeks: int, today: date) -> CadreArchive:
    """One cadre's archive page; NotFoundError outside the user's scope or for unknown `weeks`."""
    cadre = _cadre(user, public_id)
    if weeks not in HISTORY_WEEKS:
        raise NotFoundError("weeks")
    history = _weeks(cadre, weeks, today)
    leaves = _listed(select(Leave).where(Leave.cadre_id == cadre.id)
                     .order_by(Leave.start_date.desc()))
    visit_rows = _listed(select(VillageVisit).where(VillageVisit.cadre_id == cadre.id)
                         .order_by(VillageVisit.day.desc()))
    evening = _listed(select(FieldDiary).where(FieldDiary.cadre_id == cadre.id,
                                               FieldDiary.visit_id.is_(None))
                      .order_by(FieldDiary.day.desc()))
    reports = list(db.session.scalars(
        select(Report).where(Report.cadre_id == cadre.id,
                             Report.status.in_([ReportStatus.CONCLUDED, ReportStatus.RECTIFIED]))
        .order_by(Report.concluded_at.desc())))
    return CadreArchive(
        cadre=cadre, service=service_of(cadre, today, grades_of([cadre.id])[cadre.id]),
        history=history, leaves=leaves,
        visits=visit_rows, diaries=visits.diaries_of_visits([v.id for v in visit_rows]),
        states={v.id: visits.visit_state(v) for v in visit_rows}, evening=evening,
        reports=reports, notices=_notices(cadre),
    )


def assessments(cadre_id: int) -> list[AnnualAssessment]:
    """The cadre's recorded annual assessments, the latest year first."""
    return list(db.session.scalars(select(AnnualAssessment).where(AnnualAssessment.cadre_id == cadre_id)
                                   .order_by(AnnualAssessment.year.desc())))


def record_assessment(*, user: User, public_id: str, year: int, grade: AssessmentGrade,
                      today: date) -> AnnualAssessment:
    """Record (or correct) a cadre's annual assessment of a completed year; audited."""
    cadre = _cadre(user, public_id)
    if not FIRST_ASSESSED_YEAR <= year < today.year:
        raise ValidationError(_l("年度须在 %(first)s 年至 %(last)s 年之间（当年的考核在年终后登记）。",
                                 first=FIRST_ASSESSED_YEAR, last=today.year - 1))
    row = db.session.scalar(select(AnnualAssessment).where(AnnualAssessment.cadre_id == cadre.id,
                                                           AnnualAssessment.year == year))
    before = row.grade.value if row else None
    if row is None:
        row = AnnualAssessment(cadre_id=cadre.id, year=year, grade=grade)
        db.session.add(row)
    row.grade, row.recorded_by_id = grade, user.id
    db.session.flush()
    audit.record("cadre.assessment", actor=user, object_type="cadre", object_id=cadre.public_id,
                 detail={"year": year, "grade": grade.value, "before": before})
    db.session.commit()
    return row
