"""No published statistic, together with all the others, gives away a hidden count.

A demo county of four townships with reports from July 2026 to January 2027, seen on
10 January 2027. The attacker collects every figure /api/v1/stats publishes for every month
and quarter of the run, then tries to work out each hidden figure: exactly, by any linear
combination of published figures (subtraction along time and place: quarter minus months,
county minus townships, county quarter minus everything else), and by narrowing (each "<3"
is 0, 1 or 2; an equation whose hidden cells must all be at an end of that range pins them).
The same attack on the figures as they would be with only the "<3" rule finds November.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from fractions import Fraction
from html import unescape

import pytest
from openpyxl import load_workbook

from portal.extensions import db
from portal.models import Finding, ReportStatus
from portal.services.oversight import stats
from tests import factories
from tests.conftest import at as clock_at
from tests.oversight.test_stats import at, report

COUNTY = "990301"
# Reports received per township and month; 甲镇 is the example: Oct 5, Nov 1, Dec 4.
RECEIVED = {
    "甲镇": {7: 4, 8: 3, 9: 6, 10: 5, 11: 1, 12: 4, 1: 0},
    "乙乡": {7: 7, 8: 5, 9: 3, 10: 3, 11: 4, 12: 6, 1: 3},
    "丙镇": {7: 0, 8: 2, 9: 0, 10: 8, 11: 5, 12: 3, 1: 1},
    "丁乡": {7: 5, 8: 4, 9: 9, 10: 2, 11: 2, 12: 7, 1: 4},
}
FIELDS = stats.COUNT_FIELDS
MONTHS = [(2026, m) for m in range(7, 13)] + [(2027, 1), (2027, 2), (2027, 3)]
QUARTERS = [(2026, 3), (2026, 4), (2027, 1)]


def seed(until: date) -> None:
    """The demo county's reports submitted before `until` (a later one would be in the future)."""
    county = factories.county(code=COUNTY, name="演示县")
    for n, (name, months) in enumerate(RECEIVED.items(), 1):
        township = factories.township(county, name=name, code=f"{COUNTY}{n:03d}")
        for month, count in months.items():
            year = 2027 if month < 7 else 2026
            for i in range(count):
                day = 2 + i
                if date(year, month, day) >= until:
                    continue
                # All but the last of a month are accepted; every other one substantiated.
                accepted = i < count - 1 and date(year, month, day + 1) < until
                report(township, at(month, day, year=year),
                       accepted=at(month, day + 1, year=year) if accepted else None,
                       finding=Finding.SUBSTANTIATED if accepted and i % 2 == 0 else None,
                       status=ReportStatus.ACCEPTED if accepted else ReportStatus.SUBMITTED)
    db.session.commit()


@pytest.fixture
def demo_county(app):
    with app.app_context():
        seed(date(2027, 1, 10))
    clock_at("2027-01-10T10:00")
    return app


def key_month(year, month):
    return f"{year}-{month:02d}"


def collect(client) -> dict:
    """Every published count: ("tm", code, month) township-months, ("tq", code, quarter),
    ("cm", month), ("cq", quarter) -> the published cell of each field."""
    seen: dict = {}

    def put(key, figures):
        cells = {f: figures[f] for f in FIELDS}
        assert seen.setdefault(key, cells) == cells, key  # the same figure everywhere
    periods = [key_month(*m) for m in MONTHS] + [f"{y}-Q{q}" for y, q in QUARTERS]
    for period in periods:
        data = client.get(f"/api/v1/stats?county={COUNTY}&period={period}").get_json()
        kind = "m" if data["period"]["kind"] == "month" else "q"
        for t in data["townships"]:
            put(("t" + kind, t["code"], period), t)
        put(("c" + kind, period), data["figures"])
        for t in data["quarter"]["townships"]:
            put(("tq", t["code"], data["quarter"]["key"]), t)
        put(("cq", data["quarter"]["key"]), data["quarter"]["figures"])
        for row in data["trend"]:
            put(("cm", row["month"]), row)
    return seen


def components(key, codes, today):
    """The township-months a published figure adds up (months that have begun)."""
    kind = key[0]
    period = key[-1]
    months = [m for m in (stats.parse_period(period).months) if date(*m, 1) <= today]
    townships = [key[1]] if kind[0] == "t" else codes
    return [(code, key_month(*m)) for code in townships for m in months]


