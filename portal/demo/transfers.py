"""Demo transfers (转办, 演示) and what reporters said after the conclusion.

A report about a cadre the county does not supervise goes up to 演示市's office, and one that
belongs to another authority is forwarded out of the system; both go in through
`reports.create_report` and `transfers.transfer`, as an inspector would send them. The
reporter of a concluded demo case (不属实) asks for a review (复查), which waits for 演示市's
decision, and two reporters say how satisfied they are. The receipt codes are publicly known
(printed by `flask demo seed`) so that /track shows each.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from portal.demo.base import COUNTY_CODE
from portal.demo.reports import _code
from portal.extensions import db
from portal.models import Category, Report, Satisfaction, Township, User
from portal.rules.calendar import TZ
from portal.services.casework import feedback, reports, transfers
from portal.services.shared.errors import ServiceError

RECEIPT = "90000 00000 00000 00000 00020"
FORWARDED = "90000 00000 00000 00000 00021"
FORWARDED_TEXT = "村里两户人家为宅基地界线吵了半年，村干部调解不了，希望有关部门来处理。"
AUTHORITY = "演示县自然资源和规划局"
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
    seen = datetime.combine(today - timedelta(days=3), time(9, 30), tzinfo=TZ)
    report = _file(township, RECEIPT, Category.ABSENT_WORKDAY, TEXT, seen, cadre_text="工作组组长")
    transfers.transfer(user=inspector, report=report, kind="up", level="city", reason=REASON)
    other = _file(township, FORWARDED, Category.OTHER, FORWARDED_TEXT, seen)
    transfers.transfer(user=inspector, report=other, kind="outside", authority=AUTHORITY,
                       reason="宅基地纠纷不属纪检监察机关受理范围，转交自然资源部门处理。")
    # Their receipt codes are printed with the others' at the end (portal/demo/summary.py).
    lines = ["demo transfers: 1 report sent up to 演示市纪委监委, 1 forwarded to " + AUTHORITY]
    return lines + _after_conclusion()


def _file(township: Township, receipt: str, category: Category, text: str, seen: datetime,
          cadre_text: str = "") -> Report:
    report, _receipt = reports.create_report(
        township=township, category=category, description=text, cadre=None, cadre_text=cadre_text,
        observed_at=seen, place="演示地点", commit=False)
    report.receipt_hash = reports.hash_receipt(receipt)
    db.session.commit()
    return report


def _by_receipt(receipt: str) -> Report | None:
    return db.session.scalar(select(Report).where(Report.receipt_hash == reports.hash_receipt(receipt)))


def _after_conclusion() -> list[str]:
    """A review request on the demo's 不属实 case; satisfaction on two concluded ones."""
    lines = []
    unsubstantiated = _by_receipt(_code(8))
    if unsubstantiated is not None and feedback.review_window_end(unsubstantiated) is not None:
        feedback.give_feedback(report=unsubstantiated, satisfaction=Satisfaction.DISSATISFIED)
        try:
            feedback.request_review(report=unsubstantiated, reason=(
                "我周末确实看见这辆车停在县城小区里，车上没有人值守，希望上级再查一查派车的情况。"))
            lines.append(f"demo review request (复查) to 演示市纪委监委: {_code(8)}")
        except ServiceError as error:  # the demo's conclusion lies beyond the review window
            lines.append(f"demo review request not made: {error}")
    substantiated = _by_receipt(_code(7))
    if substantiated is not None and feedback.review_window_end(substantiated) is not None:
        feedback.give_feedback(report=substantiated, satisfaction=Satisfaction.MOSTLY_SATISFIED)
        lines.append(f"demo satisfaction given: {_code(7)}, {_code(8)}")
    return lines
