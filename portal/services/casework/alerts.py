"""E-mail alerts to inspectors: written to an outbox with the event, sent once by a timer.

Inspectors get an alert when a report arrives in their scope (filed, or escalated to their
level), when a reporter writes, and on the working day before a deadline; one at a time, or a
daily digest, as each chose on their account page. Only inspectors with an e-mail address get
alerts, and none at all while MAIL_URL is unset (the queue says so).

The outbox (`alert`) is filled in the same transaction as the event (`queue_new_report`,
`queue_escalated`, `queue_reporter_message`: one INSERT ... SELECT each), so nothing is lost
when the mail server is away and nothing is queued for an event that was rolled back. The
deadline reminders are written by `send_due` itself when their day comes (a unique index keeps
one per inspector, report and deadline, however many runs write it).

`send_due` (`flask alerts send`, on every node's timer) claims the due rows with one
conditional UPDATE (on PostgreSQL over `FOR UPDATE SKIP LOCKED`), commits the claim, sends,
and marks each row sent as soon as its message is accepted. A row whose sending failed is
left for a later run with its attempt count and error; a run that died lets its rows go when
its claim lapses.

What an e-mail says is only the township, the category, the case number and a link: never a
description, a place, a photo, a message's text or anything about the reporter.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Select, and_, false, func, literal, or_, select, true, update
from sqlalchemy.dialects import postgresql, sqlite

from portal.extensions import db
from portal.models import (
    Alert,
    AlertKind,
    AlertMode,
    Report,
    Role,
    Township,
    User,
    labels,
    user_township,
)
from portal.models.base import utcnow
from portal.rules import alerts as rules
from portal.rules.calendar import local_date
from portal.rules.lifecycle import OPEN_STATUSES
from portal.services.casework import case_numbers
from portal.services.casework.queue import due_expression
from portal.services.shared import mail
from portal.services.shared.calendar import official_calendar

# A run holds the rows it claimed this long; a run that died lets them go after it.
CLAIM_FOR = timedelta(minutes=15)
# Rows claimed (and so e-mails sent) by one run at most; the next run takes the rest.
BATCH = 2000
# A row that failed waits before it is tried again: 2, 4, 8... minutes, at most an hour.
MAX_RETRY_WAIT = timedelta(hours=1)
# After this many tries a row is given up (outcome "failed"); the error stays with it.
MAX_ATTEMPTS = 50

_ALERT = Alert.__table__
_COLUMNS = ("recipient_id", "kind", "report_id", "created_at", "due_at", "outcome", "attempts",
            "last_error")


def enabled() -> bool:
    """Whether alerts are on (MAIL_URL is set)."""
    return mail.configured()


# --- who gets an alert -----------------------------------------------------------------------


def _wants_alerts():
    """Accounts that take alerts: active inspectors with an address who did not turn them off."""
    return and_(User.role == Role.INSPECTOR, User.active.is_(True), User.email != "",
                User.alert_mode != AlertMode.OFF.value)


def _level_recipients(*, township_id: int, region_id: int | None, level: int) -> Select:
    """Ids of the inspectors a report at `level` is routed to: those of the region of that
    level (the county, its city, its province) and, at the county's level, those given the
    report's township by name."""
    covers = [User.scope_region_id == region_id] if region_id is not None else []
    if level == 0:
        covers.append(User.id.in_(select(user_township.c.user_id)
                                  .where(user_township.c.township_id == township_id)))
    return select(User.id).where(_wants_alerts(), or_(*covers) if covers else false())


def _level_region(report: Report) -> int | None:
    return (report.county_id, report.city_id, report.province_id)[min(report.escalation_level, 2)]


def _case_recipients(report: Report) -> Select:
    """The inspector in charge of the case, else every inspector it is routed to."""
    assignee_id = report.assignee_id
    if assignee_id is None and report.merged_into_id is not None:
        assignee_id = db.session.scalar(select(Report.assignee_id)
                                        .where(Report.id == report.merged_into_id))
    if assignee_id is not None:
        return select(User.id).where(User.id == assignee_id, _wants_alerts())
    return _level_recipients(township_id=report.township_id, region_id=_level_region(report),
                             level=report.escalation_level)


