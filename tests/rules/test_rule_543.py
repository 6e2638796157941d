"""Tests for the 5-4-3 engine on real 2026 weeks."""

from collections.abc import Iterable
from datetime import UTC, date, datetime, time

import pytest

from portal.rules.calendar import TZ, OfficialCalendar, local_date
from portal.rules.rule_543 import (
    REASON_NO_EVENING,
    REASON_NO_EVENING_NOR_MORNING,
    REASON_NO_MORNING,
    REASON_NO_SIGN_IN,
    REASON_NO_SIGN_OUT,
    REASON_NOT_AT_TOWNSHIP,
    REASON_UNCONFIRMED,
    InvalidRecord,
    NightStay,
    RecordKind,
    SignInKind,
    SignInRecord,
    Visit,
    WeekResult,
    compute_week,
)

CAL = OfficialCalendar()


def d(month: int, day: int) -> date:
    return date(2026, month, day)


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=TZ)


def pairs(days: Iterable[date]) -> list[SignInRecord]:
    """A check-in at 08:30 and a check-out at 17:30 at the township on each day."""
    records: list[SignInRecord] = []
    for day in days:
        records.append(SignInRecord(f"in-{day}", local(day, 8, 30), SignInKind.IN, True))
        records.append(SignInRecord(f"out-{day}", local(day, 17, 30), SignInKind.OUT, True))
    return records


def stays(nights: Iterable[date]) -> list[NightStay]:
    return [NightStay(f"n-{n}", n, True, True, False) for n in nights]


def visits(days: Iterable[date]) -> list[Visit]:
    return [Visit(f"v-{day}", day, "大庄村", True) for day in days]


def figures(result: WeekResult) -> tuple:
    return (
        result.work_days,
        result.nights,
        result.village_days,
        result.required_work,
        result.required_nights,
        result.required_village,
        result.compliant,
    )


MON_FRI = [d(3, 9), d(3, 10), d(3, 11), d(3, 12), d(3, 13)]
MON_THU_NIGHTS = [d(3, 9), d(3, 10), d(3, 11), d(3, 12)]


@pytest.mark.parametrize(
    ("week", "worked", "nights", "visited", "leave", "expected"),
    [
        # Ordinary week, compliant: 5 days, Mon-Thu nights, 3 village days.
        (d(3, 9), MON_FRI, MON_THU_NIGHTS, MON_FRI[1:4], set(), (5, 4, 3, 5, 4, 3, True)),
        # Ordinary week, short on nights and village days.
        (d(3, 9), MON_FRI, MON_THU_NIGHTS[:3], MON_FRI[:2], set(), (5, 3, 2, 5, 4, 3, False)),
        # Ordinary week, only 4 days at the post.
        (d(3, 9), MON_FRI[:4], MON_THU_NIGHTS, MON_FRI[:3], set(), (4, 4, 3, 5, 4, 3, False)),
        # A confirmed visit makes a work day even without a sign-in pair.
        (d(3, 9), MON_FRI[:2], MON_THU_NIGHTS, MON_FRI[2:], set(), (5, 4, 3, 5, 4, 3, True)),
        # Spring Festival week (16-22 Feb): nothing required.
        (d(2, 16), [], [], [], set(), (0, 0, 0, 0, 0, 0, True)),
        # Duty on a festival day still shows, but changes nothing required.
        (d(2, 16), [d(2, 17)], [], [], set(), (1, 0, 0, 0, 0, 0, True)),
        # Week before the festival: six working days incl. the 调休 Sat 14; defaults hold.
        (
            d(2, 9),
            [d(2, 10), d(2, 11), d(2, 12), d(2, 13), d(2, 14)],
            [d(2, 10), d(2, 11), d(2, 12), d(2, 13)],
            [d(2, 12), d(2, 13), d(2, 14)],
            set(),
            (5, 4, 3, 5, 4, 3, True),
        ),
        # National Day week (28 Sep - 4 Oct): 3 working days; nights are the eves incl. Sun 27.
        (
            d(9, 28),
            [d(9, 28), d(9, 29), d(9, 30)],
            [d(9, 27), d(9, 28), d(9, 29)],
            [d(9, 28), d(9, 29), d(9, 30)],
            set(),
            (3, 3, 3, 3, 3, 3, True),
        ),
        # National Day week, short one night.
        (
            d(9, 28),
            [d(9, 28), d(9, 29), d(9, 30)],
            [d(9, 28), d(9, 29)],
            [d(9, 28), d(9, 29), d(9, 30)],
            set(),
            (3, 2, 3, 3, 3, 3, False),
        ),
        # Week after (5-11 Oct): Thu, Fri and the 调休 Sat 10 are the working days.
        (
            d(10, 5),
            [d(10, 8), d(10, 9), d(10, 10)],
            [d(10, 7), d(10, 8), d(10, 9)],
            [d(10, 8), d(10, 9), d(10, 10)],
            set(),
            (3, 3, 3, 3, 3, 3, True),
        ),
        # ... and skipping the 调休 Saturday is a missed working day.
        (
            d(10, 5),
            [d(10, 8), d(10, 9)],
            [d(10, 7), d(10, 8), d(10, 9)],
            [d(10, 8), d(10, 9)],
            set(),
            (2, 3, 2, 3, 3, 3, False),
        ),
        # Two days of leave (Mon, Tue): 3 required of each; Sun 8 and Mon 9 nights excused.
        (
            d(3, 9),
            MON_FRI[2:],
            [d(3, 10), d(3, 11), d(3, 12)],
            MON_FRI[2:],
            {d(3, 9), d(3, 10)},
            (3, 3, 3, 3, 3, 3, True),
        ),
        # Leave on the weekend excuses nothing.
        (
            d(3, 9),
            MON_FRI,
            MON_THU_NIGHTS,
            MON_FRI[:3],
            {d(3, 14), d(3, 15)},
            (5, 4, 3, 5, 4, 3, True),
        ),
        # A whole week of leave.
        (d(3, 9), [], [], [], set(MON_FRI), (0, 0, 0, 0, 0, 0, True)),
        # Four days of leave: one working day left, one of each required.
        (d(3, 9), [d(3, 13)], [d(3, 12)], [d(3, 13)], set(MON_FRI[:4]), (1, 1, 1, 1, 1, 1, True)),
    ],
)
def test_week_figures(
    week: date,
    worked: list[date],
    nights: list[date],
    visited: list[date],
    leave: set[date],
    expected: tuple,
) -> None:
    result = compute_week(week, CAL, pairs(worked), stays(nights), visits(visited), leave)
    assert figures(result) == expected
    assert result.invalid == []


