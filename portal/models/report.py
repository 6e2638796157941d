"""举报: reports from the public, their history, messages and evidence.

A report's states, the steps between them and its deadlines are rules, not storage:
portal/rules/lifecycle.py (ReportStatus and Finding are imported from there).

No column here, or anywhere, holds a client address, user agent or other
client identifier. The receipt code is stored only as a keyed hash.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    Boolean,
    ColumnElement,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    bindparam,
    case,
    event,
    literal_column,
    select,
    text,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship
from sqlalchemy.sql.elements import Grouping

from portal.extensions import db
from portal.models.base import UTCDateTime, new_public_id, str_enum, utcnow
from portal.models.cadre import Cadre
from portal.models.region import Region
from portal.models.sealing import OfficeKey
from portal.models.township import Township
from portal.rules import lifecycle, sealing

# The life cycle's states and findings live with its rules (portal/rules/lifecycle.py).
from portal.rules.lifecycle import CLOSED_STATUSES as CLOSED_STATUSES
from portal.rules.lifecycle import Finding, ReportStatus


class Category(enum.StrEnum):
    ABSENT_WORKDAY = "absent_workday"  # 工作日无故不在岗
    LEFT_POST = "left_post"  # 擅自脱岗
    COMMUTING = "commuting"  # 下班回城住宿/走读
    NO_DUTY_LEADER = "no_duty_leader"  # 节假日无人带班
    FALSE_BOARD = "false_board"  # 去向公示不实
    OFFICIAL_CAR = "official_car"  # 公车私用
    OTHER = "other"  # 其他作风问题


class Action(enum.StrEnum):
    NONE = "none"  # 无
    CRITICISM = "criticism"  # 批评教育
    ADMONISHING_TALK = "admonishing_talk"  # 诫勉谈话
    CIRCULATED_CRITICISM = "circulated_criticism"  # 通报批评
    ORGANISATIONAL = "organisational"  # 组织处理
    DISCIPLINARY = "disciplinary"  # 纪律处分
    TRANSFERRED = "transferred"  # 移送


class Source(enum.StrEnum):
    PUBLIC = "public"
    SUPERVISOR = "supervisor"
    SPOT_CHECK = "spot_check"
    # Entered by an inspector from a call, a letter or a visit (来电、来信、来访).
    PHONE = "phone"
    LETTER = "letter"
    VISIT = "visit"


class Report(db.Model):
    """A report about a township (and optionally a cadre), routed to its county's inspectors."""

    __tablename__ = "report"
    __table_args__ = (
        Index("ix_report_county_status_submitted", "county_id", "status", "submitted_at", "id"),
        Index("ix_report_county_submitted", "county_id", "submitted_at", "id"),
        Index("ix_report_city_status_submitted", "city_id", "status", "submitted_at", "id"),
        Index("ix_report_city_submitted", "city_id", "submitted_at", "id"),
        Index("ix_report_province_status_submitted", "province_id", "status", "submitted_at", "id"),
        Index("ix_report_province_submitted", "province_id", "submitted_at", "id"),
        # The first view of a city's or a province's inspectors: what was escalated to them,
        # usually a few of their reports; these hold those only.
        Index("ix_report_city_escalated", "city_id", "submitted_at", "id",
              sqlite_where=text("escalation_level > 0"), postgresql_where=text("escalation_level > 0")),
        Index("ix_report_province_escalated", "province_id", "submitted_at", "id",
              sqlite_where=text("escalation_level > 0"), postgresql_where=text("escalation_level > 0")),
        Index("ix_report_township_submitted", "township_id", "submitted_at"),
        Index("ix_report_cadre_observed", "cadre_id", "observed_at"),
        # The case number (演示县〔2026〕第0012号): unique in its county, and how staff find it.
        # A report transferred to another county keeps the number its first county gave it
        # (case_county_id names that county): unique among those, as the others are above.
        Index("ix_report_case_number", "county_id", "case_year", "case_seq", unique=True,
              sqlite_where=text("case_county_id IS NULL"),
              postgresql_where=text("case_county_id IS NULL")),
        Index("ix_report_case_number_kept", "case_county_id", "case_year", "case_seq", unique=True,
              sqlite_where=text("case_county_id IS NOT NULL"),
              postgresql_where=text("case_county_id IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(24), unique=True, default=new_public_id)
    receipt_hash: Mapped[str] = mapped_column(String(64), unique=True)
    township_id: Mapped[int] = mapped_column(ForeignKey("township.id"))
    # Routing: the county whose inspectors own the queue; escalation raises the level.
    county_id: Mapped[int] = mapped_column(ForeignKey("region.id"))
    # The county's city and province (its parent and grandparent), copied at insert: a city's
    # or a province's queue is then one range of an index, like a county's.
    city_id: Mapped[int | None] = mapped_column(ForeignKey("region.id"))
    province_id: Mapped[int | None] = mapped_column(ForeignKey("region.id"))
    escalation_level: Mapped[int] = mapped_column(Integer, default=0)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The case number: the year of filing (Asia/Shanghai) and the place in the county's
    # sequence of that year (portal/services/casework/case_numbers.py gives it).
    case_year: Mapped[int | None] = mapped_column(Integer)
    case_seq: Mapped[int | None] = mapped_column(Integer)
    # The county whose sequence gave the number, once the report has been transferred to
    # another county (None: its county_id); no foreign key, as SQLite adds none in place.
    case_county_id: Mapped[int | None] = mapped_column(Integer)
    # The level of the office handling the report (转办 up): 0 the county's, 1 the city's,
    # 2 the province's. An office below it sees the case but can no longer change it.
    office_level: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    cadre_id: Mapped[int | None] = mapped_column(ForeignKey("cadre.id"))
    cadre_text: Mapped[str] = mapped_column(String(64), default="")
    category: Mapped[Category] = mapped_column(str_enum(Category))
    observed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    place: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text)
    named: Mapped[bool] = mapped_column(Boolean, default=False)
    # A named reporter's identity is sealed (sealed_identity, under the report's data key, which
    # is sealed to the county office's key): shown only to the assigned inspector, each view
    # audited. These two columns hold it only while the county has no office key yet;
    # `flask sealing init` seals them when the key is made. Use reporter_name/reporter_contact.
    legacy_reporter_name: Mapped[str | None] = mapped_column("reporter_name", String(64))
    legacy_reporter_contact: Mapped[str | None] = mapped_column("reporter_contact", String(128))
    # The office key it is sealed to (an office_key id; no foreign key: SQLite adds none in place).
    office_key_id: Mapped[int | None] = mapped_column(Integer, index=True)
    sealed_data_key: Mapped[bytes | None] = mapped_column(LargeBinary)
    sealed_identity: Mapped[bytes | None] = mapped_column(LargeBinary)
    source: Mapped[Source] = mapped_column(str_enum(Source), default=Source.PUBLIC)
    filed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    status: Mapped[ReportStatus] = mapped_column(
        str_enum(ReportStatus), default=ReportStatus.SUBMITTED
    )
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("report.id"), index=True)
    not_accepted_reason: Mapped[str] = mapped_column(Text, default="")
    finding: Mapped[Finding | None] = mapped_column(str_enum(Finding))
    action: Mapped[Action | None] = mapped_column(str_enum(Action))
    outcome_public: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    accept_due: Mapped[datetime] = mapped_column(UTCDateTime)
    conclude_due: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    concluded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Optimistic lock: concurrent changes (two inspectors claiming) cannot both win.
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    township: Mapped[Township] = relationship()
    cadre: Mapped[Cadre | None] = relationship()
    events: Mapped[list[ReportEvent]] = relationship(
        back_populates="report", order_by="ReportEvent.id", cascade="all, delete-orphan"
    )
    messages: Mapped[list[Message]] = relationship(
        back_populates="report", order_by="Message.id", cascade="all, delete-orphan"
    )
    evidence: Mapped[list[Evidence]] = relationship(
        back_populates="report", order_by="Evidence.id", cascade="all, delete-orphan"
    )

    def _identity(self) -> dict[str, str | None]:
        known = self.__dict__.get("_plain_identity")
        if known is not None:
            return known
        return {"name": self.legacy_reporter_name, "contact": self.legacy_reporter_contact}

    def _set_identity(self, field: str, value: str | None) -> None:
        identity = dict(self._identity())
        identity[field] = value
        self.__dict__["_plain_identity"] = identity
        self.__dict__["_identity_changed"] = True
        # A change the flush must see (the sealing happens there, sealing.seal_pending).
        self.legacy_reporter_name = self.legacy_reporter_name

    @property
    def reporter_name(self) -> str | None:
        """The named reporter's name, once opened (sealing.open_identity) or just written."""
        return self._identity()["name"]

    @reporter_name.setter
    def reporter_name(self, value: str | None) -> None:
        self._set_identity("name", value)

    @property
    def reporter_contact(self) -> str | None:
        """The named reporter's contact, once opened or just written."""
        return self._identity()["contact"]

    @reporter_contact.setter
    def reporter_contact(self, value: str | None) -> None:
        self._set_identity("contact", value)

    @property
    def identity_sealed(self) -> bool:
        """True when the identity is stored sealed and this object has not opened it."""
        return self.sealed_identity is not None and "_plain_identity" not in self.__dict__

    def opened_identity(self, identity: dict[str, str | None]) -> None:
        """Hold the identity opened with the data key (for this object's life only)."""
        self.__dict__["_plain_identity"] = identity


def due_of(table) -> ColumnElement:
    """The deadline of a report's next step, NULL once it is closed (the queue's "due" order).

    Built from lifecycle.DEADLINE_FIELDS, the same table as lifecycle.deadline. The statuses
    are written out, not bound: the indexes below hold this very expression, and a query
    matches them only if it has the same one (queue.due_expression uses this).
    """
    whens = []
    for column, statuses in lifecycle.deadline_columns():
        written = [literal_column(f"'{status.value}'") for status in statuses]
        condition = table.c.status == written[0] if len(written) == 1 else table.c.status.in_(written)
        whens.append((condition, table.c[column]))
    return case(*whens)


# The queue by deadline, and its "overdue only" filter, as one index range per region.
for _column in ("county_id", "city_id", "province_id"):
    Index(f"ix_report_{_column.removesuffix('_id')}_due", Report.__table__.c[_column],
          # In parentheses: PostgreSQL takes an expression in an index only so.
          Grouping(due_of(Report.__table__)), Report.__table__.c.id)


# The county's parent and grandparent, built once (the hook runs for every report); on the
# tables, as mappers cannot be configured while this module is being imported.
_COUNTY, _CITY = Region.__table__.alias("county"), Region.__table__.alias("city")
_COUNTY_ANCESTORS = (select(_COUNTY.c.parent_id, _CITY.c.parent_id)
                     .outerjoin(_CITY, _CITY.c.id == _COUNTY.c.parent_id)
                     .where(_COUNTY.c.id == bindparam("county_id")))


@event.listens_for(Report, "before_insert")
def _copy_county_ancestors(mapper, connection, target: Report) -> None:
    """Fill city_id and province_id from the county, unless the writer gave them."""
    if target.city_id is not None or target.province_id is not None:
        return
    row = connection.execute(_COUNTY_ANCESTORS, {"county_id": target.county_id}).first()
    if row is not None:
        target.city_id, target.province_id = row


def _current_office_key(session: Session, county_id: int) -> OfficeKey | None:
    with session.no_autoflush:
        return session.scalars(
            select(OfficeKey).where(OfficeKey.county_id == county_id, OfficeKey.retired_at.is_(None))
            .order_by(OfficeKey.created_at.desc(), OfficeKey.id.desc()).limit(1)).first()


def report_data_key(session: Session, report: Report) -> bytes | None:
    """The report's data key for writing: known to this object, or new and sealed to the office.

    None while the county has no office key (the identity then waits in the legacy columns).
    """
    known = report.__dict__.get("_data_key")
    if known is not None:
        return known
    if report.sealed_data_key is not None:
        # A sealed report is changed only by someone who opened it (or to forget, at purge).
        raise PermissionError("a sealed report changed without its data key")
    key = _current_office_key(session, report.county_id)
    if key is None:
        return None
    data_key = sealing.new_data_key()
    report.office_key_id = key.id
    report.sealed_data_key = sealing.seal_to(key.public_key, data_key)
    report.__dict__["_data_key"] = data_key
    return data_key


def sealed_identity_columns(session: Session, county_id: int, name: str | None,
                            contact: str | None) -> tuple[dict, bytes | None]:
    """A new report's identity columns, sealed when the county has an office key, and its data key.

    For writers that insert rows directly (the submission); the flush hook below does the same
    for reports written through the ORM.
    """
    columns = {"reporter_name": name, "reporter_contact": contact, "office_key_id": None,
               "sealed_data_key": None, "sealed_identity": None}
    key = _current_office_key(session, county_id) if (name or contact) else None
    if key is None:
        return columns, None
    data_key = sealing.new_data_key()
    columns.update(reporter_name=None, reporter_contact=None, office_key_id=key.id,
                   sealed_data_key=sealing.seal_to(key.public_key, data_key),
                   sealed_identity=sealing.encrypt_fields(data_key, {"name": name, "contact": contact}))
    return columns, data_key


def report_from_columns(values: dict, data_key: bytes | None) -> Report:
    """The ORM object for a row written from sealed_identity_columns' values (not attached)."""
    fields = dict(values)
    identity = {"name": fields.pop("reporter_name"), "contact": fields.pop("reporter_contact")}
    report = Report(**fields)
    if data_key is None:
        report.legacy_reporter_name, report.legacy_reporter_contact = identity["name"], identity["contact"]
    else:
        report.__dict__["_data_key"] = data_key
    return report


def _seal_identity(session: Session, report: Report) -> None:
    identity = report._identity()
    if not identity["name"] and not identity["contact"]:
        report.sealed_identity = None
        report.legacy_reporter_name = report.legacy_reporter_contact = None
        return
    data_key = report_data_key(session, report)
    if data_key is None:
        report.legacy_reporter_name, report.legacy_reporter_contact = identity["name"], identity["contact"]
        return
    report.sealed_identity = sealing.encrypt_fields(data_key, identity)
    report.legacy_reporter_name = report.legacy_reporter_contact = None


@event.listens_for(Session, "before_flush")
def _seal_changed_identities(session: Session, flush_context, instances) -> None:
    """A named reporter's identity reaches the database only sealed (when the county has a key)."""
    for obj in [*session.new, *session.dirty]:
        if isinstance(obj, Report) and obj.__dict__.pop("_identity_changed", False):
            _seal_identity(session, obj)


class ReportTally(db.Model):
    """How many reports each region has per category, status and escalation level.

    A report counts in its county, its city and its province (county_id, city_id,
    province_id). Kept by database triggers (migration 0002) on every insert, update and
    delete of a report, in the writer's transaction, so it is exact: a province's counts
    per status are a few dozen rows here instead of half a million reports counted.
    """

    __tablename__ = "report_tally"

    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"), primary_key=True)
    category: Mapped[Category] = mapped_column(str_enum(Category), primary_key=True)
    status: Mapped[ReportStatus] = mapped_column(str_enum(ReportStatus), primary_key=True)
    escalation_level: Mapped[int] = mapped_column(Integer, primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0)


class ReportEvent(db.Model):
    """One step of a report's life: who, when, from which status to which."""

    __tablename__ = "report_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    kind: Mapped[str] = mapped_column(String(24))
    from_status: Mapped[ReportStatus | None] = mapped_column(str_enum(ReportStatus))
    to_status: Mapped[ReportStatus | None] = mapped_column(str_enum(ReportStatus))
    # Shown to the reporter on /track.
    public_note: Mapped[str] = mapped_column(Text, default="")
    # Staff only.
    staff_note: Mapped[str] = mapped_column(Text, default="")

    report: Mapped[Report] = relationship(back_populates="events")


class Sender(enum.StrEnum):
    REPORTER = "reporter"
    INSPECTOR = "inspector"


class Message(db.Model):
    """The thread between the reporter (by receipt) and the inspectors."""

    __tablename__ = "message"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id", ondelete="CASCADE"), index=True)
    sender: Mapped[Sender] = mapped_column(str_enum(Sender))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    body: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    report: Mapped[Report] = relationship(back_populates="messages")


class Evidence(db.Model):
    """A re-encoded photo (no EXIF, no GPS), stored under a random name, served to staff only."""

    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(24), unique=True, default=new_public_id)
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id", ondelete="CASCADE"), index=True)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("message.id", ondelete="SET NULL"))
    content_type: Mapped[str] = mapped_column(String(32))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    # Either the bytes are in the database, or `storage_name` names a file in EVIDENCE_DIR.
    data: Mapped[bytes | None] = mapped_column(LargeBinary)
    storage_name: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    report: Mapped[Report] = relationship(back_populates="evidence")
