"""Every statistic on a small county computed by hand (October 2026, seen on 27 November)."""

from __future__ import annotations

import secrets
import xml.etree.ElementTree as ET
from datetime import date, datetime
from html import unescape

import pytest

from portal.extensions import db
from portal.models import (
    Category,
    DutyAssignment,
    DutyRole,
    DutyShift,
    Finding,
    Presence,
    Report,
    ReportStatus,
    ShiftKind,
    SignIn,
    SignInKind,
    SpotCheck,
    SpotCheckFinding,
    VillageVisit,
)
from portal.rules.calendar import TZ
from portal.services.oversight import stats
from tests import factories
from tests.conftest import at as set_clock

TODAY = date(2026, 11, 27)
OCTOBER = stats.Period("month", 2026, 10)


def at(month, day, hour=10, minute=0, year=2026):
    return datetime(year, month, day, hour, minute, tzinfo=TZ)


def report(township, submitted, accepted=None, concluded=None, finding=None,
           status=ReportStatus.SUBMITTED):
    db.session.add(Report(
        receipt_hash=secrets.token_hex(32), township_id=township.id,
        county_id=township.county_id, category=Category.ABSENT_WORKDAY, description="测试",
        submitted_at=submitted, accept_due=submitted, accepted_at=accepted,
        concluded_at=concluded, finding=finding, status=status,
    ))


def compliant_week_of_october_12(leader):
    """Sign-in pairs Mon-Fri, night stays Sun-Wed, confirmed visits Mon-Wed."""
    for day in range(12, 17):
        for hour, minute, kind in ((7, 0, SignInKind.IN), (17, 30, SignInKind.OUT)):
            db.session.add(SignIn(cadre_id=leader.id, township_id=leader.township_id,
                                  at=at(10, day, hour, minute), kind=kind))
    for night in range(11, 15):
        db.session.add(SignIn(cadre_id=leader.id, township_id=leader.township_id,
                              at=at(10, night, 21), kind=SignInKind.IN))
    for day in (12, 13, 14):
        db.session.add(VillageVisit(cadre_id=leader.id, township_id=leader.township_id,
                                    village="东村", day=date(2026, 10, day),
                                    confirmed_at=at(10, day, 16)))


def shift(township, day, kind, leader=None, staff=None):
    s = DutyShift(township_id=township.id, day=day, kind=kind, starts_at=at(day.month, day.day),
                  ends_at=at(day.month, day.day, 23))
    if leader:
        s.assignments.append(DutyAssignment(cadre_id=leader.id, role=DutyRole.LEADER))
    if staff:
        s.assignments.append(DutyAssignment(cadre_id=staff.id, role=DutyRole.STAFF))
    db.session.add(s)


def spot_check(township, when, checker, found):
    check = SpotCheck(township_id=township.id, at=when, checker_id=checker.id)
    for cadre, presence, board in found:
        check.findings.append(SpotCheckFinding(cadre_id=cadre.id, presence=presence,
                                               board_status=board))
    db.session.add(check)


@pytest.fixture
def county(app):
    # The reports below are of October 2026: the statistics are read after it, in December, as
    # they could only be in real life (a month not yet begun holds no reports and hides nothing).
    set_clock("2026-12-07T10:00")
    with app.app_context():
        county = factories.county(code="990201", name="统计县")
        a = factories.township(county, name="甲镇", code="990201001")
        b = factories.township(county, name="乙乡", code="990201002")
        lead1 = factories.cadre(a, "领导一", "党委书记", is_leader=True)
        factories.cadre(a, "领导二", "镇长", is_leader=True)
        staff = factories.cadre(a, "干事一")
        factories.cadre(b, "干事二")
        inspector = factories.user(scope_region=county)
        # 甲镇, October: four reports.
        report(a, at(10, 14), accepted=at(10, 16), concluded=at(10, 23),
               finding=Finding.SUBSTANTIATED, status=ReportStatus.RECTIFIED)
        # Saturday 10 October is a working day (调休).
        report(a, at(10, 10, 9), accepted=at(10, 12), concluded=at(10, 30),
               finding=Finding.PARTLY_SUBSTANTIATED, status=ReportStatus.CONCLUDED)
        # 00:30 on 1 October local time is still 30 September in UTC: it counts for October.
        report(a, at(10, 1, 0, 30), accepted=at(10, 9), concluded=at(10, 20),
               finding=Finding.UNSUBSTANTIATED, status=ReportStatus.CONCLUDED)
        report(a, at(10, 28))
        report(a, at(9, 30, 23, 30))  # September
        report(a, at(11, 3), accepted=at(11, 4))  # November
        # 乙乡, October: one report, accepted three working days later.
        report(b, at(10, 19), accepted=at(10, 22), status=ReportStatus.ACCEPTED)
        compliant_week_of_october_12(lead1)
        # Duty: 1-7 October day shifts and 1-10 October nights fully staffed; 11 October's
        # day shift has a leader only (a gap).
        for day in range(1, 8):
            shift(a, date(2026, 10, day), ShiftKind.DAY, lead1, staff)
        for day in range(1, 11):
            shift(a, date(2026, 10, day), ShiftKind.NIGHT, lead1, staff)
        shift(a, date(2026, 10, 11), ShiftKind.DAY, lead1)
        # Spot checks: three of four findings matched the board in October.
        spot_check(a, at(10, 20), inspector, [
            (lead1, Presence.PRESENT, "at_office"), (staff, Presence.ABSENT, "leave"),
            (staff, Presence.AWAY_ON_BUSINESS, "village"), (lead1, Presence.ABSENT, "at_office"),
        ])
        spot_check(a, at(9, 20), inspector, [(lead1, Presence.ABSENT, "at_office")])
        db.session.commit()
        return county.id


