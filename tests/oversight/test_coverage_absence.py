"""Coverage figures in the county statistics and the monthly notice count a shift whose rostered
cadre was on leave or on a trip, with nobody standing in, as not staffed (October 2026)."""

from __future__ import annotations

from datetime import date

import pytest

from portal.extensions import db
from portal.models import Region, ShiftKind, Status, Township
from portal.services.office import notices
from portal.services.oversight import stats
from tests import factories
from tests.public.helpers import entry, leave, local, shift

TODAY = date(2026, 11, 27)
OCTOBER = stats.Period("month", 2026, 10)
NIGHT = ShiftKind.NIGHT
# October 2026: 13 rest-day day shifts (1-7, 11, 17, 18, 24, 25, 31) and 31 nights.
REQUIRED = 44


@pytest.fixture
def town(app):
    """Four full nights: one fine; staff on leave; the leader on a trip; staff on leave with
    their substitute on the same night."""
    with app.app_context():
        county = factories.county(code="990301", name="值班县")
        t = factories.township(county, name="丙镇", code="990301001")
        lead = factories.cadre(t, "带班甲", "副镇长", is_leader=True)
        staff = [factories.cadre(t, f"值班{i}") for i in range(4)]
        for d in (12, 13, 14, 15):
            crew = staff[2:4] if d == 15 else [staff[d % 2]]
            shift(t, date(2026, 10, d), NIGHT, leaders=[lead], staff=crew)
        leave(staff[1], date(2026, 10, 13), date(2026, 10, 13), reason="私事")
        entry(lead, Status.TRIP, local(date(2026, 10, 14), 9),
              local(date(2026, 10, 15), 12), note="赴市里")
        leave(staff[2], date(2026, 10, 15), date(2026, 10, 15), substitute=staff[3])
        db.session.commit()
        return county.id, t.id


def test_statistics_count_absent_cadres_as_not_staffed(app, town):
    county_id, _township_id = town
    with app.app_context():
        result = stats.county_stats(db.session.get(Region, county_id), OCTOBER, TODAY)
        (row,) = result.townships
        # Only the 12th and the 15th (substitute on the shift) are staffed.
        assert (row.figures.shifts_required, row.figures.shifts_staffed) == (REQUIRED, 2)


def test_monthly_notice_counts_the_duty_coverage(app, town):
    _county_id, township_id = town
    with app.app_context():
        content = notices.compute(db.session.get(Township, township_id), "2026-10")
    assert content["duty"] == {"shifts_required": REQUIRED, "shifts_staffed": 2,
                               "shifts_absent": 2}
    assert "私事" not in notices.canonical(content) and "赴市里" not in notices.canonical(content)


def test_a_corrected_notice_lists_the_duty_change():
    old = {"duty": {"shifts_required": REQUIRED, "shifts_staffed": 3, "shifts_absent": 1}}
    new = {"duty": {"shifts_required": REQUIRED, "shifts_staffed": 2, "shifts_absent": 2}}
    assert notices.diff(old, new) == [
        {"field": "duty_shifts_staffed", "old": 3, "new": 2},
        {"field": "duty_shifts_absent", "old": 1, "new": 2},
    ]
