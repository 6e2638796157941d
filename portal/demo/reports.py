"""Demo reports (演示) in every state, with history, messages and a photo, for the demo county.

Every report goes in through `reports.create_report`, like a real one. The demo reports
from the public get fixed, publicly known receipt codes (printed by `flask demo seed`) so
that anyone trying the demo can open /track; real reports never have such codes.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask import current_app
from PIL import Image, ImageDraw
from sqlalchemy import select

from portal.demo.base import COUNTY_CODE
from portal.extensions import db
from portal.models import (
    Action,
    Cadre,
    Category,
    Finding,
    Message,
    Report,
    ReportEvent,
    ReportStatus,
    Sender,
    Source,
    Township,
    User,
)
from portal.rules.calendar import TZ
from portal.rules.deadlines import accept_deadline, conclude_deadline
from portal.services.casework import reports
from portal.services.shared import audit
from portal.services.shared.calendar import official_calendar

S = ReportStatus


@dataclass
class DemoReport:
    receipt: str
    township: str  # suffix of the township code
    category: Category
    days_ago: int
    text: str
    cadre_index: int | None = 0
    steps: list[tuple[ReportStatus, int, str]] = field(default_factory=list)  # (status, day, note)
    finding: tuple[Finding, Action, str] | None = None
    messages: list[tuple[Sender, int, str]] = field(default_factory=list)
    source: Source = Source.PUBLIC
    named: tuple[str, str] | None = None
    photo: bool = False
    merge_into: int | None = None  # index into DEMO_REPORTS


def _code(n: int) -> str:
    return f"90000 00000 00000 00000 {n:05d}"


DEMO_REPORTS = [
    DemoReport(_code(1), "001", Category.ABSENT_WORKDAY, 1,
               "上午九点半到镇政府办低保手续，民政办没人，打办公电话也没人接，等到十一点还是没人。",
               cadre_index=8),
    DemoReport(_code(2), "002", Category.NO_DUTY_LEADER, 9,
               "周六上午去镇政府值班室，值班表上写的带班领导不在，值班室只有一名门卫。", cadre_index=None),
    DemoReport(_code(3), "003", Category.COMMUTING, 8,
               "这位副乡长连续几天下午四点多就开车回县城，晚上乡政府大院里看不到他的车。",
               cadre_index=4, steps=[(S.ACCEPTED, 7, "您的举报已受理，将安排人员核查。")],
               messages=[(Sender.INSPECTOR, 6, "请问您说的“连续几天”大约是哪几天？车是什么颜色？"),
                         (Sender.REPORTER, 5, "上周一到周四都是这样，是一辆白色的越野车。")]),
    DemoReport(_code(4), "004", Category.OTHER, 15,
               "村里修路的钱不知道花到哪里去了，希望上面来查一查。", cadre_index=None,
               steps=[(S.NOT_ACCEPTED, 13, "您反映的村级工程资金问题不属于干部在岗监督范围，"
                                             "请向县纪委监委信访室或 12388 反映。")]),
    DemoReport(_code(5), "003", Category.COMMUTING, 7,
               "副乡长每天下午就回县城住，乡里晚上找不到领导。", cadre_index=4,
               steps=[(S.MERGED, 6, "另有举报反映同一件事，两件举报合并在一起核查处理。")], merge_into=2),
    DemoReport(_code(6), "001", Category.FALSE_BOARD, 12,
               "公示牌上写着“下村”，我在村里问了，那天根本没有干部来过，人在县城吃饭。",
               cadre_index=2, named=("演示举报人", "演示联系方式 0999-0000000"), photo=True,
               steps=[(S.ACCEPTED, 11, "您的举报已受理，将安排人员核查。"),
                      (S.VERIFYING, 10, "已安排纪检监察干部核查。")],
               messages=[(Sender.INSPECTOR, 9, "照片是在哪个村拍的？方便说一下大概位置吗？"),
                         (Sender.REPORTER, 8, "在东庄村村委会门口拍的，当天上午十点左右。")]),
    DemoReport(_code(7), "005", Category.LEFT_POST, 40,
               "工作日下午两点到四点，办公室一直锁门，门口贴着“下村”，村里也没见人。", cadre_index=10,
               steps=[(S.ACCEPTED, 39, "您的举报已受理，将安排人员核查。"),
                      (S.VERIFYING, 38, "已安排纪检监察干部核查。"),
                      (S.CONCLUDED, 20, "经核查，反映的情况属实。")],
               finding=(Finding.SUBSTANTIATED, Action.CIRCULATED_CRITICISM,
                        "经调取签到记录和走访核实，该干部当天擅自离岗。已对其通报批评，并责令乡里完善去向公示制度。")),
    DemoReport(_code(8), "006", Category.OFFICIAL_CAR, 30,
               "周末看到镇政府的公车停在县城小区里。", cadre_index=None,
               steps=[(S.ACCEPTED, 29, "您的举报已受理，将安排人员核查。"),
                      (S.VERIFYING, 28, "已安排纪检监察干部核查。"),
                      (S.CONCLUDED, 16, "经核查，反映的情况不属实。")],
               finding=(Finding.UNSUBSTANTIATED, Action.NONE,
                        "经查，该车当天因防汛值守经批准派往县防汛指挥部，有派车单和行车记录为证。")),
    DemoReport(_code(9), "007", Category.ABSENT_WORKDAY, 70,
               "乡政府工作日上午经常没人，老百姓办事要跑好几趟。", cadre_index=None,
               steps=[(S.ACCEPTED, 69, "您的举报已受理，将安排人员核查。"),
                      (S.VERIFYING, 68, "已安排纪检监察干部核查。"),
                      (S.CONCLUDED, 50, "经核查，反映的情况部分属实。"),
                      (S.RECTIFIED, 35, "乡里已建立工作日首问责任和值班公示制度，整改完成。")],
               finding=(Finding.PARTLY_SUBSTANTIATED, Action.CRITICISM,
                        "部分工作日上午确有窗口无人的情况，已对相关人员批评教育。")),
    DemoReport("", "001", Category.COMMUTING, 2,
               "监督员走访：周二晚上八点到镇政府，宿舍区只有两名干部在，其余班子成员均不在镇里住宿。",
               cadre_index=None, source=Source.SUPERVISOR),
    DemoReport("", "002", Category.ABSENT_WORKDAY, 5,
               "明察暗访：上午十点抽查，应在岗 22 人，实际在岗 15 人，7 人无法说明去向。",
               cadre_index=None, source=Source.SPOT_CHECK,
               steps=[(S.ACCEPTED, 4, "已受理，将安排人员核查。")]),
]


def _at(today: date, days_ago: int, hour: int = 10) -> datetime:
    return datetime.combine(today - timedelta(days=days_ago), time(hour, 0), tzinfo=TZ)


def _photo() -> bytes:
    image = Image.new("RGB", (640, 480), (214, 222, 230))
    draw = ImageDraw.Draw(image)
    draw.rectangle((120, 140, 520, 420), fill=(170, 120, 90), outline=(60, 40, 30), width=6)
    draw.rectangle((280, 300, 360, 420), fill=(80, 60, 50))
    draw.polygon([(100, 150), (320, 40), (540, 150)], fill=(150, 40, 40))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _user(username: str) -> User | None:
    return db.session.scalar(select(User).where(User.username == username))


def _file(spec: DemoReport, township: Township, today: date, inspector: User | None,
          supervisor: User | None) -> Report:
    cadres = list(db.session.scalars(select(Cadre).where(Cadre.township_id == township.id)
                                     .order_by(Cadre.sort_order, Cadre.id)))
    cadre = cadres[spec.cadre_index] if spec.cadre_index is not None and cadres else None
    filed_by = {Source.SUPERVISOR: supervisor, Source.SPOT_CHECK: inspector}.get(spec.source)
    report, _receipt = reports.create_report(
        township=township, category=spec.category, description=spec.text, cadre=cadre,
        observed_at=_at(today, spec.days_ago + 1, 9), place="演示地点",
        named=spec.named is not None, reporter_name=spec.named[0] if spec.named else None,
        reporter_contact=spec.named[1] if spec.named else None, source=spec.source,
        filed_by=filed_by, photos=[_photo()] if spec.photo else [], commit=False,
    )
    if spec.receipt:
        report.receipt_hash = reports.hash_receipt(spec.receipt)
    # Back-date the report as if it had come in days ago.
    report.submitted_at = _at(today, spec.days_ago)
    report.accept_due = accept_deadline(report.submitted_at, official_calendar(),
                                        current_app.config["REPORT_ACCEPT_WORKING_DAYS"])
    report.events[0].at = report.submitted_at
    return report


def _advance(report: Report, spec: DemoReport, today: date, inspector: User | None,
             targets: list[Report]) -> None:
    for status, days_ago, note in spec.steps:
        at = _at(today, days_ago, 15)
        report.events.append(ReportEvent(at=at, actor_id=inspector.id if inspector else None,
                                         kind=status.value, from_status=report.status,
                                         to_status=status, public_note=note,
                                         staff_note="演示数据"))
        report.status = status
        if status == S.ACCEPTED:
            report.accepted_at = at
            report.conclude_due = conclude_deadline(at, current_app.config["REPORT_CONCLUDE_DAYS"])
        elif status == S.VERIFYING:
            report.assignee_id = inspector.id if inspector else None
        elif status == S.NOT_ACCEPTED:
            report.not_accepted_reason, report.closed_at = note, at
        elif status == S.MERGED:
            report.merged_into_id, report.closed_at = targets[spec.merge_into].id, at
        elif status == S.CONCLUDED:
            report.finding, report.action, report.outcome_public = spec.finding
            report.concluded_at = report.closed_at = at
        elif status == S.RECTIFIED:
            report.closed_at = at
        audit.record(f"report.{status.value}", actor=inspector, object_type="report",
                     object_id=report.public_id, detail={"demo": True})
    for sender, days_ago, body in spec.messages:
        author = inspector if sender == Sender.INSPECTOR else None
        db.session.add(Message(report=report, sender=sender, body=body, at=_at(today, days_ago, 11),
                               author_id=author.id if author else None))


def seed(today: date) -> list[str]:
    """Demo reports in every state for the demo townships; skipped when already there."""
    first = reports.hash_receipt(DEMO_REPORTS[0].receipt)
    if db.session.scalar(select(Report.id).where(Report.receipt_hash == first)) is not None:
        return ["demo reports already present: left as they are"]
    inspector, supervisor = _user("inspector"), _user("supervisor")
    filed: list[Report] = []
    for spec in DEMO_REPORTS:
        township = db.session.scalar(select(Township).where(Township.code == COUNTY_CODE + spec.township))
        if township is None:
            return ["demo townships missing: demo reports not loaded"]
        report = _file(spec, township, today, inspector, supervisor)
        filed.append(report)
        _advance(report, spec, today, inspector, filed)
        db.session.flush()
    db.session.commit()
    # The count and the receipt codes are printed by the last step (portal.demo.summary),
    # once the spot check has filed its report too: the figures then agree with the queue.
    return [f"demo reports filed: {len(filed)}"]