def _insert(recipients: Select, kind: AlertKind, report_id: int, due_at: datetime,
            now: datetime, *, ignore_existing: bool = False) -> None:
    """One INSERT ... SELECT of an alert for each recipient, in the caller's transaction."""
    rows = select(recipients.subquery().c.id, literal(kind.value), literal(report_id),
                  literal(now, Alert.created_at.type), literal(due_at, Alert.due_at.type),
                  literal(""), literal(0), literal("")
                  # SQLite reads "SELECT ... ON CONFLICT" only after a WHERE (its parser's rule).
                  ).where(true())
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(_ALERT).from_select(list(_COLUMNS), rows)
    if ignore_existing:
        stmt = stmt.on_conflict_do_nothing(index_elements=["recipient_id", "kind", "report_id",
                                                           "due_at"])
    db.session.execute(stmt)


# --- the events (each called in its use case's transaction, before it commits) ---------------


def queue_new_report(values: dict) -> None:
    """A report was filed (`values`: the columns of its row): its county's inspectors."""
    if not enabled():
        return
    recipients = _level_recipients(township_id=values["township_id"],
                                   region_id=values["county_id"], level=0)
    _insert(recipients, AlertKind.NEW_REPORT, values["id"], values["submitted_at"],
            values["submitted_at"])


def queue_escalated(*, report_id: int, region_id: int, at: datetime) -> None:
    """A report was escalated into the region: that region's inspectors."""
    if not enabled():
        return
    recipients = select(User.id).where(_wants_alerts(), User.scope_region_id == region_id)
    _insert(recipients, AlertKind.ESCALATED, report_id, at, at)


def queue_reporter_message(report: Report, at: datetime | None = None) -> None:
    """The reporter wrote in the thread: the inspector in charge, else the case's inspectors."""
    if not enabled():
        return
    at = at or utcnow()
    _insert(_case_recipients(report), AlertKind.REPORTER_MESSAGE, report.id, at, at,
            ignore_existing=True)


def queue_deadlines(now: datetime | None = None) -> int:
    """Write the reminders due by now: the working day before each open report's deadline.

    Idempotent: a reminder is one row per inspector, report and deadline (ix_alert_once).
    Returns how many reminders are due now (written by this run or an earlier one); the caller
    commits.
    """
    now = now or utcnow()
    calendar = official_calendar()
    hour = current_app.config["ALERT_DIGEST_HOUR"]
    due = due_expression()
    stmt = (select(Report, due.label("due"))
            .where(Report.status.in_(OPEN_STATUSES), due > now,
                   due <= now + timedelta(days=rules.LOOKAHEAD_DAYS))
            .order_by(Report.id))
    due_now = []
    for report, deadline in db.session.execute(stmt).all():
        remind_at = rules.reminder_at(deadline, calendar, hour)
        if remind_at <= now:
            due_now.append((report, remind_at))
    # Reminders written by an earlier run (every run between the reminder and the deadline
    # finds them due): one query, instead of one insert each that the unique index refuses.
    written = set(db.session.execute(
        select(Alert.report_id, Alert.due_at).where(
            Alert.kind == AlertKind.DEADLINE, Alert.report_id.in_([r.id for r, _at in due_now]))
    ).all()) if due_now else set()
    for report, remind_at in due_now:
        if (report.id, remind_at) not in written:
            _insert(_case_recipients(report), AlertKind.DEADLINE, report.id, remind_at, now,
                    ignore_existing=True)
    return len(due_now)


# --- sending ---------------------------------------------------------------------------------


@dataclass
class SendResult:
    """What one run of `send_due` did."""

    enabled: bool = True
    sent: int = 0  # alerts sent (in how many e-mails: messages)
    messages: int = 0
    failed: int = 0  # alerts left for a later run
    given_up: int = 0
    dropped: int = 0  # alerts no longer to send (turned off, no address, the case moved on)
    errors: list[str] = field(default_factory=list)


def _digest_ready(now: datetime) -> bool:
    local_hour = now.astimezone(rules.TZ).hour
    return local_hour >= current_app.config["ALERT_DIGEST_HOUR"]


def _drop_unwanted(now: datetime) -> int:
    """Rows of accounts that no longer take alerts are closed, unsent."""
    result = db.session.execute(
        update(Alert).where(Alert.sent_at.is_(None),
                            Alert.recipient_id.not_in(select(User.id).where(_wants_alerts())))
        .values(sent_at=now, outcome="not wanted", claim=None, claimed_until=None)
        .execution_options(synchronize_session=False))
    return result.rowcount or 0


