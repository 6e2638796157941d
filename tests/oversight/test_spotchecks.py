"""Recording spot checks and comparing each finding with the board, the roster and leave."""

from datetime import timedelta

import pytest

from portal.extensions import db
from portal.models import AuditEntry, Presence, SpotCheck, User
from portal.models.base import utcnow
from portal.services.oversight import spotchecks
from portal.services.oversight.spotchecks import (
    ABSENT_WITHOUT_LEAVE,
    FALSE_BOARD,
    SHIFT_UNSTAFFED,
    FindingInput,
    matches_board,
)
from portal.services.shared.errors import NotFoundError, ValidationError
from tests.oversight.conftest import CHECK_AT, local

P, A, B = Presence.PRESENT, Presence.ABSENT, Presence.AWAY_ON_BUSINESS


def record(town, at, found, checker="inspector_id"):
    user = db.session.get(User, getattr(town, checker))
    return spotchecks.record_spot_check(
        checker=user, township_id=town.township_id, at=at, note="暗访",
        findings=[FindingInput(town.ids[name], presence, f"{name}备注")
                  for name, presence in found.items()],
    )


def outcome(check):
    by_id = {f.cadre_id: f for f in check.findings}
    return by_id


@pytest.mark.parametrize(("name", "presence", "board", "mismatch"), [
    ("secretary", A, "at_office", FALSE_BOARD),  # absent while the board said 在岗
    ("secretary", P, "at_office", ""),
    ("away", A, "meeting", FALSE_BOARD),  # the board said 会议, nobody was at one
    ("away", B, "meeting", ""),
    ("boardleave", A, "leave", ABSENT_WITHOUT_LEAVE),  # board says 请假, leave was cancelled
    ("onleave", A, "", ""),  # approved leave excuses the absence
    ("late", A, "", ABSENT_WITHOUT_LEAVE),  # board entry typed in after the check
    ("changed", A, "village", FALSE_BOARD),  # as the board read at 10:00, not after the fix
    ("clerk", B, "at_office", ""),  # away on business: not a mismatch, but not a match
])
def test_each_finding_is_compared_with_the_records_at_the_moment(app, town, name, presence,
                                                                 board, mismatch):
    with app.app_context():
        check = record(town, CHECK_AT, {name: presence})
        finding = check.findings[0]
        assert (finding.board_status, finding.mismatch) == (board, mismatch)


def test_a_finding_exactly_at_a_shift_start_belongs_to_that_shift(app, town):
    with app.app_context():
        check = record(town, local(11, 18, 18), {"secretary": A, "clerk": P, "away": A})
        found = outcome(check)
        assert found[town.ids["secretary"]].mismatch == SHIFT_UNSTAFFED
        assert found[town.ids["clerk"]].mismatch == ""
        # Not rostered, and 18:00 is after office hours: no mismatch for the meeting-goer
        # beyond the board claiming a meeting.
        assert found[town.ids["away"]].mismatch == FALSE_BOARD


def test_a_finding_exactly_at_a_shift_end_is_outside_it(app, town):
    with app.app_context():
        # 08:00 on the 19th: the night shift has just ended; office hours have begun.
        check = record(town, local(11, 19, 8), {"clerk": A})
        assert check.findings[0].mismatch == FALSE_BOARD  # the board still said 在岗
        check = record(town, local(11, 19, 8) - timedelta(seconds=1), {"clerk": A})
        assert check.findings[0].mismatch == SHIFT_UNSTAFFED


def test_away_on_business_during_a_shift_leaves_it_unstaffed(app, town):
    with app.app_context():
        check = record(town, local(11, 19, 22), {"away": B})
        assert check.findings[0].mismatch == SHIFT_UNSTAFFED


def test_absence_outside_office_hours_without_duty_is_no_mismatch(app, town):
    with app.app_context():
        check = record(town, local(11, 18, 20), {"boardleave": A})
        assert check.findings[0].mismatch == ""


def test_recording_is_audited_and_validated(app, town):
    with app.app_context():
        check = record(town, CHECK_AT, {"secretary": A, "clerk": P})
        entry = db.session.query(AuditEntry).filter_by(action="spot_check.record").one()
        assert entry.object_id == check.public_id
        assert '"mismatches": 1' in entry.detail
        user = db.session.get(User, town.inspector_id)
        with pytest.raises(ValidationError):
            spotchecks.record_spot_check(checker=user, township_id=town.township_id,
                                         at=utcnow() + timedelta(hours=1),
                                         findings=[FindingInput(town.ids["clerk"], P)])
        with pytest.raises(ValidationError):
            spotchecks.record_spot_check(checker=user, township_id=town.township_id,
                                         at=CHECK_AT, findings=[])
        with pytest.raises(ValidationError):
            spotchecks.record_spot_check(checker=user, township_id=town.township_id, at=CHECK_AT,
                                         findings=[FindingInput(town.ids["clerk"], P),
                                                   FindingInput(town.ids["clerk"], A)])
        with pytest.raises(ValidationError):  # a cadre of another township
            spotchecks.record_spot_check(checker=user, township_id=town.township_id, at=CHECK_AT,
                                         findings=[FindingInput(town.ids["stranger"], P)])
        assert db.session.query(SpotCheck).count() == 1


def test_out_of_scope_township_is_not_found(app, town):
    with app.app_context():
        outsider = db.session.get(User, town.outsider_id)
        with pytest.raises(NotFoundError):
            spotchecks.record_spot_check(checker=outsider, township_id=town.township_id,
                                         at=CHECK_AT,
                                         findings=[FindingInput(town.ids["clerk"], P)])


def test_describe_shows_a_board_changed_after_the_check(app, town):
    with app.app_context():
        check = record(town, CHECK_AT, {"changed": A, "clerk": P})
        views = {v.finding.cadre_id: v for v in spotchecks.describe(check)}
        assert views[town.ids["changed"]].board_changed_after
        assert not views[town.ids["clerk"]].board_changed_after
        assert views[town.ids["clerk"]].matched


def test_a_supervisor_sees_only_their_own_spot_checks(app, town):
    with app.app_context():
        mine = record(town, CHECK_AT, {"clerk": P}, checker="supervisor_id")
        theirs = record(town, CHECK_AT, {"clerk": P}, checker="other_supervisor_id")
        supervisor = db.session.get(User, town.supervisor_id)
        inspector = db.session.get(User, town.inspector_id)
        assert [c.public_id for c in spotchecks.list_checks(supervisor)] == [mine.public_id]
        with pytest.raises(NotFoundError):
            spotchecks.get_check(supervisor, theirs.public_id)
        assert {c.public_id for c in spotchecks.list_checks(inspector)} == {
            mine.public_id, theirs.public_id}


@pytest.mark.parametrize(("presence", "status", "matched"), [
    (P, "at_office", True), (P, "duty", True), (P, "village", False), (P, "", False),
    (B, "village", True), (B, "meeting", True), (B, "trip", True), (B, "at_office", False),
    (A, "leave", True), (A, "off", True), (A, "at_office", False), (A, None, False),
])
def test_board_accuracy_match_table(presence, status, matched):
    assert matches_board(presence, status) is matched
