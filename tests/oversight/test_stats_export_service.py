"""The statistics download as a use case: the figures of the user's townships, and the audit
entry that says who took them, committed by the service (the view only writes the file)."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEntry, Region, Role, User
from portal.services.oversight import stats, stats_export
from tests import factories


def test_the_download_is_audited_and_committed_by_the_service(app):
    with app.app_context():
        county = factories.county()
        mine = factories.township(county)
        factories.township(county)
        clerk = factories.user(Role.CLERK, townships=[mine])
        db.session.commit()
        county_id, clerk_id, mine_code = county.id, clerk.id, mine.code
    with app.app_context():
        result = stats_export.county_export(
            user=db.session.get(User, clerk_id), county=db.session.get(Region, county_id),
            period=stats.parse_period("2026-11"), today=date(2026, 11, 27), file_format="xlsx")
        # Only the townships in the user's scope.
        assert [row.township.code for row in result.townships] == [mine_code]
    with app.app_context():  # a new session: the entry was committed
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "stats.export"))
        assert entry is not None and entry.actor_id == clerk_id
        assert json.loads(entry.detail) == {"period": "2026-11", "format": "xlsx", "townships": 1}