def test_counted_dates_are_reported() -> None:
    result = compute_week(
        d(3, 9), CAL, pairs(MON_FRI[:2]), stays([d(3, 8)]), visits([d(3, 11), d(3, 11)]), set()
    )
    assert result.work_dates == {d(3, 9), d(3, 10), d(3, 11)}
    assert result.night_dates == {d(3, 8)}
    assert result.village_dates == {d(3, 11)}
    assert result.week_start == d(3, 9)


def test_invalid_records_are_listed_and_count_for_nothing() -> None:
    mon, tue, wed = d(3, 9), d(3, 10), d(3, 11)
    sign_ins = [
        SignInRecord(1, local(mon, 8), SignInKind.IN, True),  # no check-out
        SignInRecord(2, local(tue, 17), SignInKind.OUT, True),  # no check-in
        SignInRecord(3, local(wed, 8), SignInKind.IN, False),  # not at the township
        SignInRecord(4, local(wed, 17), SignInKind.OUT, True),
        SignInRecord(5, local(d(3, 12), 17), SignInKind.IN, True),  # out before in
        SignInRecord(6, local(d(3, 12), 9), SignInKind.OUT, True),
    ]
    night_stays = [
        NightStay(10, mon, evening_sign_in=True, morning_sign_in=False),
        NightStay(11, tue, evening_sign_in=False, morning_sign_in=True),
        NightStay(12, wed, evening_sign_in=False, morning_sign_in=False, evening_diary=True),
        NightStay(13, d(3, 12), evening_sign_in=False, morning_sign_in=False),
    ]
    village_visits = [Visit(20, tue, "大庄村", confirmed=False)]

    result = compute_week(mon, CAL, sign_ins, night_stays, village_visits, set())

    assert figures(result) == (0, 0, 0, 5, 4, 3, False)
    assert result.invalid == [
        InvalidRecord(1, RecordKind.SIGN_IN, REASON_NO_SIGN_OUT),
        InvalidRecord(2, RecordKind.SIGN_IN, REASON_NO_SIGN_IN),
        InvalidRecord(3, RecordKind.SIGN_IN, REASON_NOT_AT_TOWNSHIP),
        InvalidRecord(4, RecordKind.SIGN_IN, REASON_NO_SIGN_IN),
        InvalidRecord(6, RecordKind.SIGN_IN, REASON_NO_SIGN_IN),
        InvalidRecord(5, RecordKind.SIGN_IN, REASON_NO_SIGN_OUT),
        InvalidRecord(10, RecordKind.NIGHT_STAY, REASON_NO_MORNING),
        InvalidRecord(11, RecordKind.NIGHT_STAY, REASON_NO_EVENING),
        InvalidRecord(12, RecordKind.NIGHT_STAY, REASON_NO_MORNING),
        InvalidRecord(13, RecordKind.NIGHT_STAY, REASON_NO_EVENING_NOR_MORNING),
        InvalidRecord(20, RecordKind.VISIT, REASON_UNCONFIRMED),
    ]
    assert REASON_NO_SIGN_OUT == "签到无签退"
    assert REASON_UNCONFIRMED == "未经群众确认"