def _claim(now: datetime) -> str:
    """Claim the rows due now, atomically; returns the claim's token."""
    token = secrets.token_hex(16)
    ready = Alert.recipient_id.in_(select(User.id).where(
        _wants_alerts(), User.alert_mode == AlertMode.IMMEDIATE.value))
    if _digest_ready(now):
        today = local_date(now)
        ready = or_(ready, Alert.recipient_id.in_(select(User.id).where(
            _wants_alerts(), User.alert_mode == AlertMode.DIGEST.value,
            or_(User.alert_digest_on.is_(None), User.alert_digest_on < today))))
    free = or_(Alert.claimed_until.is_(None), Alert.claimed_until < now)
    candidates = (select(Alert.id).where(Alert.sent_at.is_(None), Alert.due_at <= now, free, ready)
                  .order_by(Alert.due_at, Alert.id).limit(BATCH))
    if db.session.get_bind().dialect.name == "postgresql":
        # Rows another run is claiming at this moment are skipped, not waited for.
        candidates = candidates.with_for_update(skip_locked=True)
    db.session.execute(
        update(Alert)
        # Re-checked by the UPDATE itself: a row claimed meanwhile is not taken twice.
        .where(Alert.id.in_(candidates), Alert.sent_at.is_(None), free)
        .values(claim=token, claimed_until=now + CLAIM_FOR, attempts=Alert.attempts + 1)
        .execution_options(synchronize_session=False))
    return token


@dataclass(frozen=True)
class _Item:
    alert_id: int
    kind: AlertKind
    township: str
    category: str
    case_number: str
    link: str


def _link(report: Report) -> str:
    return f"{current_app.config['PUBLIC_URL'].rstrip('/')}/review/{report.public_id}"


def _still_due(alert: Alert, report: Report, calendar, hour: int) -> bool:
    """A reminder whose deadline moved or whose case closed is not sent."""
    if alert.kind != AlertKind.DEADLINE:
        return True
    if report.status not in OPEN_STATUSES:
        return False
    deadline = db.session.scalar(select(due_expression()).where(Report.id == report.id))
    return deadline is not None and rules.reminder_at(deadline, calendar, hour) == alert.due_at


KIND_LINES = {
    AlertKind.NEW_REPORT: lambda: _("有一件新举报转到您的管辖范围。"),
    AlertKind.ESCALATED: lambda: _("有一件举报超过办理期限，已升级转到您处督办。"),
    AlertKind.REPORTER_MESSAGE: lambda: _("举报人在一件举报中回复了消息。"),
    AlertKind.DEADLINE: lambda: _("有一件举报的办理期限是下一个工作日。"),
}
KIND_TAGS = {
    AlertKind.NEW_REPORT: lambda: _("新举报"),
    AlertKind.ESCALATED: lambda: _("升级督办"),
    AlertKind.REPORTER_MESSAGE: lambda: _("举报人回复"),
    AlertKind.DEADLINE: lambda: _("即将到期"),
}


def _facts(item: _Item) -> list[str]:
    return [_("乡镇：%(name)s", name=item.township), _("类别：%(category)s", category=item.category),
            _("案件编号：%(number)s", number=item.case_number), _("查看：%(link)s", link=item.link)]


def _footer() -> list[str]:
    return ["", _("为保护举报人，本邮件不含举报内容。请登录平台查看。"),
            _("在“我的账号”中可以改为每日汇总或不再接收。")]


def _single(item: _Item) -> tuple[str, str]:
    subject = _("【在岗】%(tag)s：%(number)s", tag=KIND_TAGS[item.kind](), number=item.case_number)
    return subject, "\n".join([KIND_LINES[item.kind](), "", *_facts(item), *_footer()]) + "\n"


def _digest(items: list[_Item]) -> tuple[str, str]:
    subject = _("【在岗】每日汇总：%(n)s 条提醒", n=len(items))
    lines = [_("以下是您的举报提醒（共 %(n)s 条）：", n=len(items)), ""]
    for item in items:
        lines += [f"[{KIND_TAGS[item.kind]()}]", *_facts(item), ""]
    return subject, "\n".join(lines + _footer()[1:]) + "\n"


