"""The last demo step: how many demo reports there are, counted as the review queue counts them.

Reports come from several steps (the reports step, and the spot check that files one of its
mismatches), so the figure is read from the database once every step has run, and the
receipt codes are printed beside it: one per report from the public.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from portal.demo import transfers as demo_transfers
from portal.demo.base import COUNTY_CODE
from portal.demo.reports import DEMO_REPORTS
from portal.extensions import db
from portal.models import Report, Source, Township
from portal.services.casework import reports

SOURCE_WORDS = {
    Source.PUBLIC: "from the public (receipt codes below)",
    Source.SUPERVISOR: "filed by a supervisor",
    Source.SPOT_CHECK: "from spot checks",
    Source.PHONE: "filed by inspectors from phone calls",
    Source.LETTER: "filed by inspectors from letters",
    Source.VISIT: "filed by inspectors from visits",
}


def seed(today: date) -> list[str]:
    """Print the demo county's reports by source, and the receipt codes that open them."""
    del today  # counts what is there, whatever the day
    rows = db.session.execute(
        select(Report.source, func.count(Report.id)).join(Township, Report.township_id == Township.id)
        .where(Township.code.startswith(COUNTY_CODE)).group_by(Report.source)
    ).all()
    by_source = {source: count for source, count in rows}
    total = sum(by_source.values())
    if not total:
        return []
    parts = [f"{by_source[s]} {words}" for s, words in SOURCE_WORDS.items() if by_source.get(s)]
    statuses = db.session.scalar(
        select(func.count(func.distinct(Report.status))).join(Township, Report.township_id == Township.id)
        .where(Township.code.startswith(COUNTY_CODE)))
    lines = [f"demo reports: {total} in the inspectors' review queue ({'; '.join(parts)}), "
             f"in {statuses} states, with history and messages",
             "demo receipt codes (演示回执码, fictional, for /track):"]
    known = [(spec.receipt, spec.category.value) for spec in DEMO_REPORTS if spec.receipt]
    known += [(demo_transfers.RECEIPT, "sent up to the city"),
              (demo_transfers.FORWARDED, "forwarded to an outside authority")]
    lines += [f"  {receipt}  {what}" for receipt, what in known
              if reports.find_by_receipt(receipt) is not None]
    return lines
