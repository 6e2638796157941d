"""Demo reports received by phone, letter and visit (来电、来信、来访, 演示) and a published case.

Each goes in through `intake.file_intake`, as the demo inspector enters a call, a letter and a
visit; their receipt codes are publicly known (printed by `flask demo seed`) so that anyone trying
the demo can open /track as the caller, the writer or the visitor would. The concluded,
substantiated demo report is published on the demo county's /c/<code>/cases page through
`exposure.publish`, with its own public wording.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from portal.demo.base import COUNTY_CODE
from portal.demo.reports import DEMO_REPORTS
from portal.extensions import db
from portal.models import PublishedCase, Report, User
from portal.rules.calendar import TZ
from portal.services.casework import exposure, intake, reports

RECEIPT = "90000 00000 00000 00000 00030"
CALL = ("来电反映：昨天上午九点到十点多，镇政府便民服务大厅社保窗口一直没人，"
        "门口牌子写着“在岗”，打窗口电话也没人接。来电人不愿留姓名。")
# (receipt, source, township suffix, category, text, named identity or None)
OTHERS = [
    ("90000 00000 00000 00000 00031", "letter", "003", "commuting",
     "来信反映：乡里几位班子成员平时住在县城，每天上午十点才到乡里，下午四点就走，晚上乡里找不到人。"
     "信未署名。", None),
    ("90000 00000 00000 00000 00032", "visit", "005", "no_duty_leader",
     "来访反映：上周六上午到乡政府办事，值班室没有带班领导，值班人员说领导回县城了。",
     ("演示来访人", "演示联系方式 0999-0000001")),
]
# The published case: the substantiated demo report (演示 report 7), in public words.
PUBLISHED = DEMO_REPORTS[6]
FOUND = "工作日下午擅自离岗约两小时，去向公示牌标注“下村”与实际不符。"
DONE = "给予通报批评，责令所在乡镇完善干部去向公示和请销假制度。"


def _entered(receipt: str, inspector: User, observed: datetime, **fields) -> None:
    filed = intake.file_intake(user=inspector, observed_at=observed, **fields)
    filed.report.receipt_hash = reports.hash_receipt(receipt)
    db.session.commit()


def _intake_reports(today: date, inspector: User) -> list[str]:
    if db.session.scalar(select(Report.id).where(
            Report.receipt_hash == reports.hash_receipt(RECEIPT))) is not None:
        return ["demo phone, letter and visit reports already present: left as they are"]
    yesterday = datetime.combine(today - timedelta(days=1), time(9, 30), tzinfo=TZ)
    _entered(RECEIPT, inspector, yesterday, township_code=COUNTY_CODE + "002", source="phone",
             category="absent_workday", description=CALL, cadre_text="社保窗口工作人员",
             place="镇政府便民服务大厅")
    lines = [f"  /track {RECEIPT} (phone: the caller's receipt, read out to them)"]
    for receipt, source, township, category, text, named in OTHERS:
        _entered(receipt, inspector, yesterday - timedelta(days=3), township_code=COUNTY_CODE + township,
                 source=source, category=category, description=text, named=named is not None,
                 reporter_name=named[0] if named else "", reporter_contact=named[1] if named else "")
        lines.append(f"  /track {receipt} ({source}: the receipt printed on the slip)")
    return ["demo reports entered by the inspector: 1 call, 1 letter, 1 visit (来电、来信、来访)", *lines]


def _published_case(inspector: User) -> list[str]:
    report = reports.find_by_receipt(PUBLISHED.receipt)
    if report is None:
        return ["demo substantiated report missing: no case published"]
    if db.session.scalar(select(PublishedCase.id).where(PublishedCase.report_id == report.id)):
        return ["demo published case already present: left as it is"]
    cadre = report.cadre
    exposure.publish(user=inspector, public_id=report.public_id,
                     cadre_name=cadre.name if cadre else "演示干部",
                     cadre_post=cadre.post if cadre else "干部", found=FOUND, done=DONE)
    return [f"demo published case: 1 on /c/{COUNTY_CODE}/cases (通报曝光)"]


def seed(today: date) -> list[str]:
    """The demo call, letter and visit, and the demo published case; each skipped when there."""
    inspector = db.session.scalar(select(User).where(User.username == "inspector"))
    if inspector is None:
        return ["demo inspector missing: demo intake reports and published case not loaded"]
    return [*_intake_reports(today, inspector), *_published_case(inspector)]