@pytest.mark.parametrize(
    ("evening_sign_in", "morning_sign_in", "evening_diary", "valid"),
    [
        (True, True, False, True),
        (True, True, True, True),
        (False, True, True, True),  # an evening diary entry at the township stands for the evening
        (True, False, True, False),  # ... but never for the morning
        (False, False, True, False),
        (False, True, False, False),
        (True, False, False, False),
    ],
)
def test_night_stay_evidence(
    evening_sign_in: bool, morning_sign_in: bool, evening_diary: bool, valid: bool
) -> None:
    stay = NightStay(1, d(3, 10), evening_sign_in, morning_sign_in, evening_diary)
    result = compute_week(d(3, 9), CAL, [], [stay], [], set())
    assert result.nights == int(valid)
    assert (result.invalid == []) is valid


def test_plain_string_kinds_are_accepted() -> None:
    records = [
        SignInRecord(1, local(d(3, 9), 8), "in", True),  # type: ignore[arg-type]
        SignInRecord(2, local(d(3, 9), 18), "out", True),  # type: ignore[arg-type]
    ]
    assert compute_week(d(3, 9), CAL, records, [], [], set()).work_dates == {d(3, 9)}


def test_several_pairs_in_one_day_count_once() -> None:
    result = compute_week(d(3, 9), CAL, pairs([d(3, 9)]) + pairs([d(3, 9)]), [], [], set())
    assert result.work_days == 1


UTC_SUN_2359 = datetime(2026, 3, 15, 15, 59, tzinfo=UTC)  # Sun 15 Mar 23:59 local
UTC_MON_0000 = datetime(2026, 3, 15, 16, 0, tzinfo=UTC)  # Mon 16 Mar 00:00 local


@pytest.mark.parametrize(
    ("records", "work_dates", "invalid_ids"),
    [
        # A check-out at 00:05 belongs to the next day: neither half makes a pair.
        ([(1, local(d(3, 10), 8), "in"), (2, local(d(3, 11), 0, 5), "out")], set(), [1, 2]),
        # 23:59 local written in UTC is still the same local day.
        (
            [(1, local(d(3, 10), 8), "in"), (2, datetime(2026, 3, 10, 15, 59, tzinfo=UTC), "out")],
            {d(3, 10)},
            [],
        ),
        # 00:30 local on Monday is Sunday in UTC; it belongs to this week's Monday.
        (
            [(1, datetime(2026, 3, 8, 16, 30, tzinfo=UTC), "in"), (2, local(d(3, 9), 9), "out")],
            {d(3, 9)},
            [],
        ),
        # Sunday 23:00-23:59 local is the last day of the week.
        ([(1, local(d(3, 15), 23), "in"), (2, UTC_SUN_2359, "out")], {d(3, 15)}, []),
        # Monday 00:00 local of the next week is out of this week entirely.
        ([(1, UTC_MON_0000, "in"), (2, local(d(3, 16), 9), "out")], set(), []),
        # The Sunday before the week is out too.
        ([(1, local(d(3, 8), 9), "in"), (2, local(d(3, 8), 17), "out")], set(), []),
    ],
)
def test_sign_ins_at_the_edges(records: list, work_dates: set, invalid_ids: list) -> None:
    sign_ins = [SignInRecord(i, at, SignInKind(kind), True) for i, at, kind in records]
    result = compute_week(d(3, 9), CAL, sign_ins, [], [], set())
    assert result.work_dates == work_dates
    assert [r.record_id for r in result.invalid] == invalid_ids


@pytest.mark.parametrize(
    ("at", "in_week"),
    [(UTC_SUN_2359, True), (UTC_MON_0000, False)],
)
def test_visit_at_the_edge_of_the_week(at: datetime, in_week: bool) -> None:
    visit = Visit(1, local_date(at), "大庄村", confirmed=True)
    result = compute_week(d(3, 9), CAL, [], [], [visit], set())
    assert result.village_days == int(in_week)


@pytest.mark.parametrize(
    ("night_of", "counted"),
    [
        (d(3, 8), True),  # Sunday before: the eve of Monday belongs to this week
        (d(3, 14), True),  # Saturday night: the morning after is this week's Sunday
        (d(3, 15), False),  # Sunday night belongs to next week
        (d(3, 7), False),
    ],
)
def test_nights_belong_to_the_week_of_the_morning_after(night_of: date, counted: bool) -> None:
    result = compute_week(d(3, 9), CAL, [], stays([night_of]), [], set())
    assert result.nights == int(counted)


@pytest.mark.parametrize("week_start", [d(3, 10), d(3, 15), date(2026, 2, 15)])
def test_week_must_start_on_monday(week_start: date) -> None:
    with pytest.raises(ValueError):
        compute_week(week_start, CAL, [], [], [], set())


def test_naive_times_are_refused() -> None:
    record = SignInRecord(1, datetime(2026, 3, 9, 8), SignInKind.IN, True)
    with pytest.raises(ValueError):
        compute_week(d(3, 9), CAL, [record], [], [], set())


def test_overridden_day_changes_requirements() -> None:
    calendar = OfficialCalendar({d(3, 11): (False, "县庆")})
    result = compute_week(d(3, 9), calendar, [], [], [], set())
    assert (result.required_work, result.required_nights, result.required_village) == (4, 4, 3)
