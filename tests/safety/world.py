"""A world for the generic safety walkers: the demo county plus a foreign jurisdiction.

Every kind of object a route can name (township, cadre, report, visit, ...) exists twice:
once in 大庄镇 (990101001, inside every demo staff account's scope) and once in a township
of another province (outside every scope but the sysadmin's). The walkers fill the URL
parameters of `app.url_map` from these objects, so a new route is covered as soon as its
parameter names are known here; an unknown parameter name fails loudly.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import func, literal, select, union_all
from werkzeug.routing import Rule

from portal import clock
from portal.extensions import db
from portal.models import (
    Action,
    CarTrip,
    Category,
    DestinationKind,
    DutyShift,
    Evaluation,
    EvaluationState,
    EvaluationSubject,
    Evidence,
    Finding,
    Leave,
    LeaveKind,
    Message,
    PublishedCase,
    Region,
    RegionLevel,
    Report,
    Role,
    Sender,
    ShiftKind,
    SignIn,
    SignInKind,
    SpotCheck,
    Status,
    SupervisorAppointment,
    SupervisorKind,
    Township,
    User,
    Vehicle,
    VillageVisit,
    Whereabouts,
)
from portal.models.cadre import Cadre
from portal.rules.names import pinyin_keys
from portal.rules.receipts import new_receipt
from portal.services.casework.reports import hash_receipt
from portal.services.office import notices

# Reporter identity planted in the named reports: no page may show it to the wrong role.
REPORTER_NAME = "举报人魏秘密"
REPORTER_CONTACT = "13712345678"
PERSONAL_PHONE = "13999990000"
LEAVE_REASON = "家中私事保密"
WHEREABOUTS_NOTE = "去向备注保密"
# A supervisor's contact that they did not agree to publish (the register shows it to staff only).
SUPERVISOR_CONTACT = "13777770000"
# The car log: a driver who is not on the roster, and the staff note of a trip.
CAR_DRIVER_NAME = "外聘司机保密"
CAR_NOTE = "出车备注保密"

ROLES = ("anonymous", "clerk", "supervisor", "inspector", "county_admin", "sysadmin")
DEMO_LOGIN = {
    "clerk": "clerk", "supervisor": "supervisor", "inspector": "inspector",
    "county_admin": "admin", "sysadmin": "sysadmin",
}
STAFF_BLUEPRINTS = ("review", "admin")
# Blueprints whose pages are for the public (no login).
PUBLIC_BLUEPRINTS = ("public", "report", "api")


@dataclass
class Side:
    """The objects of one jurisdiction as plain values (they outlive the session)."""

    township_code: str
    report_public_id: str
    receipt: str
    visit_token: str
    values: dict[str, str] = field(default_factory=dict)
    # Per endpoint prefix: what a generic name such as <public_id> names there.
    overrides: dict[str, dict[str, str]] = field(default_factory=dict)

    def values_for(self, endpoint: str) -> dict[str, str]:
        values = dict(self.values)
        for prefix, extra in self.overrides.items():
            if endpoint.startswith(prefix):
                values.update(extra)
        return values


@dataclass
class World:
    inside: Side
    outside: Side

    def url(self, rule: Rule, side: str = "inside") -> str:
        """The rule's URL filled from one side's objects (raises on an unknown parameter)."""
        values = {}
        source = getattr(self, side).values_for(rule.endpoint)
        for name in rule.arguments:
            if name not in source:
                raise UnknownParameter(
                    f"route {rule.rule} ({rule.endpoint}) has the parameter <{name}>: "
                    f"teach tests/safety/world.py which object it names"
                )
            values[name] = source[name]
        built = rule.build(values, append_unknown=False)
        assert built is not None, rule.rule
        return built[1]


class UnknownParameter(LookupError):
    """A route parameter the safety walkers do not know how to fill."""


def _foreign_township() -> Township:
    province = Region(code="980000", name="外省", level=RegionLevel.PROVINCE)
    city = Region(code="980100", name="外市", level=RegionLevel.CITY, parent=province)
    county = Region(code="980101", name="外县", level=RegionLevel.COUNTY, parent=city)
    full, initials = pinyin_keys("外乡镇")
    township = Township(code="980101001", name="外乡镇", pinyin=full, initials=initials,
                        county=county, office_phone="0998-1000000", hotline="0998-12388")
    db.session.add_all([province, city, county, township])
    db.session.flush()
    return township


def _side(township: Township, tag: str) -> Side:
    now = clock.now()
    cadre = db.session.scalar(select(Cadre).where(Cadre.township_id == township.id).limit(1))
    if cadre is None:
        cadre = Cadre(township=township, name=f"干部{tag}", post="副镇长", is_leader=True,
                      office_phone="0998-1000001")
        db.session.add(cadre)
    cadre.personal_phone = PERSONAL_PHONE
    receipt = new_receipt()
    report = Report(
        receipt_hash=hash_receipt(receipt), township=township,
        county_id=township.county_id, cadre=cadre, category=Category.ABSENT_WORKDAY,
        observed_at=now - timedelta(days=1), place="镇政府", description=f"演示举报{tag}",
        named=True, reporter_name=REPORTER_NAME, reporter_contact=REPORTER_CONTACT,
        accept_due=now + timedelta(days=3),
    )
    db.session.add(report)
    db.session.flush()
    db.session.add(Message(report=report, sender=Sender.REPORTER, body="补充情况"))
    db.session.add(Evidence(report=report, content_type="image/png", width=1, height=1, size=4,
                            sha256="0" * 64, data=b"\x89PNG"))
    token = secrets.token_urlsafe(24)
    visit = VillageVisit(cadre=cadre, township_id=township.id, village="东村", day=now.date(),
                         token_hash=hashlib.sha256(token.encode()).hexdigest(),
                         token_expires_at=now + timedelta(days=2))
    leave = Leave(cadre=cadre, township_id=township.id, kind=LeaveKind.PERSONAL,
                  start_date=now.date(), end_date=now.date(), reason=LEAVE_REASON)
    sign_in = SignIn(cadre=cadre, township_id=township.id, at=now, kind=SignInKind.IN)
    # A day beyond the demo roster: the demo's own shifts take today's slots.
    shift = DutyShift(township_id=township.id, day=date(2027, 6, 1), kind=ShiftKind.NIGHT,
                      starts_at=now, ends_at=now + timedelta(hours=12))
    where = Whereabouts(cadre=cadre, township_id=township.id, status=Status.MEETING,
                        note=WHEREABOUTS_NOTE, starts_at=now - timedelta(hours=1))
    vehicle = Vehicle(township_id=township.id, plate=f"冀Z·9{tag}")
    # Out a minute ago, to the county town, still out: on this month's public car page.
    trip = CarTrip(township_id=township.id, vehicle=vehicle, driver_name=CAR_DRIVER_NAME,
                   passengers=[cadre], destination="县城", destination_kind=DestinationKind.COUNTY_TOWN,
                   purpose="送材料", out_at=now - timedelta(minutes=1), note=CAR_NOTE)
    db.session.add_all([visit, leave, sign_in, shift, where, vehicle, trip])
    db.session.flush()
    last_month = (now.date().replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    notice = notices.publish(township=township, month=last_month, actor=None,
                             today=now.date()).notice
    checker = db.session.scalar(select(User).where(User.role == Role.SYSADMIN).limit(1))
    spot = SpotCheck(township_id=township.id, at=now, checker_id=checker.id)
    db.session.add(spot)
    # A closed 民主评议 of the township and a supervisor appointed by its county.
    evaluation = Evaluation(township_id=township.id, month="2020-01", meeting_on=date(2020, 2, 3),
                            state=EvaluationState.CLOSED, closed_at=now)
    evaluation.subjects = [EvaluationSubject(cadre_id=cadre.id, name=cadre.name, post=cadre.post,
                                             satisfied=3)]
    appointment = SupervisorAppointment(
        county_id=township.county_id, name=f"监督员{tag}", kind=SupervisorKind.PUBLIC_REP,
        term_from=now.date() - timedelta(days=30), term_until=now.date() + timedelta(days=300),
        contact=SUPERVISOR_CONTACT, contact_public=False)
    appointment.townships = [township]
    db.session.add_all([evaluation, appointment])
    db.session.flush()
    objects = {"township": township, "cadre": cadre, "report": report, "visit": visit,
               "spot": spot, "leave": leave, "sign_in": sign_in, "shift": shift,
               "notice": notice, "where": where, "token": token}
    staff = _staff_of(township)
    overrides = {
        prefix: {"public_id": cadre.public_id}
        for prefix in ("admin.cadres.", "admin.board.", "admin.archive.")
    }
    overrides["admin.users."] = {"public_id": staff.public_id}
    overrides["admin.cars."] = {"public_id": vehicle.public_id}
    overrides["admin.visits."] = {"public_id": visit.public_id}
    # The county's published cases are addressed by the county's code; one of them is shown.
    overrides["public.cases."] = {"code": township.county.code}
    db.session.add(PublishedCase(
        report_id=report.id, county_id=township.county_id, township_id=township.id,
        cadre_name=cadre.name, cadre_post=cadre.post, category=report.category,
        finding=Finding.SUBSTANTIATED, action=Action.CRITICISM, found=f"查实的问题{tag}",
        done="批评教育", concluded_on=now.date()))
    overrides["admin.evaluations."] = {"public_id": evaluation.public_id}
    overrides["admin.supervisors."] = {"public_id": appointment.public_id}
    return Side(township.code, report.public_id, receipt, token, _values(**objects), overrides)


def _staff_of(township: Township) -> User:
    """A clerk of the township (the demo clerk for 大庄镇, a new one elsewhere)."""
    clerk = db.session.scalar(
        select(User).where(User.role == Role.CLERK, User.scope_townships.any(Township.id == township.id))
    )
    if clerk is None:
        clerk = User(username=f"clerk-{township.code}", password_hash="!", role=Role.CLERK,
                     scope_townships=[township])
        db.session.add(clerk)
        db.session.flush()
    return clerk


def _values(*, township, cadre, report, visit, spot, leave, sign_in, shift, notice, where,
            token) -> dict[str, str]:
    """URL parameter name → value. Add a name here when a route introduces one."""
    report_id = report.public_id
    evidence_id = report.evidence[0].public_id
    return {
        "code": township.code,
        "township": township.code,
        "township_code": township.code,
        "county": township.county.code,
        "county_code": township.county.code,
        "month": notice.month,
        "ym": notice.month,
        "year": notice.month[:4],
        "token": token,
        "public_id": report_id,
        "report_id": report_id,
        "report": report_id,
        "id": report_id,
        "cadre_id": cadre.public_id,
        "cadre": cadre.public_id,
        "visit_id": visit.public_id,
        "visit": visit.public_id,
        "evidence_id": evidence_id,
        "evidence": evidence_id,
        "spot_check_id": spot.public_id,
        "leave_id": str(leave.id),
        "sign_in_id": str(sign_in.id),
        "record_id": str(sign_in.id),
        "shift_id": str(shift.id),
        "whereabouts_id": str(where.id),
        "notice_id": str(notice.id),
        "version": "1",
        "day": clock.today().isoformat(),
        "date": clock.today().isoformat(),
        "filename": "site.css",
        "name": "roster-sample.xlsx",
        "fmt": "csv",
    }


def build_world(app) -> World:
    """Load the demo county and the foreign jurisdiction into the app's database."""
    from portal import demo as demo_data

    with app.app_context():
        demo_data.seed()
        inside_township = db.session.scalar(select(Township).where(Township.code == "990101001"))
        inside = _side(inside_township, "甲")
        outside = _side(_foreign_township(), "乙")
        db.session.commit()
        db.session.expunge_all()
    return World(inside, outside)


def row_counts() -> dict[str, int]:
    """The number of rows of every table, in one query (inside an app context)."""
    tables = db.metadata.sorted_tables
    query = union_all(*(
        select(literal(t.name).label("name"), select(func.count()).select_from(t)
               .scalar_subquery().label("n"))
        for t in tables
    ))
    counts = dict(db.session.execute(query).all())
    db.session.rollback()
    return counts


def user_for(role: str) -> User | None:
    """The demo account of a role (inside an app context); None for anonymous."""
    if role == "anonymous":
        return None
    return db.session.scalar(select(User).where(User.username == DEMO_LOGIN[role]))


def routes(app, method: str) -> list[Rule]:
    """Every rule of the URL map that answers `method`, in a stable order."""
    return sorted(
        (r for r in app.url_map.iter_rules() if method in (r.methods or set())),
        key=lambda r: (r.rule, r.endpoint),
    )


def blueprint_of(rule: Rule) -> str:
    return rule.endpoint.rsplit(".", 1)[0] if "." in rule.endpoint else ""


def is_staff(rule: Rule) -> bool:
    return blueprint_of(rule).split(".")[0] in STAFF_BLUEPRINTS