def rank(rows: list[list[Fraction]]) -> int:
    rows = [r[:] for r in rows]
    r = 0
    for c in range(len(rows[0]) if rows else 0):
        pivot = next((i for i in range(r, len(rows)) if rows[i][c] != 0), None)
        if pivot is None:
            continue
        rows[r], rows[pivot] = rows[pivot], rows[r]
        for i in range(len(rows)):
            if i != r and rows[i][c] != 0:
                factor = rows[i][c] / rows[r][c]
                rows[i] = [a - factor * b for a, b in zip(rows[i], rows[r], strict=True)]
        r += 1
    return r


def narrow(cells: list, known: dict, equations: list) -> tuple[dict, dict]:
    """Intervals: 0..2 for a "<3" township-month, tightened through every published total."""
    low = {c: known.get(c, 0) for c in cells}
    high = {c: known.get(c, 2) for c in cells}
    changed = True
    while changed:
        changed = False
        for comps, value in equations:
            for c in comps:
                others_low = sum(low[o] for o in comps if o != c)
                others_high = sum(high[o] for o in comps if o != c)
                new_low, new_high = max(low[c], value - others_high), min(high[c], value - others_low)
                if (new_low, new_high) != (low[c], high[c]):
                    low[c], high[c], changed = new_low, new_high, True
    return low, high


def attack(published: dict, field: str, codes: list[str], today: date) -> list:
    """The hidden figures the attacker can pin to one value from the published ones."""
    cells = sorted({c for key in published for c in components(key, codes, today)})
    known = {}
    equations = []  # (cells, value)
    for key, figures in published.items():
        value = figures[field]
        comps = components(key, codes, today)
        if key[0] == "tm" and comps:
            if isinstance(value, int):
                known[comps[0]] = value
        elif isinstance(value, int):
            equations.append((comps, value))
    # Exact: a hidden figure whose cells' indicator is a combination of the published ones.
    basis = [[Fraction(int(c in comps)) for c in cells] for comps, _v in equations]
    basis += [[Fraction(int(c == k)) for c in cells] for k in known]
    base_rank = rank(basis) if basis else 0
    low, high = narrow(cells, known, equations)
    derived = []
    for key, figures in published.items():
        comps = components(key, codes, today)
        if isinstance(figures[field], int) or not comps:
            continue  # shown, or of months not begun (nothing to hide)
        target = [Fraction(int(c in comps)) for c in cells]
        if rank([*basis, target]) == base_rank:
            derived.append((key, "exact"))
        elif sum(low[c] for c in comps) == sum(high[c] for c in comps):
            derived.append((key, "narrowed"))
    return derived


def test_no_hidden_figure_can_be_worked_out_from_the_published_ones(demo_county):
    client = demo_county.test_client()
    published = collect(client)
    codes = sorted({key[1] for key in published if key[0] == "tm"})
    assert len(codes) == 4
    today = date(2027, 1, 10)
    hidden = [k for k, f in published.items() if f["received"] in ("<3", "×")]
    # The attack has plenty to aim at: November of 甲镇, the Q4 and county totals around it.
    assert ("tm", f"{COUNTY}001", "2026-11") in hidden and ("tq", f"{COUNTY}001", "2026-Q4") in hidden
    assert published[("tm", f"{COUNTY}001", "2026-10")]["received"] == 5
    assert published[("tq", f"{COUNTY}002", "2026-Q4")]["received"] == 13  # all months shown
    for field in FIELDS:
        assert attack(published, field, codes, today) == [], field


def test_the_attack_finds_november_under_the_old_rule(demo_county):
    """The same attack on the figures with only "<3" applied, as they were published before:
    甲镇's quarter (10) minus October (5) and December (4) gives November (1)."""
    client = demo_county.test_client()
    published = collect(client)
    codes = sorted({key[1] for key in published if key[0] == "tm"})
    with demo_county.app_context():
        result = stats.county_stats(stats.county_by_code(COUNTY), stats.parse_period("2027-Q1"),
                                    date(2027, 1, 10))
        by_code = {t.code: t.id for t in (r.township for r in result.quarter_townships)}
        naive = {}
        for key in published:
            comps = components(key, codes, date(2027, 1, 10))
            total = sum(result.cells[by_code[c]][tuple(map(int, m.split("-")))].received
                        for c, m in comps
                        if tuple(map(int, m.split("-"))) in result.cells[by_code[c]])
            naive[key] = {f: stats.suppress(total) for f in FIELDS}
    derived = attack(naive, "received", codes, date(2027, 1, 10))
    assert (("tm", f"{COUNTY}001", "2026-11"), "exact") in derived