def _items(token: str, now: datetime) -> tuple[dict[int, list[_Item]], dict[int, User], int]:
    """The claimed rows as what their e-mails say, by recipient; rows no longer due are closed."""
    rows = db.session.execute(
        select(Alert, Report, Township.name)
        .join(Report, Report.id == Alert.report_id).join(Township, Township.id == Report.township_id)
        .where(Alert.claim == token).order_by(Alert.recipient_id, Alert.due_at, Alert.id)).all()
    calendar = official_calendar()
    hour = current_app.config["ALERT_DIGEST_HOUR"]
    numbers = case_numbers.numbers_of([report for _alert, report, _name in rows])
    by_recipient: dict[int, list[_Item]] = defaultdict(list)
    stale: list[int] = []
    for alert, report, township in rows:
        if not _still_due(alert, report, calendar, hour):
            stale.append(alert.id)
            continue
        by_recipient[alert.recipient_id].append(_Item(
            alert.id, alert.kind, township, str(labels.CATEGORY.get(report.category, report.category)),
            numbers[report.id], _link(report)))
    if stale:
        _finish(stale, token, now, "obsolete")
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(by_recipient)))}
    return by_recipient, users, len(stale)


def _finish(ids: list[int], token: str, now: datetime, outcome: str) -> None:
    db.session.execute(update(Alert).where(Alert.id.in_(ids), Alert.claim == token)
                       .values(sent_at=now, outcome=outcome, claim=None, claimed_until=None,
                               last_error="")
                       .execution_options(synchronize_session=False))


def _failed(ids: list[int], token: str, now: datetime, error: str, result: SendResult) -> None:
    rows = db.session.execute(select(Alert.id, Alert.attempts)
                              .where(Alert.id.in_(ids), Alert.claim == token)).all()
    for alert_id, attempts in rows:
        if attempts >= MAX_ATTEMPTS:
            values = {"sent_at": now, "outcome": "failed", "claimed_until": None}
            result.given_up += 1
        else:
            wait = min(timedelta(minutes=2 ** min(attempts, 10)), MAX_RETRY_WAIT)
            # Free again (for any run) once the wait is over.
            values = {"claimed_until": now + wait}
            result.failed += 1
        db.session.execute(update(Alert).where(Alert.id == alert_id, Alert.claim == token)
                           .values(claim=None, last_error=error[:200], **values)
                           .execution_options(synchronize_session=False))
    if error not in result.errors:
        result.errors.append(error)


def send_due(now: datetime | None = None) -> SendResult:
    """Send every alert that is due (the command `flask alerts send`); safe to run anywhere,
    any number of times at once: each alert is sent once."""
    now = now or utcnow()
    if not enabled():
        return SendResult(enabled=False)
    result = SendResult()
    queue_deadlines(now)
    result.dropped += _drop_unwanted(now)
    token = _claim(now)
    db.session.commit()
    by_recipient, users, stale = _items(token, now)
    result.dropped += stale
    db.session.commit()
    if not by_recipient:
        return result
    outgoing: list[tuple[list[int], User, tuple[str, str]]] = []
    for recipient_id, items in by_recipient.items():
        user = users[recipient_id]
        if user.alert_mode == AlertMode.DIGEST.value:
            outgoing.append(([i.alert_id for i in items], user, _digest(items)))
        else:
            outgoing += [([i.alert_id], user, _single(i)) for i in items]
    try:
        with mail.connection() as smtp:
            for ids, user, (subject, body) in outgoing:
                try:
                    mail.send(smtp, mail.message(to=user.email, subject=subject, body=body))
                except mail.MailError as error:
                    _failed(ids, token, now, str(error), result)
                else:
                    _finish(ids, token, now, "sent")
                    if user.alert_mode == AlertMode.DIGEST.value:
                        user.alert_digest_on = local_date(now)
                    result.sent += len(ids)
                    result.messages += 1
                # Each message's outcome is kept at once: a run that dies later sends it not again.
                db.session.commit()
    except mail.MailError as error:
        db.session.rollback()
        left = [i for ids, _user, _text in outgoing for i in ids]
        _failed(left, token, now, str(error), result)
        db.session.commit()
    return result


# --- what the pages show ---------------------------------------------------------------------


@dataclass(frozen=True)
class AlertStatus:
    """What the queue and the account page say about alerts for this user."""

    enabled: bool  # MAIL_URL is set
    email: str
    mode: str

    @property
    def receiving(self) -> bool:
        return self.enabled and bool(self.email) and self.mode != AlertMode.OFF.value


def status_for(user: User) -> AlertStatus:
    return AlertStatus(enabled(), user.email or "", user.alert_mode or AlertMode.IMMEDIATE.value)


def pending_count() -> int:
    """Alerts waiting to be sent (for the operator's look at a stuck mail server)."""
    return db.session.scalar(select(func.count()).select_from(Alert).where(Alert.sent_at.is_(None)))