def compute(app, county_id, period=OCTOBER):
    from portal.models import Region

    return stats.county_stats(db.session.get(Region, county_id), period, TODAY)


def test_report_figures_and_medians_of_a_township(app, county):
    with app.app_context():
        result = compute(app, county)
        a, b = sorted(result.townships, key=lambda r: r.township.code)
        f = a.figures
        assert (f.received, f.accepted, f.substantiated, f.rectified) == (4, 3, 2, 1)
        # Working days to accept: 14→16 is 2; Sat 10 (调休)→Mon 12 is 1; 1→9 October is 2.
        assert sorted(f.accept_days) == [1, 2, 2]
        assert f.median_accept_days == 2
        # To conclude: 16→23 is 5; 12→30 is 14; 9→20 is 8 (Saturday 10 is a working day).
        assert sorted(f.conclude_days) == [5, 8, 14]
        assert f.median_conclude_days == 8
        assert (b.figures.received, b.figures.accepted, b.figures.accept_days) == (1, 1, [3])


def test_compliance_coverage_accuracy_and_score(app, county):
    with app.app_context():
        result = compute(app, county)
        a, b = sorted(result.townships, key=lambda r: r.township.code)
        # October's ISO weeks (Thursday in October): 28 Sep, 5, 12, 19, 26 Oct; two leaders.
        assert (a.figures.leader_weeks, a.figures.compliant_weeks) == (10, 1)
        assert a.figures.compliance == pytest.approx(0.1)
        assert b.figures.compliance is None  # no leaders: no figure, not zero
        # Required: 13 rest-day day shifts (1-7, 11, 17, 18, 24, 25, 31) + 31 nights.
        assert (a.figures.shifts_required, a.figures.shifts_staffed) == (44, 17)
        assert (b.figures.shifts_required, b.figures.shifts_staffed) == (44, 0)
        assert (a.figures.findings, a.figures.findings_matched) == (4, 3)
        assert b.figures.accuracy is None
        assert a.figures.score == round(100 * (0.1 + 17 / 44 + 0.75) / 3, 1) == 41.2
        assert b.figures.score == 0.0
        assert [(r.township.name, r.rank) for r in result.townships] == [("甲镇", 1), ("乙乡", 2)]


def test_county_totals_quarter_and_trend(app, county):
    with app.app_context():
        result = compute(app, county)
        assert (result.figures.received, result.figures.accepted) == (5, 4)
        assert result.figures.median_accept_days == 2  # [1, 2, 2, 3]
        assert (result.figures.shifts_required, result.figures.shifts_staffed) == (88, 17)
        # Q4: October and November up to the 27th (7 rest days + 27 nights); weeks of
        # 2, 9 and 16 November have ended, that of 23 November has not.
        quarter_a = next(r for r in result.quarter_townships if r.township.code == "990201001")
        assert quarter_a.figures.shifts_required == 44 + 34
        assert quarter_a.figures.leader_weeks == 10 + 6
        assert quarter_a.figures.received == 5
        assert [p.key for p, _f in result.trend][-3:] == ["2026-08", "2026-09", "2026-10"]
        assert len(result.trend) == 12
        september = dict((p.key, f) for p, f in result.trend)["2026-09"]
        assert (september.received, september.findings) == (1, 1)


