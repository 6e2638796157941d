"""Satisfaction and review rates in the statistics, with small counts suppressed: a rate is
shown only when both its part and the rest of its whole would be shown as counts."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from portal.extensions import db
from portal.models import (
    Action,
    Finding,
    Region,
    ReportFeedback,
    ReportStatus,
    ReviewRequest,
    Satisfaction,
)
from portal.models.base import utcnow
from portal.services.oversight import stats
from portal.services.oversight.stats_figures import Figures
from tests import factories
from tests.conftest import at
from tests.review.conftest import make_report


@pytest.mark.parametrize(("rated", "satisfied", "rate"), [
    (6, 3, 50.0),
    (9, 6, 66.7),
    (5, 3, None),  # 2 not satisfied: the rate would tell them
    (5, 2, None),  # 2 satisfied
    (2, 2, None),
    (0, 0, None),
])
def test_a_satisfaction_rate_of_one_township_month(rated, satisfied, rate):
    assert stats.public_rate(Figures(rated=rated, satisfied=satisfied), "satisfied", "rated") == rate


def test_a_total_rate_is_hidden_when_one_of_its_months_would_tell_a_small_count():
    cells = [Figures(concluded=6, reviews=3), Figures(concluded=4, reviews=1)]
    whole = Figures(concluded=10, reviews=4)
    assert stats.public_rate(whole, "reviews", "concluded", cells) is None
    cells = [Figures(concluded=6, reviews=3), Figures(concluded=7, reviews=4)]
    assert stats.public_rate(Figures(concluded=13, reviews=7), "reviews", "concluded", cells) == 53.8


def test_the_county_page_and_api_show_the_rates_of_its_reports(app, client):
    at("2026-12-07T10:00")
    with app.app_context():
        town = factories.township(factories.county())
        now = utcnow()
        for n in range(7):
            report = make_report(town, status=ReportStatus.CONCLUDED, submitted_at=now - timedelta(days=3),
                                 finding=Finding.UNSUBSTANTIATED, action=Action.NONE,
                                 concluded_at=now, closed_at=now)
            answer = Satisfaction.SATISFIED if n < 3 else (
                Satisfaction.MOSTLY_SATISFIED if n < 4 else Satisfaction.DISSATISFIED)
            db.session.add(ReportFeedback(report_id=report.id, satisfaction=answer,
                                          given_on=date(2026, 12, 7)))
            if n >= 4:
                db.session.add(ReviewRequest(report_id=report.id, reason="请复查。", level=1,
                                             region_id=db.session.get(Region, town.county_id).parent_id,
                                             requested_at=now, due=now + timedelta(days=30)))
        db.session.commit()
        county = db.session.get(Region, town.county_id)
        result = stats.county_stats(county, stats.Period("month", 2026, 12), date(2026, 12, 7))
        public = stats.public_stats(result)
        code = county.code
    # 4 of 7 satisfied or mostly satisfied, 3 of 7 asked for a review.
    assert public.figures["satisfaction_rate"] == 57.1
    assert public.figures["review_rate"] == 42.9
    api = client.get(f"/api/v1/stats?county={code}&period=2026-12").get_json()
    assert api["figures"]["satisfaction_rate"] == 57.1 and api["figures"]["review_rate"] == 42.9
    page = client.get(f"/stats?county={code}&period=2026-12").get_data(as_text=True)
    assert 'data-field="satisfaction_rate">57.1%' in page