def test_months_not_yet_begun_do_not_hide_a_quarter(app):
    with app.app_context():
        seed(date(2026, 11, 27))
    clock_at("2026-11-27T10:00")
    client = app.test_client()
    data = client.get(f"/api/v1/stats?county={COUNTY}&period=2026-Q4").get_json()
    quarter = {t["name"]: t["received"] for t in data["townships"]}
    # 乙乡: October 3 + November 4; December has not begun (its empty month reads "<3").
    assert quarter["乙乡"] == 7
    assert quarter["甲镇"] == "×"  # October 5, November 1
    december = client.get(f"/api/v1/stats?county={COUNTY}&period=2026-12").get_json()
    assert {t["name"]: t["received"] for t in december["townships"]}["乙乡"] == "<3"
    # Once December has begun with nothing in it, it is part of the quarter and hides it.
    clock_at("2026-12-01T10:00")
    data = client.get(f"/api/v1/stats?county={COUNTY}&period=2026-Q4").get_json()
    assert {t["name"]: t["received"] for t in data["townships"]}["乙乡"] == "×"


def _page_counts(html: str) -> dict:
    """Received per section of the page: county card, township table, quarter, trend."""
    def cells(chunk):
        return [unescape(c.split("<")[0]) for c in
                re.findall(r'data-field="received">([^<]*)<', chunk)]
    townships = html.index('id="townships"')
    quarter = html.index('id="quarter"')
    trend = html.index('id="trend"')
    return {"figures": cells(html[:townships])[-1],
            "townships": cells(html[townships:quarter])[:-1],
            "quarter_figures": cells(html[townships:quarter])[-1],
            "quarter_townships": cells(html[quarter:trend]),
            "trend": cells(html[trend:])}


def test_page_csv_workbook_and_api_publish_the_same_figures(demo_county):
    client = demo_county.test_client()
    query = f"county={COUNTY}&period=2026-11"
    api = client.get(f"/api/v1/stats?{query}").get_json()
    page = _page_counts(client.get(f"/stats?{query}").get_data(as_text=True))
    assert page["townships"] == [str(t["received"]) for t in api["townships"]]
    assert page["quarter_townships"] == [str(t["received"]) for t in api["quarter"]["townships"]]
    assert page["figures"] == str(api["figures"]["received"])
    assert page["quarter_figures"] == str(api["quarter"]["figures"]["received"])
    assert page["trend"] == [str(r["received"]) for r in api["trend"]]
    rows = list(csv.reader(io.StringIO(client.get(f"/stats.csv?{query}").data.decode("utf-8-sig"))))
    assert [r[4] for r in rows[1:-1]] == [str(t["received"]) for t in api["townships"]]
    assert rows[-1][4] == str(api["figures"]["received"])
    book = load_workbook(io.BytesIO(client.get(f"/stats.xlsx?{query}").data))
    for sheet, townships, total in (("乡镇", api["townships"], api["figures"]),
                                    ("季度汇总", api["quarter"]["townships"],
                                     api["quarter"]["figures"])):
        values = [row[4] for row in book[sheet].iter_rows(min_row=3, values_only=True)]
        assert values == [t["received"] for t in townships] + [total["received"]]
    trend = [row[2] for row in book["月度趋势"].iter_rows(min_row=2, values_only=True)]
    assert trend == [r["received"] for r in api["trend"]]
    # November: 甲镇 1, 乙乡 4, 丙镇 5, 丁乡 2 → the county's 12 is hidden, as is 甲镇's Q4.
    assert {t["name"]: t["received"] for t in api["townships"]} == {
        "甲镇": "<3", "乙乡": 4, "丙镇": 5, "丁乡": "<3"}
    assert api["figures"]["received"] == "×"


def test_the_attack_narrows_two_hidden_months_with_a_small_known_sum():
    """Its narrowing works: two "<3" months and a quarter of 4 shown means both are 2."""
    published = {("tm", "A", "2026-10"): {"received": "<3"},
                 ("tm", "A", "2026-11"): {"received": "<3"},
                 ("tq", "A", "2026-Q4"): {"received": 4}}
    derived = attack(published, "received", ["A"], date(2026, 11, 27))
    assert derived == [(("tm", "A", "2026-10"), "narrowed"), (("tm", "A", "2026-11"), "narrowed")]
