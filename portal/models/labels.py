"""One home for the words the pages show for each enum value.

Every table maps the members of one enum to a lazy (translated when rendered) Chinese label;
the English is in i18n/en/. Services, forms and views use these tables, never their own, and
templates use the `label` filter (`{{ report.category|label }}`, or `{{ value|label("Category") }}`
for a plain string). A StrEnum member equals its value, so a table answers for both.
"""

from __future__ import annotations

import enum

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from portal.models import (
    Action,
    AlertKind,
    AlertMode,
    AssessmentGrade,
    Category,
    DestinationKind,
    DiaryKind,
    DutyRole,
    EvaluationState,
    Finding,
    LeaveKind,
    LeaveState,
    Presence,
    Rating,
    ReportStatus,
    ReviewOutcome,
    Role,
    Satisfaction,
    ShiftKind,
    SignInKind,
    Source,
    Status,
    SupervisorKind,
)
from portal.rules.calendar import DayKind
from portal.rules.car_trips import TripFlag
from portal.rules.coverage import AbsenceKind

CATEGORY = {
    Category.ABSENT_WORKDAY: _l("工作日无故不在岗"),
    Category.LEFT_POST: _l("擅自脱岗"),
    Category.COMMUTING: _l("下班回城住宿/走读"),
    Category.NO_DUTY_LEADER: _l("节假日无人带班"),
    Category.FALSE_BOARD: _l("去向公示不实"),
    Category.OFFICIAL_CAR: _l("公车私用"),
    Category.OTHER: _l("其他作风问题"),
}
# A report's status as the staff pages name it (the reporter's page words it more fully).
REPORT_STATUS = {
    ReportStatus.SUBMITTED: _l("待受理"),
    ReportStatus.ACCEPTED: _l("已受理"),
    ReportStatus.NOT_ACCEPTED: _l("不予受理"),
    ReportStatus.MERGED: _l("并案"),
    ReportStatus.VERIFYING: _l("核查中"),
    ReportStatus.CONCLUDED: _l("已办结"),
    ReportStatus.RECTIFIED: _l("已整改"),
    ReportStatus.TRANSFERRED: _l("已转交"),
}
# After the conclusion: the reporter's satisfaction and the outcome of a review (复查).
SATISFACTION = {
    Satisfaction.SATISFIED: _l("满意"),
    Satisfaction.MOSTLY_SATISFIED: _l("基本满意"),
    Satisfaction.DISSATISFIED: _l("不满意"),
}
REVIEW_OUTCOME = {
    ReviewOutcome.UPHELD: _l("维持原处理意见"),
    ReviewOutcome.CHANGED: _l("变更原处理意见"),
}
FINDING = {
    Finding.SUBSTANTIATED: _l("属实"),
    Finding.PARTLY_SUBSTANTIATED: _l("部分属实"),
    Finding.UNSUBSTANTIATED: _l("不属实"),
}
ACTION = {
    Action.NONE: _l("无需处理"),
    Action.CRITICISM: _l("批评教育"),
    Action.ADMONISHING_TALK: _l("诫勉谈话"),
    Action.CIRCULATED_CRITICISM: _l("通报批评"),
    Action.ORGANISATIONAL: _l("组织处理"),
    Action.DISCIPLINARY: _l("纪律处分"),
    Action.TRANSFERRED: _l("移送"),
}
# The action as the reporter's tracking page says it, in words for someone outside.
PUBLIC_ACTION = {
    **ACTION,
    Action.NONE: _l("未作处理"),
    Action.TRANSFERRED: _l("移送有关机关处理"),
}
# The steps of a report's history as the case page lists them (ReportEvent.kind).
REPORT_EVENT = {
    "submitted": _l("提交举报"), "accepted": _l("受理"), "not_accepted": _l("不予受理"),
    "merged": _l("并案"), "merged_in": _l("有举报并入"), "assigned": _l("指定承办人"),
    "reassigned": _l("移交承办人"), "concluded": _l("办结"), "rectified": _l("整改完成"),
    "note": _l("内部备注"), "escalated": _l("逾期上报上级督办"),
    "transferred": _l("转办"),
    "published": _l("通报曝光"), "withdrawn": _l("撤回通报"),
}
# Where a report came from: the online form, a supervisor, a spot check, or staff intake.
SOURCE = {
    Source.PUBLIC: _l("网上举报"),
    Source.SUPERVISOR: _l("监督员实名举报"),
    Source.SPOT_CHECK: _l("明察暗访"),
    Source.PHONE: _l("来电"),
    Source.LETTER: _l("来信"),
    Source.VISIT: _l("来访"),
}
# A cadre's whereabouts on the board.
BOARD_STATUS = {
    Status.AT_OFFICE: _l("在岗"),
    Status.VILLAGE: _l("下村"),
    Status.MEETING: _l("会议"),
    Status.TRIP: _l("出差"),
    Status.LEAVE: _l("请假"),
    Status.DUTY: _l("值班"),
    Status.OFF: _l("休息"),
}
NOT_UPDATED = _l("未更新")
LEAVE_STATE = {
    LeaveState.REQUESTED: _l("待批准"),
    LeaveState.APPROVED: _l("已批准"),
    LeaveState.REJECTED: _l("不予批准"),
}

