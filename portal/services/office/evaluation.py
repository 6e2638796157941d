"""民主评议: the monthly democratic evaluation of a township's leadership team.

The clerk opens an evaluation of a month that is over (the month rated) at the all-staff
meeting of the month after, and prints one ballot slip per attending cadre. Each slip carries
a one-time code (and its QR code) that is shown once and stored only as a keyed hash. A cadre
votes on a phone at `/e/<code>`, or on the paper slip, which the clerk then enters with the
same code.

Secrecy: casting a ballot marks its row used (no time is stored) and adds the ratings to each
leader's counts in the same transaction; the vote itself is never a row. No id, row order or
time joins a vote to its ballot, and a remark joins a list that is shuffled on every vote.
No page shows a count until the clerk closes the evaluation; then the results go to the
county (staff pages and an export) and a summary per leader goes into the monthly notice of
the month the meeting was held.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from portal.extensions import db
from portal.models import (
    Cadre,
    Evaluation,
    EvaluationBallot,
    EvaluationState,
    EvaluationSubject,
    Rating,
    Township,
    User,
)
from portal.models.base import utcnow
from portal.sanitize import clean_text
from portal.services.shared import audit, spreadsheets
from portal.services.shared.errors import ConflictError, NotFoundError, ValidationError
from portal.services.shared.scope import township_ids_in_scope
from portal.services.shared.transaction import use_case

# 32 letters and digits that cannot be misread (no 0/O, 1/I/L): 5 bits each, 12 of them.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 12
MAX_BALLOTS = 300
MAX_REMARK = 200
_SHUFFLE = secrets.SystemRandom()


class BallotUsedError(ValidationError):
    """The ballot was cast already."""


class EvaluationClosedError(ValidationError):
    """The evaluation is closed: the ballot can no longer be cast."""


@dataclass(frozen=True)
class Issued:
    """An evaluation and the codes of the slips just issued (shown once, never stored)."""

    evaluation: Evaluation
    codes: list[str]


@dataclass(frozen=True)
class LeaderResult:
    name: str
    post: str
    satisfied: int
    basic: int
    unsatisfied: int
    remarks: list[str]

    @property
    def total(self) -> int:
        return self.satisfied + self.basic + self.unsatisfied

    @property
    def satisfied_share(self) -> int:
        """满意率: 满意 and 基本满意 of all votes, in whole percent."""
        return round(100 * (self.satisfied + self.basic) / self.total) if self.total else 0


@dataclass(frozen=True)
class Results:
    evaluation: Evaluation
    ballots_issued: int
    ballots_cast: int
    leaders: list[LeaderResult]


# --- codes ---------------------------------------------------------------------------------

def _key() -> bytes:
    secret = current_app.config.get("EVALUATION_SECRET") or current_app.config["SECRET_KEY"]
    if not secret:
        raise RuntimeError("SECRET_KEY is not set")
    return hmac.new(secret.encode(), b"zaigang ballot-key v1", hashlib.sha256).digest()


def normalize(code: str) -> str:
    """A code as typed (any case, spaces or dashes) in its canonical form; '' if malformed."""
    text = "".join(ch for ch in (code or "")[:40].upper() if ch not in " -\t")
    if len(text) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in text):
        return ""
    return text


def grouped(code: str) -> str:
    """A code in groups of four, for reading and typing."""
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def hash_code(code: str) -> str:
    return hmac.new(_key(), normalize(code).encode(), hashlib.sha256).hexdigest()


def _new_codes(evaluation: Evaluation, count: int) -> list[str]:
    codes = ["".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
             for _ in range(count)]
    db.session.add_all(EvaluationBallot(evaluation_id=evaluation.id, code_hash=hash_code(c))
                       for c in codes)
    return [grouped(c) for c in codes]


# --- months --------------------------------------------------------------------------------

def parse_month(text: str) -> tuple[date, date]:
    try:
        year, month = (int(part) for part in (text or "").split("-"))
        first = date(year, month, 1)
    except (ValueError, TypeError) as exc:
        raise ValidationError(_l("月份格式应为 YYYY-MM。")) from exc
    if len(text) != 7:
        raise ValidationError(_l("月份格式应为 YYYY-MM。"))
    following = date(year + month // 12, month % 12 + 1, 1)
    return first, following - timedelta(days=1)


def previous_month(month: str) -> str:
    first, _last = parse_month(month)
    return (first - timedelta(days=1)).strftime("%Y-%m")


def month_of(day: date) -> str:
    return day.strftime("%Y-%m")


# --- reading -------------------------------------------------------------------------------

def for_township(township_id: int) -> list[Evaluation]:
    """A township's evaluations, newest month first."""
    return list(db.session.scalars(
        select(Evaluation).where(Evaluation.township_id == township_id)
        .order_by(Evaluation.month.desc())))


