"""The report life cycle: every legal step, every illegal one refused, each recorded."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import Action, AuditEntry, Finding, Report, ReportStatus, User
from portal.services.casework import cases, review
from portal.services.shared import audit
from portal.services.shared.errors import (
    ConflictError,
    IllegalTransitionError,
    NotFoundError,
    ValidationError,
)
from tests import tamper
from tests.review.conftest import make_report

S = ReportStatus


def _user(w, name):
    return db.session.get(User, getattr(w, name).id)


def _fresh(app, world, status=S.SUBMITTED, **fields):
    with app.app_context():
        from portal.models import Township

        report = make_report(db.session.get(Township, world.township.id), status=status, **fields)
        db.session.commit()
        return report.public_id


def _load(public_id):
    return db.session.scalar(select(Report).where(Report.public_id == public_id))


def test_full_life_cycle_records_every_step_with_who_and_when(app, world):
    pid = _fresh(app, world)
    with app.app_context():
        insp = _user(world, "inspector")
        r = review.accept(user=insp, report=_load(pid))
        assert r.status == S.ACCEPTED and r.accepted_at and r.conclude_due
        review.claim(user=insp, report=_load(pid))
        r = review.conclude(user=insp, report=_load(pid), finding=Finding.SUBSTANTIATED,
                            action=Action.CRITICISM, outcome_public="经核查属实，已对当事干部批评教育。")
        assert r.status == S.CONCLUDED and r.closed_at
        r = review.rectify(user=insp, report=_load(pid))
        assert r.status == S.RECTIFIED
        kinds = [(e.kind, e.from_status, e.to_status, e.actor_id) for e in _load(pid).events]
        assert kinds == [
            ("submitted", None, S.SUBMITTED, None),
            ("accepted", S.SUBMITTED, S.ACCEPTED, insp.id),
            ("assigned", S.ACCEPTED, S.VERIFYING, insp.id),
            ("concluded", S.VERIFYING, S.CONCLUDED, insp.id),
            ("rectified", S.CONCLUDED, S.RECTIFIED, insp.id),
        ]
        assert all(e.public_note for e in _load(pid).events[1:])
        actions = db.session.scalars(
            select(AuditEntry.action).where(AuditEntry.object_id == pid).order_by(AuditEntry.id)).all()
        assert actions == ["report.accepted", "report.claimed", "report.concluded", "report.rectified"]
        assert audit.verify().ok


def test_not_accept_needs_a_reason_shown_to_the_reporter(app, world):
    pid = _fresh(app, world)
    with app.app_context():
        insp = _user(world, "inspector")
        with pytest.raises(ValidationError):
            review.not_accept(user=insp, report=_load(pid), reason="  ")
        r = review.not_accept(user=insp, report=_load(pid), reason="反映的不是本县乡镇干部。")
        assert r.status == S.NOT_ACCEPTED and r.closed_at
        assert r.events[-1].public_note == "反映的不是本县乡镇干部。"


def test_merge_keeps_each_thread_and_refuses_bad_targets(app, world):
    a, b = _fresh(app, world), _fresh(app, world)
    foreign = None
    with app.app_context():
        from portal.models import Township

        foreign = make_report(db.session.get(Township, world.foreign_township.id)).public_id
        db.session.commit()
        insp = _user(world, "inspector")
        from portal.models import Sender
        from portal.services.casework.messages import add_message

        add_message(report=_load(b), sender=Sender.REPORTER, body="我还拍到了照片。")
        for target, error in ((b, ValidationError), (foreign, ValidationError), ("nope", ValidationError)):
            if target == b:
                continue
            with pytest.raises(error):
                review.merge(user=insp, report=_load(b), into_public_id=target)
        with pytest.raises(ValidationError):
            review.merge(user=insp, report=_load(b), into_public_id=b)
        review.merge(user=insp, report=_load(b), into_public_id=a)
        merged = _load(b)
        assert merged.status == S.MERGED and merged.merged_into_id == _load(a).id
        assert [m.body for m in merged.messages] == ["我还拍到了照片。"]
        assert [c.public_id for c in cases.merged_children(_load(a))] == [b]
        # A closed report is no merge target.
        c = make_report(db.session.get(Township, world.township.id), status=S.NOT_ACCEPTED)
        db.session.commit()
        d = _fresh(app, world)
        with pytest.raises(ValidationError):
            review.merge(user=insp, report=_load(d), into_public_id=c.public_id)


ILLEGAL = [
    (S.SUBMITTED, "claim"), (S.SUBMITTED, "conclude"), (S.SUBMITTED, "rectify"),
    (S.ACCEPTED, "accept"), (S.ACCEPTED, "not_accept"), (S.ACCEPTED, "conclude"), (S.ACCEPTED, "rectify"),
    (S.VERIFYING, "accept"), (S.VERIFYING, "not_accept"), (S.VERIFYING, "merge"), (S.VERIFYING, "rectify"),
    (S.CONCLUDED, "accept"), (S.CONCLUDED, "claim"), (S.CONCLUDED, "merge"), (S.CONCLUDED, "conclude"),
    (S.NOT_ACCEPTED, "accept"), (S.NOT_ACCEPTED, "claim"), (S.NOT_ACCEPTED, "merge"),
    (S.MERGED, "accept"), (S.MERGED, "claim"), (S.RECTIFIED, "rectify"), (S.RECTIFIED, "conclude"),
]


def _run(step, insp, report, target_pid):
    calls = {
        "accept": lambda: review.accept(user=insp, report=report),
        "not_accept": lambda: review.not_accept(user=insp, report=report, reason="理由"),
        "merge": lambda: review.merge(user=insp, report=report, into_public_id=target_pid),
        "claim": lambda: review.claim(user=insp, report=report),
        "conclude": lambda: review.conclude(user=insp, report=report, finding="substantiated",
                                            action="criticism", outcome_public="结果"),
        "rectify": lambda: review.rectify(user=insp, report=report),
    }
    return calls[step]()


@pytest.mark.parametrize(("status", "step"), ILLEGAL)
def test_illegal_transitions_are_refused_and_change_nothing(app, world, status, step):
    with app.app_context():
        insp = _user(world, "inspector")
        assignee = insp.id if status in (S.VERIFYING, S.CONCLUDED, S.RECTIFIED) else None
        extra = {"assignee_id": assignee}
        if status in (S.CONCLUDED, S.RECTIFIED):
            extra["finding"] = Finding.SUBSTANTIATED
    pid = _fresh(app, world, status=status, **extra)
    target = _fresh(app, world)
    with app.app_context():
        before = db.session.scalar(select(db.func.count()).select_from(AuditEntry))
        with pytest.raises(IllegalTransitionError):
            _run(step, _user(world, "inspector"), _load(pid), target)
        db.session.rollback()
        assert _load(pid).status == status
        assert db.session.scalar(select(db.func.count()).select_from(AuditEntry)) == before


def test_only_the_assignee_concludes_and_unsubstantiated_has_nothing_to_rectify(app, world):
    pid = _fresh(app, world, status=S.ACCEPTED)
    with app.app_context():
        insp, other = _user(world, "inspector"), _user(world, "inspector2")
        review.claim(user=insp, report=_load(pid))
        with pytest.raises(IllegalTransitionError):
            review.conclude(user=other, report=_load(pid), finding="substantiated", action="criticism",
                            outcome_public="x")
        with pytest.raises(ValidationError):
            review.conclude(user=insp, report=_load(pid), finding="unsubstantiated", action="criticism",
                            outcome_public="x")
        review.conclude(user=insp, report=_load(pid), finding="unsubstantiated", action="none",
                        outcome_public="经核查，该干部当天在村里走访，举报不属实。")
        with pytest.raises(IllegalTransitionError):
            review.rectify(user=insp, report=_load(pid))


def test_claim_twice_conflicts_and_assignment_respects_scope(app, world):
    pid = _fresh(app, world, status=S.ACCEPTED)
    with app.app_context():
        insp, other = _user(world, "inspector"), _user(world, "inspector2")
        foreign = _user(world, "foreign_inspector")
        with pytest.raises(ValidationError):
            review.assign(user=insp, report=_load(pid), assignee=foreign)
        review.claim(user=insp, report=_load(pid))
        with pytest.raises(IllegalTransitionError):
            review.claim(user=other, report=_load(pid))
        # The assignee hands the case over; nobody else can.
        with pytest.raises(IllegalTransitionError):
            review.assign(user=other, report=_load(pid), assignee=other)
        review.assign(user=insp, report=_load(pid), assignee=other)
        r = _load(pid)
        assert r.assignee_id == other.id and r.status == S.VERIFYING
        assert r.events[-1].kind == "reassigned" and r.events[-1].to_status is None


def test_stale_report_object_conflicts_instead_of_overwriting(app, world):
    pid = _fresh(app, world, status=S.ACCEPTED)
    with app.app_context():
        insp, other = _user(world, "inspector"), _user(world, "inspector2")
        stale = _load(pid)
        # Another inspector claims through another connection after we loaded the report.
        with db.engine.begin() as conn:
            conn.execute(db.update(Report).where(Report.public_id == pid)
                         .values(assignee_id=other.id, status=S.VERIFYING, version=Report.version + 1))
        with pytest.raises(ConflictError):
            review.claim(user=insp, report=stale)
        assert _load(pid).assignee_id == other.id


def test_out_of_scope_report_is_not_found(app, world):
    with app.app_context():
        from portal.models import Township

        pid = make_report(db.session.get(Township, world.foreign_township.id)).public_id
        db.session.commit()
        with pytest.raises(NotFoundError):
            cases.get_report(user=_user(world, "inspector"), public_id=pid)
        assert cases.get_report(user=_user(world, "foreign_inspector"), public_id=pid)
        assert cases.get_report(user=_user(world, "city_inspector"), public_id=pid)


def test_notes_are_staff_only_and_reveal_is_for_the_assignee_and_audited(app, world):
    pid = _fresh(app, world, status=S.ACCEPTED, named=True)
    with app.app_context():
        insp, other = _user(world, "inspector"), _user(world, "inspector2")
        event = review.add_note(user=other, report=_load(pid), text="电话核实，门卫称领导在开会。")
        assert event.staff_note and not event.public_note and event.to_status is None
        with pytest.raises(NotFoundError):
            review.reveal_reporter(user=insp, report=_load(pid), keyring={})
        review.claim(user=insp, report=_load(pid))
        with pytest.raises(NotFoundError):
            review.reveal_reporter(user=other, report=_load(pid), keyring={})
        assert review.reveal_reporter(user=insp, report=_load(pid), keyring={}) == ("举报人甲", "13800000000")
        reveals = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "reporter.revealed")).all()
        assert [(e.actor_id, e.object_id) for e in reveals] == [(insp.id, pid)]


def test_an_edited_audit_entry_of_a_report_step_is_detected(app, world, runner):
    pid = _fresh(app, world)
    with app.app_context():
        review.accept(user=_user(world, "inspector"), report=_load(pid))
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.object_id == pid))
        with tamper.triggers_off():
            db.session.execute(db.update(AuditEntry).where(AuditEntry.id == entry.id)
                               .values(actor_name="somebody-else"))
        check = audit.verify()
        assert not check.ok and check.first_broken_id == entry.id
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code != 0 and f"entry {entry.id}" in result.output


def test_inspectors_for_are_those_whose_scope_covers_the_township(app, world):
    from portal.models import Role, Township
    from tests import factories

    pid = _fresh(app, world)
    with app.app_context():
        factories.user(Role.INSPECTOR, townships=[db.session.get(Township, world.township.id)],
                       username="town-insp")
        factories.user(Role.INSPECTOR, townships=[db.session.get(Township, world.township2.id)],
                       username="other-town-insp")
        db.session.commit()
        names = [u.username for u in cases.inspectors_for(_load(pid))]
        assert names == ["cityinsp", "insp1", "insp2", "town-insp"]