def test_public_figures_hide_small_counts(app, county):
    with app.app_context():
        result = compute(app, county)
        public = stats.public_stats(result)
        rows = public.townships
        # 乙乡 has 1 report; the county's 5 would give it away against 甲镇's 4, so it goes.
        assert [(r["name"], r["received"]) for r in rows] == [("甲镇", 4), ("乙乡", "<3")]
        county_cells = public.figures
        assert county_cells["received"] == stats.HIDDEN
        assert county_cells["substantiated"] == stats.HIDDEN
        assert county_cells["median_accept_days"] is None  # with its counts hidden
        assert rows[1]["median_accept_days"] is None  # a single report: no median shown
        assert rows[0]["median_accept_days"] == 2
        assert rows[0]["duty_coverage"] == 38.6


def test_stats_page_tables_and_charts_agree(demo, county):
    client = demo.test_client()
    response = client.get("/stats?county=990201&period=2026-10")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "甲镇" in html and "乙乡" in html
    start = html.rindex("<svg", 0, html.index('id="chart-received"'))
    bars = ET.fromstring(html[start:html.index("</svg>", start) + 6])
    svg = "{http://www.w3.org/2000/svg}"
    labels = [t.text for t in bars.iter(f"{svg}text") if t.get("class") == "value"]
    table = html[html.index('id="trend"'):]
    cells = [unescape(chunk.split("<")[0]) for chunk in table.split('<td data-field="received">')[1:13]]
    assert labels == cells
    # October: 5, made of 乙乡's hidden 1; September: 1 → both "×".
    assert labels[-1] == "×" and labels[-2] == "×"
    assert 'style="' not in html[start:html.index("</svg>", start)]
    etag = response.headers["ETag"]
    again = client.get("/stats?county=990201&period=2026-10", headers={"If-None-Match": etag})
    assert again.status_code == 304


def test_api_gives_the_same_suppressed_figures(demo, county):
    client = demo.test_client()
    data = client.get("/api/v1/stats?county=990201&period=2026-10").get_json()
    assert data["period"] == {"key": "2026-10", "kind": "month", "start": "2026-10-01",
                              "end": "2026-10-31"}
    assert data["figures"]["received"] == "×"
    assert [t["received"] for t in data["townships"]] == [4, "<3"]
    assert data["quarter"]["key"] == "2026-Q4"
    assert data["trend"][-1]["month"] == "2026-10"
    assert client.get("/api/v1/stats?county=990201&period=2026-13").status_code == 400
    assert client.get("/api/v1/stats?county=123456").status_code == 404
    assert client.get("/stats?county=990201&period=nonsense").status_code == 400


def test_api_response_matches_its_openapi_description(demo, county):
    from jsonschema import Draft202012Validator, FormatChecker
    from referencing import Registry
    from referencing.jsonschema import DRAFT202012

    client = demo.test_client()
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "/stats" in spec["paths"]
    body = client.get("/api/v1/stats?county=990201&period=2026-Q4").get_json()
    registry = Registry().with_resource("urn:doc", DRAFT202012.create_resource(spec))
    validator = Draft202012Validator({"$ref": "urn:doc#/components/schemas/Stats"},
                                     registry=registry, format_checker=FormatChecker())
    errors = [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(body)]
    assert not errors, errors
    assert body["period"]["kind"] == "quarter"


def test_the_number_of_queries_does_not_grow_with_the_county(app):
    from sqlalchemy import event

    from portal.services.shared.calendar import official_calendar

    with app.app_context():
        small, big = factories.county(), factories.county()
        for county_region, n in ((small, 1), (big, 6)):
            for _i in range(n):
                t = factories.township(county_region)
                leader = factories.cadre(t, is_leader=True)
                compliant_week_of_october_12(leader)
                shift(t, date(2026, 10, 3), ShiftKind.DAY, leader)
                report(t, at(10, 5))
        db.session.commit()
        official_calendar()  # loaded once per request
        counts = []
        for county_region in (small, big):
            seen = []
            listener = lambda *args: seen.append(1)  # noqa: E731
            event.listen(db.engine, "before_cursor_execute", listener)
            stats.county_stats(county_region, OCTOBER, TODAY)
            stats.fingerprint(county_region)
            event.remove(db.engine, "before_cursor_execute", listener)
            counts.append(len(seen))
        assert counts[0] == counts[1]
        assert counts[1] <= 25


def test_stats_without_any_county_and_in_english(app):
    client = app.test_client()
    empty = client.get("/stats")
    assert empty.status_code == 200
    assert "还没有可以统计的县" in empty.get_data(as_text=True)
    assert client.get("/api/v1/stats").status_code == 404
    with app.app_context():
        factories.township(factories.county(code="990301", name="英文县"))
        db.session.commit()
    english = client.get("/stats?lang=en&period=2026-Q3").get_data(as_text=True)
    assert "Reports received per month" in english
    assert "Quarterly ranking of townships" in english
    assert "Q3 2026" in english