def get(user: User, public_id: str) -> Evaluation:
    """An evaluation of a township in the user's scope, or NotFoundError (404)."""
    evaluation = db.session.scalar(select(Evaluation).where(
        Evaluation.public_id == public_id,
        Evaluation.township_id.in_(township_ids_in_scope(user))))
    if evaluation is None:
        raise NotFoundError(public_id)
    return evaluation


def turnout(evaluation: Evaluation) -> tuple[int, int]:
    """(ballots issued, ballots cast): how far the vote has come, never how it went."""
    issued, cast = db.session.execute(
        select(func.count(EvaluationBallot.id),
               func.count(EvaluationBallot.id).filter(EvaluationBallot.used.is_(True)))
        .where(EvaluationBallot.evaluation_id == evaluation.id)).one()
    return issued, cast


def results(evaluation: Evaluation) -> Results:
    """The counts of a closed evaluation; an open one has none to show (ValidationError)."""
    if evaluation.state != EvaluationState.CLOSED:
        raise ValidationError(_l("评议结束后才能查看结果。"))
    issued, cast = turnout(evaluation)
    leaders = [LeaderResult(s.name, s.post, s.satisfied, s.basic, s.unsatisfied,
                            sorted(json.loads(s.remarks or "[]")))
               for s in evaluation.subjects]
    return Results(evaluation, issued, cast, leaders)


def closed_in_scope(user: User, month: str) -> list[Results]:
    """The closed evaluations of a rated month in the user's scope, by township code."""
    parse_month(month)
    found = db.session.scalars(
        select(Evaluation).join(Township, Township.id == Evaluation.township_id)
        .where(Evaluation.month == month, Evaluation.state == EvaluationState.CLOSED,
               Evaluation.township_id.in_(township_ids_in_scope(user)))
        .order_by(Township.code))
    return [results(e) for e in found]


def months_closed_in_scope(user: User) -> list[str]:
    """The rated months with a closed evaluation in the user's scope, newest first."""
    return list(db.session.scalars(
        select(Evaluation.month).where(
            Evaluation.state == EvaluationState.CLOSED,
            Evaluation.township_id.in_(township_ids_in_scope(user)))
        .group_by(Evaluation.month).order_by(Evaluation.month.desc()).limit(36)))


def notice_summary(township_id: int, month: str) -> tuple[dict, dict[int, dict]] | None:
    """What the monthly notice of `month` shows: the evaluation held that month (of the month
    before) once closed, as (section, {cadre id: row figures}); None when there is none."""
    evaluation = db.session.scalar(select(Evaluation).where(
        Evaluation.township_id == township_id, Evaluation.month == previous_month(month),
        Evaluation.state == EvaluationState.CLOSED))
    if evaluation is None:
        return None
    _issued, cast = turnout(evaluation)
    section = {"month": evaluation.month, "meeting_on": evaluation.meeting_on.isoformat(),
               "ballots_cast": cast}
    rows = {s.cadre_id: {"evaluation_satisfied": s.satisfied, "evaluation_basic": s.basic,
                         "evaluation_unsatisfied": s.unsatisfied}
            for s in evaluation.subjects}
    return section, rows


# --- the clerk's steps ---------------------------------------------------------------------

def _check_count(count: int) -> None:
    if not 1 <= count <= MAX_BALLOTS:
        raise ValidationError(_l("选票张数应为 1 到 %(n)s。", n=MAX_BALLOTS))


