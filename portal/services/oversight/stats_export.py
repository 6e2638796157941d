"""A county's statistics as an administrator downloads them: exact figures, audited.

The download is a use case of its own: the figures of the townships in the user's scope,
and the audit entry saying who took them, committed here (the view only writes the file).
"""

from __future__ import annotations

from datetime import date

from portal.extensions import db
from portal.models import Region, User
from portal.services.oversight import stats
from portal.services.shared import audit
from portal.services.shared.scope import township_ids_in_scope


def county_export(*, user: User, county: Region, period: stats.Period, today: date,
                  file_format: str) -> stats.CountyStats:
    """The county's statistics over the user's townships; the download is audited."""
    in_scope = db.session.scalars(township_ids_in_scope(user)).all()
    result = stats.county_stats(county, period, today, township_ids=in_scope)
    audit.record("stats.export", actor=user, object_type="county", object_id=county.code,
                 detail={"period": period.key, "format": file_format,
                         "townships": len(result.townships)})
    db.session.commit()
    return result
