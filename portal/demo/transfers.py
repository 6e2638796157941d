"""Demo transfer (转办, 演示): a report about a cadre the county does not supervise, sent up.

The report goes in through `reports.create_report` and up to 演示市's office through
`transfers.transfer`, as an inspector would send it; its receipt code is publicly known (printed
by `flask demo seed`) so that /track shows "已转交演示市纪委监委办理".
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from portal.demo.base import COUNTY_CODE
from portal.extensions import db
from portal.models import Category, Report, Township, User
from portal.rules.calendar import TZ
from portal.services.casework import reports, transfers

RECEIPT = "90000 00000 00000 00000 00020"
TEXT = ("县里派驻到镇上的工作组组长连续两周工作日都不在岗，工作组的事情没人管。"
        "听说他是市里下派的干部。")
REASON = "被反映人为市管干部，按干部管理权限报市纪委监委办理。"


def seed(today: date) -> list[str]:
    """One report of the demo county transferred up to the city's office; skipped when there."""
    if db.session.scalar(select(Report.id).where(
            Report.receipt_hash == reports.hash_receipt(RECEIPT))) is not None:
        return ["demo transfer already present: left as it is"]
    township = db.session.scalar(select(Township).where(Township.code == COUNTY_CODE + "004"))
    inspector = db.session.scalar(select(User).where(User.username == "inspector"))
    if township is None or inspector is None:
        return ["demo township or inspector missing: demo transfer not loaded"]
    report, _receipt = reports.create_report(
        township=township, category=Category.ABSENT_WORKDAY, description=TEXT, cadre=None,
        cadre_text="工作组组长", observed_at=datetime.combine(today - timedelta(days=3), time(9, 30),
                                                         tzinfo=TZ),
        place="演示地点", commit=False)
    report.receipt_hash = reports.hash_receipt(RECEIPT)
    db.session.commit()
    transfers.transfer(user=inspector, report=report, kind="up", level="city", reason=REASON)
    return ["demo transfer: 1 report sent up to 演示市纪委监委 (转办)",
            f"  {RECEIPT}  transferred (/track shows where it went)"]
