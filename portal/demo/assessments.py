"""Demo assessments of 大庄镇: the weekly 5-4-3 results of the last four closed weeks, and
each cadre's annual assessments since joining township service.

Most years are 称职, some 优秀; one long-serving cadre has a 基本称职 year, so the service-marks
page shows both a cadre who meets the article's condition and one who does not, and why.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import select

from portal.demo.base import DAZHUANG
from portal.extensions import db
from portal.models import AnnualAssessment, AssessmentGrade, Cadre, Township
from portal.services.office import weekly

WEEKS = 4


def seed(today: date) -> list[str]:
    township = db.session.scalar(select(Township).where(Township.code == DAZHUANG))
    if township is None:
        return []
    lines = []
    last = weekly.last_closed_week(today)
    recorded = 0
    for back in range(WEEKS - 1, -1, -1):
        for closed in weekly.close_week(today=today, week_start=last - timedelta(weeks=back),
                                        township_codes=[DAZHUANG]):
            recorded += closed.recorded
    lines.append(f"weekly 5-4-3 of 大庄镇: {recorded} leader-weeks recorded")
    cadres = list(db.session.scalars(select(Cadre).where(Cadre.township_id == township.id)
                                     .order_by(Cadre.sort_order, Cadre.id)))
    if db.session.scalar(select(AnnualAssessment.id).where(
            AnnualAssessment.cadre_id.in_([c.id for c in cadres])).limit(1)):
        return [*lines, "annual assessments of 大庄镇 already present: left as they are"]
    rng = random.Random(2026)
    longest = max((c for c in cadres if c.township_service_since),
                  key=lambda c: (today - c.township_service_since), default=None)
    rows = []
    for cadre in cadres:
        if cadre.township_service_since is None:
            continue
        for year in range(cadre.township_service_since.year, today.year):
            grade = AssessmentGrade.EXCELLENT if rng.random() < 0.15 else AssessmentGrade.COMPETENT
            if cadre is longest and year == today.year - 3:
                grade = AssessmentGrade.BASIC
            rows.append(AnnualAssessment(cadre_id=cadre.id, year=year, grade=grade))
    db.session.add_all(rows)
    db.session.commit()
    return [*lines, f"annual assessments of 大庄镇: {len(rows)} cadre-years"]
