"""The demo duty roster: nobody is on one shift twice, and its export imports back unchanged,
whatever day the demo is loaded on (a Sunday night once put a swapped colleague on a shift
beside himself)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal import clock
from portal import demo as demo_data
from portal.extensions import db
from portal.models import DutyAssignment, Township
from portal.services.office import duty_export, duty_import
from portal.services.shared import spreadsheets
from tests.conftest import at


@pytest.mark.parametrize("moment", ["2026-12-06T22:30", "2026-12-31T23:50", "2026-02-18T09:30"])
def test_the_demo_roster_puts_nobody_on_a_shift_twice_and_exports_back_unchanged(app, moment):
    at(moment)
    with app.app_context(), app.test_request_context():
        demo_data.seed()
        twice = db.session.execute(
            select(DutyAssignment.shift_id, DutyAssignment.cadre_id)
            .group_by(DutyAssignment.shift_id, DutyAssignment.cadre_id)
            .having(func.count() > 1)).all()
        assert twice == []
        township = db.session.scalar(select(Township).where(Township.code == "990101001"))
        today = clock.today()
        body = spreadsheets.xlsx_bytes([duty_export.month_sheet(township, today.year, today.month)])
        preview = duty_import.preview_duty(township=township, data=body, filename="roster.xlsx")
        assert preview.errors == []
        assert (preview.count("add"), preview.count("change")) == (0, 0)
        assert preview.count("same") > 0
