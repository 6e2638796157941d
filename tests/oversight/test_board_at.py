"""What the board, roster and leave said at a moment, as known then and as known now."""

from datetime import timedelta

from portal.models import DutyRole, Status
from portal.models.base import utcnow
from portal.services.oversight import board_at
from tests.oversight.conftest import CHECK_AT, local


def test_the_entry_in_force_at_the_moment_as_known_then(app, town):
    with app.app_context():
        said = board_at.township_at(town.township_id, CHECK_AT)
        status = {name: said.cadres[cid].status for name, cid in town.ids.items()
                  if cid in said.cadres}
        assert status["secretary"] == Status.AT_OFFICE
        assert status["boardleave"] == Status.LEAVE
        assert status["late"] is None  # recorded at 10:30: nobody could see it at 10:00
        assert status["changed"] == Status.VILLAGE  # the correction came at 11:00
        assert status["away"] == Status.MEETING
        assert status["onleave"] is None
        assert "stranger" not in status  # another township's cadre


def test_as_known_now_shows_later_entries_and_corrections(app, town):
    with app.app_context():
        said = board_at.township_at(town.township_id, CHECK_AT, known_at=utcnow())
        assert said.cadres[town.ids["late"]].status == Status.AT_OFFICE
        assert said.cadres[town.ids["changed"]].status == Status.AT_OFFICE


def test_board_boundaries_end_exclusive_start_inclusive(app, town):
    with app.app_context():
        sid = town.ids["secretary"]
        assert board_at.whereabouts_at([sid], local(11, 18, 8))[sid].status == Status.AT_OFFICE
        before = board_at.whereabouts_at([sid], local(11, 18, 8) - timedelta(microseconds=1))
        assert before[sid].status == Status.OFF


def test_only_approved_uncancelled_leave_counts(app, town):
    with app.app_context():
        leave = board_at.leave_at(town.ids.values(), CHECK_AT)
        assert set(leave) == {town.ids["onleave"]}
        assert board_at.leave_at([town.ids["onleave"]], local(11, 20, 10)) == {}


def test_a_shift_runs_from_its_start_inclusive_to_its_end_exclusive(app, town):
    with app.app_context():
        start = local(11, 18, 18)
        end = local(11, 19, 8)
        assert board_at.shifts_at(town.township_id, start - timedelta(seconds=1)) == []
        running = board_at.shifts_at(town.township_id, start)
        assert len(running) == 1
        assert running[0].leader_ids == (town.ids["secretary"],)
        assert running[0].staff_ids == (town.ids["clerk"],)
        assert board_at.shifts_at(town.township_id, end - timedelta(seconds=1))
        assert board_at.shifts_at(town.township_id, end) == []


def test_cadre_at_gives_duty_role(app, town):
    with app.app_context():
        said = board_at.cadre_at(town.ids["secretary"], local(11, 18, 18))
        assert said.duty_role == DutyRole.LEADER
        clerk = board_at.cadre_at(town.ids["clerk"], local(11, 18, 23))
        assert clerk.duty_role == DutyRole.STAFF
        assert board_at.cadre_at(town.ids["clerk"], CHECK_AT).duty_role is None
