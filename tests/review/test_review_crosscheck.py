"""Cross-check at intake: the records at the reported moment, contradictions, corroboration."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from portal.extensions import db
from portal.models import (
    Cadre,
    DutyAssignment,
    DutyRole,
    DutyShift,
    Leave,
    LeaveKind,
    ReportStatus,
    ShiftKind,
    SignIn,
    SignInKind,
    Status,
    Township,
    User,
    VillageVisit,
    Whereabouts,
)
from portal.rules.calendar import TZ
from portal.services.casework import crosscheck
from tests import factories
from tests.review.conftest import make_report

# Wednesday 4 March 2026, a working day.
MOMENT = datetime(2026, 3, 4, 10, 0, tzinfo=TZ)


def _board(cadre, status, start, end=None, recorded=None, superseded=None, village=""):
    entry = Whereabouts(cadre_id=cadre.id, township_id=cadre.township_id, status=status, village=village,
                        starts_at=start, ends_at=end, recorded_at=recorded or start, superseded_at=superseded)
    db.session.add(entry)
    return entry


def _setup(app, world):
    ctx = app.app_context()
    ctx.push()
    t = db.session.get(Township, world.township.id)
    cadre = db.session.get(Cadre, world.cadre.id)
    return ctx, t, cadre


def test_board_village_without_a_confirmed_visit_is_flagged(app, world):
    ctx, t, cadre = _setup(app, world)
    try:
        _board(cadre, Status.VILLAGE, MOMENT.replace(hour=8), village="东村")
        db.session.add(VillageVisit(cadre_id=cadre.id, township_id=t.id, village="东村", day=MOMENT.date()))
        report = make_report(t, cadre=cadre, observed_at=MOMENT, submitted_at=MOMENT + timedelta(hours=2))
        db.session.commit()
        check = crosscheck.check(report)
        assert check.board_then.status == Status.VILLAGE and not check.board_changed
        assert [f.code for f in check.flags] == ["village_without_visit"]
        assert len(check.visits) == 1 and check.visits[0].confirmed_at is None
        # Once a villager confirms, the contradiction is gone.
        check.visits[0].confirmed_at = MOMENT
        db.session.commit()
        assert crosscheck.check(report).flags == []
    finally:
        ctx.pop()


def test_board_changed_after_the_report_is_flagged_and_both_versions_shown(app, world):
    ctx, t, cadre = _setup(app, world)
    try:
        submitted = MOMENT + timedelta(hours=1)
        # The board said "meeting" when the report came in; later someone made it "at office".
        old = _board(cadre, Status.MEETING, MOMENT.replace(hour=8), end=MOMENT.replace(hour=8, minute=30),
                     superseded=submitted + timedelta(hours=3))
        _board(cadre, Status.AT_OFFICE, MOMENT.replace(hour=8, minute=30),
               recorded=submitted + timedelta(hours=3))
        db.session.add(SignIn(cadre_id=cadre.id, township_id=t.id, at=MOMENT.replace(hour=8),
                              kind=SignInKind.IN))
        report = make_report(t, cadre=cadre, observed_at=MOMENT, submitted_at=submitted)
        db.session.commit()
        check = crosscheck.check(report)
        assert check.board_then.id == old.id and check.board_now.status == Status.AT_OFFICE
        assert "board_changed" in [f.code for f in check.flags]
    finally:
        ctx.pop()


def test_present_on_the_board_but_signed_out_leave_and_duty_contradictions(app, world):
    ctx, t, cadre = _setup(app, world)
    try:
        _board(cadre, Status.AT_OFFICE, MOMENT.replace(hour=8))
        for hour, kind in ((8, SignInKind.IN), (9, SignInKind.OUT)):
            db.session.add(SignIn(cadre_id=cadre.id, township_id=t.id, at=MOMENT.replace(hour=hour),
                                  kind=kind))
        report = make_report(t, cadre=cadre, observed_at=MOMENT, submitted_at=MOMENT + timedelta(hours=1))
        db.session.commit()
        assert [f.code for f in crosscheck.check(report).flags] == ["present_but_signed_out"]

        other = factories.cadre(t)
        _board(other, Status.LEAVE, MOMENT.replace(hour=7))
        shift = DutyShift(township_id=t.id, day=MOMENT.date(), kind=ShiftKind.DAY,
                          starts_at=MOMENT.replace(hour=8), ends_at=MOMENT.replace(hour=18))
        shift.assignments.append(DutyAssignment(cadre_id=other.id, role=DutyRole.STAFF))
        db.session.add(shift)
        second = make_report(t, cadre=other, observed_at=MOMENT, submitted_at=MOMENT + timedelta(hours=1))
        db.session.commit()
        check = crosscheck.check(second)
        assert [f.code for f in check.flags] == ["leave_without_record", "on_duty_but_away"]
        assert check.duties[0][2] is True
        db.session.add(Leave(cadre_id=other.id, township_id=t.id, kind=LeaveKind.SICK,
                             start_date=date(2026, 3, 3), end_date=date(2026, 3, 5), reason="住院"))
        db.session.commit()
        check = crosscheck.check(second)
        assert [f.code for f in check.flags] == ["on_duty_but_away"] and check.leave.reason == "住院"
    finally:
        ctx.pop()


def test_no_cadre_or_no_moment_means_no_cross_check(app, world):
    ctx, t, cadre = _setup(app, world)
    try:
        assert crosscheck.check(make_report(t, observed_at=MOMENT)) is None
        r = make_report(t, cadre=cadre)
        r.observed_at = None
        assert crosscheck.check(r) is None
        db.session.rollback()
    finally:
        ctx.pop()


def test_reports_on_the_same_cadre_and_day_are_grouped_within_scope(app, world):
    ctx, t, cadre = _setup(app, world)
    try:
        first = make_report(t, cadre=cadre, observed_at=MOMENT)
        same_day = make_report(t, cadre=cadre, observed_at=MOMENT.replace(hour=16),
                               status=ReportStatus.ACCEPTED)
        make_report(t, cadre=cadre, observed_at=MOMENT + timedelta(days=1))
        # Local-day boundaries: 23:30 local belongs to the same day, 00:30 the next.
        late = make_report(t, cadre=cadre, observed_at=MOMENT.replace(hour=23, minute=30))
        make_report(t, cadre=cadre, observed_at=(MOMENT + timedelta(days=1)).replace(hour=0, minute=30))
        free_a = make_report(t, cadre_text="张主任", observed_at=MOMENT)
        free_b = make_report(t, cadre_text="张主任", observed_at=MOMENT.replace(hour=11))
        db.session.commit()
        user = db.session.get(User, world.inspector.id)
        group = crosscheck.same_day_group(user=user, report=first)
        assert {r.id for r in group} == {same_day.id, late.id}
        assert [r.id for r in crosscheck.same_day_group(user=user, report=free_a)] == [free_b.id]
        foreign = db.session.get(User, world.foreign_inspector.id)
        assert crosscheck.same_day_group(user=foreign, report=first) == []
    finally:
        ctx.pop()


def test_the_report_page_shows_the_cross_check(app, world):
    from tests.conftest import login_as

    with app.app_context():
        t = db.session.get(Township, world.township.id)
        cadre = db.session.get(Cadre, world.cadre.id)
        _board(cadre, Status.VILLAGE, MOMENT.replace(hour=8), village="东村")
        a = make_report(t, cadre=cadre, observed_at=MOMENT)
        make_report(t, cadre=cadre, observed_at=MOMENT.replace(hour=15))
        db.session.commit()
        pid = a.public_id
        user = db.session.get(User, world.inspector.id)
        db.session.expunge(user)
    client = app.test_client()
    login_as(client, user)
    page = client.get(f"/review/{pid}").get_data(as_text=True)
    assert "公示为下村，但当天没有经村民确认的入村记录" in page
    assert "共 2 件举报反映同一干部同一天的情况" in page