@use_case
def open_evaluation(*, actor: User, township: Township, month: str, meeting_on: date,
                    ballots: int, today: date) -> Issued:
    """Open the evaluation of a month that is over, with its leaders and `ballots` slips."""
    first, last = parse_month(month)
    if last >= today:
        raise ValidationError(_l("只能评议已经结束的月份。"))
    if meeting_on <= last or meeting_on > today:
        raise ValidationError(_l("评议会议的日期应在被评议月份之后，且不晚于今天。"))
    _check_count(ballots)
    if db.session.scalar(select(Evaluation.id).where(Evaluation.township_id == township.id,
                                                     Evaluation.month == month)):
        raise ValidationError(_l("%(month)s 的民主评议已经开启过了。", month=month))
    leaders = list(db.session.scalars(
        select(Cadre).where(Cadre.township_id == township.id, Cadre.is_leader.is_(True),
                            Cadre.serving_between(first, last))
        .order_by(Cadre.sort_order, Cadre.id)))
    if not leaders:
        raise ValidationError(_l("这个月没有在任的班子成员，无需评议。"))
    evaluation = Evaluation(township_id=township.id, month=month, meeting_on=meeting_on,
                            opened_by_id=actor.id if actor else None)
    evaluation.subjects = [EvaluationSubject(cadre_id=c.id, name=c.name, post=c.post,
                                             sort_order=i) for i, c in enumerate(leaders)]
    db.session.add(evaluation)
    db.session.flush()
    codes = _new_codes(evaluation, ballots)
    audit.record("evaluation.opened", actor=actor, object_type="evaluation",
                 object_id=evaluation.public_id,
                 detail={"township": township.code, "month": month, "ballots": ballots})
    try:
        db.session.commit()
    except Exception as exc:  # a concurrent opening of the same month
        db.session.rollback()
        raise ConflictError(_l("%(month)s 的民主评议已经开启过了。", month=month)) from exc
    return Issued(evaluation, codes)


@use_case
def issue_more(*, actor: User, evaluation: Evaluation, ballots: int) -> Issued:
    """More slips for an open evaluation (a cadre arrived late, a slip was spoilt)."""
    if evaluation.state != EvaluationState.OPEN:
        raise EvaluationClosedError(_l("评议已经结束，不能再发选票。"))
    _check_count(ballots)
    codes = _new_codes(evaluation, ballots)
    audit.record("evaluation.ballots_issued", actor=actor, object_type="evaluation",
                 object_id=evaluation.public_id, detail={"ballots": ballots})
    db.session.commit()
    return Issued(evaluation, codes)


@use_case
def close(*, actor: User, evaluation: Evaluation) -> None:
    """Close the vote: from now on the counts are shown, and no ballot can be cast."""
    if evaluation.state == EvaluationState.CLOSED:
        raise ValidationError(_l("评议已经结束。"))
    evaluation.state = EvaluationState.CLOSED
    evaluation.closed_at = utcnow()
    evaluation.closed_by_id = actor.id if actor else None
    issued, cast = turnout(evaluation)
    audit.record("evaluation.closed", actor=actor, object_type="evaluation",
                 object_id=evaluation.public_id, detail={"issued": issued, "cast": cast})
    db.session.commit()


# --- casting a ballot ----------------------------------------------------------------------

def find_ballot(code: str) -> Evaluation:
    """The open evaluation a code votes in; NotFoundError, BallotUsedError or
    EvaluationClosedError otherwise (the same work whatever the code)."""
    digest = hash_code(code) if normalize(code) else hash_code("A" * CODE_LENGTH)
    ballot = db.session.scalar(select(EvaluationBallot).where(EvaluationBallot.code_hash == digest))
    if ballot is None or not normalize(code):
        raise NotFoundError(_l("没有这张选票，请核对选票上的代码。"))
    evaluation = db.session.get(Evaluation, ballot.evaluation_id)
    if evaluation.state != EvaluationState.OPEN:
        raise EvaluationClosedError(_l("这次民主评议已经结束，不能再投票。"))
    if ballot.used:
        raise BallotUsedError(_l("这张选票已经投过了，每张选票只能投一次。"))
    return evaluation


