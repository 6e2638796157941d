"""The data model, one module per domain concept."""

from portal.models.alert import Alert, AlertKind, AlertMode
from portal.models.assessment import PASSING_GRADES, AnnualAssessment, AssessmentGrade
from portal.models.attendance import (
    DiaryKind,
    FieldDiary,
    Leave,
    LeaveKind,
    LeaveState,
    SignIn,
    SignInKind,
    VillageVisit,
)
from portal.models.audit import AuditEntry
from portal.models.cadre import Cadre, ChiefRole
from portal.models.calendar import CalendarOverride, HolidaySchedule, HolidayScheduleDay
from portal.models.car import CarTrip, DestinationKind, Vehicle
from portal.models.case_counter import CaseCounter
from portal.models.evaluation import (
    Evaluation,
    EvaluationBallot,
    EvaluationState,
    EvaluationSubject,
    Rating,
)
from portal.models.exposure import PublishedCase
from portal.models.feedback import ReportFeedback, ReviewOutcome, ReviewRequest, Satisfaction
from portal.models.notice import MonthlyNotice
from portal.models.region import County, Region, RegionLevel
from portal.models.report import (
    CLOSED_STATUSES,
    Action,
    Category,
    Evidence,
    Finding,
    Message,
    Report,
    ReportEvent,
    ReportStatus,
    Sender,
    Source,
)
from portal.models.roster import DutyAssignment, DutyRole, DutyShift, ShiftKind
from portal.models.sealing import KeySession, OfficeKey, OfficeKeyGrant, UserKey
from portal.models.spotcheck import Presence, SpotCheck, SpotCheckFinding
from portal.models.supervisor import SupervisorAppointment, SupervisorKind, appointment_township
from portal.models.township import Township
from portal.models.transfer import ReportTransfer, TransferKind
from portal.models.user import TOTP_REQUIRED_ROLES, Role, StaffSession, User, user_township
from portal.models.week_record import WeekRecord
from portal.models.whereabouts import AWAY_STATUSES, Status, Whereabouts

__all__ = [
    "PASSING_GRADES",
    "AnnualAssessment",
    "AssessmentGrade",
    "AWAY_STATUSES",
    "CLOSED_STATUSES",
    "TOTP_REQUIRED_ROLES",
    "Action",
    "Alert",
    "AlertKind",
    "AlertMode",
    "KeySession",
    "OfficeKey",
    "OfficeKeyGrant",
    "UserKey",
    "AuditEntry",
    "Cadre",
    "CaseCounter",
    "CalendarOverride",
    "CarTrip",
    "Category",
    "ChiefRole",
    "County",
    "DestinationKind",
    "DiaryKind",
    "DutyAssignment",
    "DutyRole",
    "DutyShift",
    "Evidence",
    "FieldDiary",
    "Finding",
    "HolidaySchedule",
    "HolidayScheduleDay",
    "Leave",
    "LeaveState",
    "LeaveKind",
    "Message",
    "MonthlyNotice",
    "Presence",
    "PublishedCase",
    "Region",
    "RegionLevel",
    "Report",
    "ReportEvent",
    "ReportStatus",
    "ReportFeedback",
    "ReviewOutcome",
    "ReviewRequest",
    "Satisfaction",
    "ReportTransfer",
    "TransferKind",
    "Role",
    "Sender",
    "SignIn",
    "ShiftKind",
    "SignInKind",
    "Source",
    "SpotCheck",
    "SpotCheckFinding",
    "StaffSession",
    "Status",
    "Township",
    "User",
    "Vehicle",
    "VillageVisit",
    "WeekRecord",
    "Whereabouts",
    "user_township",
    "Evaluation",
    "EvaluationBallot",
    "EvaluationState",
    "EvaluationSubject",
    "Rating",
    "SupervisorAppointment",
    "SupervisorKind",
    "appointment_township",
]