LEAVE_KIND = {
    LeaveKind.ANNUAL: _l("年休假"),
    LeaveKind.SICK: _l("病假"),
    LeaveKind.PERSONAL: _l("事假"),
    LeaveKind.MARRIAGE: _l("婚假"),
    LeaveKind.BEREAVEMENT: _l("丧假"),
    LeaveKind.MATERNITY: _l("产假 / 陪产假"),
    LeaveKind.OTHER: _l("其他假"),
}
SHIFT_KIND = {ShiftKind.DAY: _l("白班"), ShiftKind.NIGHT: _l("夜班")}
DUTY_ROLE = {DutyRole.LEADER: _l("带班领导"), DutyRole.STAFF: _l("值班人员")}
SIGN_IN_KIND = {SignInKind.IN: _l("签到"), SignInKind.OUT: _l("签退")}
# The roles as staff pages name them.
ROLE = {
    Role.CLERK: _l("乡镇办公室专人"),
    Role.SUPERVISOR: _l("作风建设监督员"),
    Role.INSPECTOR: _l("纪检监察干部"),
    Role.COUNTY_ADMIN: _l("县级管理员"),
    Role.SYSADMIN: _l("系统管理员"),
}
# A field diary entry: a village visit's diary, or one of the four evening works (四夜).
DIARY_KIND = {
    DiaryKind.VISIT: _l("民情日记"),
    DiaryKind.NIGHT_STUDY: _l("夜学"),
    DiaryKind.NIGHT_MEETING: _l("夜议"),
    DiaryKind.NIGHT_TALK: _l("夜谈"),
    DiaryKind.NIGHT_VISIT: _l("夜访"),
}
# What a spot check found a cadre doing.
PRESENCE = {
    Presence.PRESENT: _l("在岗"),
    Presence.ABSENT: _l("不在岗"),
    Presence.AWAY_ON_BUSINESS: _l("因公外出"),
}
# Why a rostered cadre is away, as the public may see it (a leave's reason never shows).
ABSENCE_KIND = {AbsenceKind.LEAVE: _l("请假"), AbsenceKind.TRIP: _l("出差")}
DAY_KIND = {
    DayKind.WORKDAY: _l("工作日"),
    DayKind.ADJUSTED_WORKDAY: _l("调休上班"),
    DayKind.WEEKEND: _l("周末"),
    DayKind.HOLIDAY: _l("节假日"),
}
# 民主评议 and the supervisors' register.
RATING = {Rating.SATISFIED: _l("满意"), Rating.BASIC: _l("基本满意"),
          Rating.UNSATISFIED: _l("不满意")}
EVALUATION_STATE = {EvaluationState.OPEN: _l("投票中"), EvaluationState.CLOSED: _l("已结束")}
SUPERVISOR_KIND = {
    SupervisorKind.NPC_DEPUTY: _l("人大代表"),
    SupervisorKind.CPPCC_MEMBER: _l("政协委员"),
    SupervisorKind.RETIRED_CADRE: _l("老干部"),
    SupervisorKind.PUBLIC_REP: _l("群众代表"),
}

ALERT_MODE = {
    AlertMode.IMMEDIATE: _l("即时提醒"),
    AlertMode.DIGEST: _l("每日汇总"),
    AlertMode.OFF: _l("不接收"),
}
ALERT_KIND = {
    AlertKind.NEW_REPORT: _l("新举报"),
    AlertKind.ESCALATED: _l("升级督办"),
    AlertKind.REPORTER_MESSAGE: _l("举报人回复"),
    AlertKind.DEADLINE: _l("即将到期"),
}
DESTINATION_KIND = {
    DestinationKind.COUNTY_TOWN: _l("县城（县政府驻地）"),
    DestinationKind.VILLAGE: _l("本乡镇村组"),
    DestinationKind.OTHER_TOWNSHIP: _l("其他乡镇"),
    DestinationKind.CITY: _l("市区及县外"),
}
ASSESSMENT_GRADE = {
    AssessmentGrade.EXCELLENT: _l("优秀"),
    AssessmentGrade.COMPETENT: _l("称职"),
    AssessmentGrade.BASIC: _l("基本称职"),
    AssessmentGrade.INCOMPETENT: _l("不称职"),
}
TRIP_FLAG = {
    TripFlag.LATE_RETURN: _l("去县城，下班后返回"),
    TripFlag.OVERNIGHT: _l("去县城，次日返回（过夜）"),
    TripFlag.NOT_BACK: _l("去县城，下班后仍未登记返回"),
}

TABLES: dict[type[enum.Enum], dict] = {
    Category: CATEGORY, ReportStatus: REPORT_STATUS, Finding: FINDING, Action: ACTION,
    Status: BOARD_STATUS, LeaveKind: LEAVE_KIND, ShiftKind: SHIFT_KIND, DutyRole: DUTY_ROLE,
    SignInKind: SIGN_IN_KIND, Role: ROLE, Presence: PRESENCE,
    DiaryKind: DIARY_KIND, AbsenceKind: ABSENCE_KIND, DayKind: DAY_KIND,
    Source: SOURCE,
    AlertMode: ALERT_MODE, AlertKind: ALERT_KIND,
    Rating: RATING, EvaluationState: EVALUATION_STATE, SupervisorKind: SUPERVISOR_KIND,
    DestinationKind: DESTINATION_KIND, TripFlag: TRIP_FLAG,
    Satisfaction: SATISFACTION, ReviewOutcome: REVIEW_OUTCOME,
    AssessmentGrade: ASSESSMENT_GRADE,
}
_BY_NAME = {kind.__name__: table for kind, table in TABLES.items()}


def label(value, kind: type[enum.Enum] | str | None = None):
    """The label of an enum member, or of a plain value of the enum `kind` (a class or its name).

    A value without a label (None, an unknown string) is shown as it is, never an error.
    """
    if value is None or value == "":
        return ""
    if kind is None:
        table = TABLES.get(type(value), {})
    else:
        table = _BY_NAME[kind] if isinstance(kind, str) else TABLES[kind]
    return table.get(value, value)


def in_source_language(text) -> str:
    """A label as stored data: in the portal's source language (Chinese), whatever the page's."""
    with force_locale("zh_CN"):
        return str(text)