def _ratings(evaluation: Evaluation, ratings: dict[int, str], remarks: dict[int, str]):
    parsed = {}
    for subject in evaluation.subjects:
        value = ratings.get(subject.id) or ""
        try:
            parsed[subject.id] = Rating(value)
        except ValueError as exc:
            raise ValidationError(_l("请为每一位班子成员选择评价：%(name)s 还没有选。",
                                     name=subject.name)) from exc
    notes = {sid: clean_text(remarks.get(sid) or "", MAX_REMARK) for sid in parsed}
    return parsed, notes


@use_case
def cast(*, code: str, ratings: dict[int, str], remarks: dict[int, str] | None = None,
         entered_by: User | None = None) -> Evaluation:
    """Cast a ballot: every leader rated (subject id → rating value), remarks optional.

    The ballot is marked used by a conditional UPDATE (a second cast of it, even at the same
    moment, changes nothing and is refused), and the ratings are added to the counts in the
    same transaction. `entered_by` is the clerk entering a paper slip.
    """
    evaluation = find_ballot(code)
    parsed, notes = _ratings(evaluation, ratings, remarks or {})
    marked = db.session.execute(
        update(EvaluationBallot)
        .where(EvaluationBallot.code_hash == hash_code(code), EvaluationBallot.used.is_(False),
               EvaluationBallot.evaluation_id.in_(
                   select(Evaluation.id).where(Evaluation.id == evaluation.id,
                                               Evaluation.state == EvaluationState.OPEN)))
        .values(used=True).execution_options(synchronize_session=False))
    if marked.rowcount != 1:
        db.session.rollback()
        raise BallotUsedError(_l("这张选票已经投过了，每张选票只能投一次。"))
    subjects = list(db.session.scalars(
        select(EvaluationSubject).where(EvaluationSubject.evaluation_id == evaluation.id)
        .with_for_update().execution_options(populate_existing=True)))
    for subject in subjects:
        column = parsed[subject.id].value
        setattr(subject, column, getattr(subject, column) + 1)
        if notes[subject.id]:
            kept = json.loads(subject.remarks or "[]") + [notes[subject.id]]
            _SHUFFLE.shuffle(kept)
            subject.remarks = json.dumps(kept, ensure_ascii=False)
    if entered_by is not None:
        # Who entered paper slips, and how many: never which slip or what it said.
        audit.record("evaluation.paper_entered", actor=entered_by, object_type="evaluation",
                     object_id=evaluation.public_id)
    db.session.commit()
    return evaluation



# --- the export for the county (纪委 and 组织部) ----------------------------------------------

def export_table(found: list[Results]):
    """(columns, rows) of the results of closed evaluations, one row per leader."""
    col = spreadsheets.Column
    columns = [col(str(_l("乡镇代码"))), col(str(_l("乡镇"))), col(str(_l("评议月份"))),
               col(str(_l("会议日期")), "date"), col(str(_l("姓名"))), col(str(_l("职务"))),
               col(str(_l("满意")), "int"), col(str(_l("基本满意")), "int"),
               col(str(_l("不满意")), "int"), col(str(_l("满意率（百分数）")), "int"),
               col(str(_l("发出选票")), "int"), col(str(_l("收回选票")), "int"),
               col(str(_l("意见建议")))]
    rows = []
    for result in found:
        e = result.evaluation
        for leader in result.leaders:
            rows.append([e.township.code, e.township.name, e.month, e.meeting_on, leader.name,
                         leader.post, leader.satisfied, leader.basic, leader.unsatisfied,
                         leader.satisfied_share, result.ballots_issued, result.ballots_cast,
                         "；".join(leader.remarks)])
    return columns, rows


def export_file(found: list[Results], file_format: str, title: str) -> tuple[bytes, str]:
    """The results as CSV or XLSX bytes and the mimetype (the spreadsheets' house format)."""
    columns, rows = export_table(found)
    if file_format == "csv":
        return spreadsheets.csv_bytes(columns, rows), spreadsheets.CSV_MIMETYPE
    sheet = spreadsheets.Sheet(name=str(_l("民主评议")), columns=columns, rows=rows, title=title)
    return spreadsheets.xlsx_bytes([sheet]), spreadsheets.XLSX_MIMETYPE


def record_export(*, actor: User, what: str, count: int) -> None:
    """Each download of results goes to the audit log."""
    audit.record("evaluation.exported", actor=actor, object_type="evaluation", object_id=what,
                 detail={"evaluations": count})
    db.session.commit()
