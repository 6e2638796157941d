"""Case numbers per county and year: given at filing, shown everywhere staff and the reporter
look, found by staff when typed as people say them, and never given twice (threads at once)."""

from __future__ import annotations

import csv
import io
import re
import threading

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import CaseCounter, Category, Report, Township
from portal.services.casework import case_numbers, reports
from tests.conftest import at
from tests.review.conftest import as_staff


@pytest.fixture
def app(make_app):
    return make_app(WTF_CSRF_ENABLED=False)


def _file(app, world, township="township", when=None) -> tuple[str, str]:
    """A report filed through the service; its public id and receipt."""
    if when:
        at(when)
    with app.test_request_context():
        t = db.session.get(Township, getattr(world, township).id)
        report, receipt = reports.create_report(
            township=t, category=Category.ABSENT_WORKDAY, description="上午十点镇政府大门紧锁，无人办公。")
        return report.public_id, receipt


def _number(app, pid) -> tuple[int, int, int]:
    with app.app_context():
        r = db.session.scalar(select(Report).where(Report.public_id == pid))
        return r.county_id, r.case_year, r.case_seq


def test_each_county_counts_its_own_reports_and_starts_again_each_local_year(app, world):
    first = _file(app, world, when="2026-12-31T10:00")[0]
    second = _file(app, world, township="township2")[0]
    foreign = _file(app, world, township="foreign_township")[0]
    # 00:30 on 1 January in Beijing time is still 31 December in UTC: the local year counts.
    new_year = _file(app, world, when="2027-01-01T00:30")[0]
    assert [_number(app, p)[1:] for p in (first, second, foreign, new_year)] == [
        (2026, 1), (2026, 2), (2026, 1), (2027, 1)]
    with app.app_context():
        counters = {(c.county_id, c.year): c.last for c in db.session.scalars(select(CaseCounter))}
    assert counters == {(world.county.id, 2026): 2, (world.other_county.id, 2026): 1,
                        (world.county.id, 2027): 1}


def test_the_number_reads_as_the_county_writes_it_in_chinese_and_english(app, world):
    pid = _file(app, world, when="2026-12-02T10:00")[0]
    name = world.county.name
    for path, expected in (("/", f"{name}〔2026〕第0001号"), ("/?lang=en", f"{name} No. 2026-0001")):
        with app.test_request_context(path):
            report = db.session.scalar(select(Report).where(Report.public_id == pid))
            assert case_numbers.number_of(report) == expected


def test_queue_case_page_export_and_tracking_show_the_number(app, world):
    at("2026-12-02T10:00")
    for _ in range(12):
        _file(app, world)
    pid, receipt = _file(app, world)
    number = f"{world.county.name}〔2026〕第0013号"
    client = as_staff(app, world, "inspector")
    queue_page = client.get("/review").get_data(as_text=True)
    assert number in queue_page and f"{world.county.name}〔2026〕第0001号" in queue_page
    assert number in client.get(f"/review/{pid}").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(
        client.post("/review/export", data={"format": "csv"}).get_data().decode("utf-8-sig"))))
    assert rows[0][1] == "案件编号"
    assert {r[0]: r[1] for r in rows[1:]}[pid] == number
    public = app.test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', public.get("/track").get_data(as_text=True))
    data = {"receipt": receipt, **({"csrf_token": token.group(1)} if token else {})}
    assert number in public.post("/track", data=data).get_data(as_text=True)


@pytest.mark.parametrize("typed", ["〔2026〕第0002号", "2026-2", "2026/0002", "{county}〔2026〕第0002号"])
def test_staff_find_a_case_by_its_number_as_people_say_it(app, world, typed):
    at("2026-12-02T10:00")
    _file(app, world)
    pid = _file(app, world)[0]
    _file(app, world, township="foreign_township")
    _file(app, world, township="foreign_township")  # the other county's 〔2026〕第0002号
    response = as_staff(app, world, "inspector").get(
        "/review/find", query_string={"number": typed.format(county=world.county.name)})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/review/{pid}")


def test_a_number_outside_the_scope_or_unknown_is_not_found(app, world):
    at("2026-12-02T10:00")
    _file(app, world, township="foreign_township")
    client = as_staff(app, world, "inspector")
    for typed in ("2026-1", "2026-99", "垃圾<script>", "9" * 200):
        response = client.get("/review/find", query_string={"number": typed})
        assert response.status_code == 404
        assert "在您的范围内没有这个编号的举报" in response.get_data(as_text=True)
    assert client.get("/review/find").status_code == 200


def test_a_city_inspector_chooses_between_the_counties_that_share_a_number(app, world):
    at("2026-12-02T10:00")
    mine, foreign = _file(app, world)[0], _file(app, world, township="foreign_township")[0]
    client = as_staff(app, world, "city_inspector")
    page = client.get("/review/find", query_string={"number": "〔2026〕第1号"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and f"/review/{mine}" in html and f"/review/{foreign}" in html
    named = client.get("/review/find", query_string={
        "number": f"{world.other_county.name}〔2026〕第0001号"})
    assert named.status_code == 302 and named.headers["Location"].endswith(f"/review/{foreign}")


def test_reports_filed_at_the_same_moment_never_share_a_number(app, world):
    """Eight reports at once in one county (PostgreSQL: each waits on the counter's row)."""
    at("2026-12-02T10:00")
    barrier = threading.Barrier(8, timeout=30)
    failures: list[BaseException] = []

    def file_one() -> None:
        with app.test_request_context():
            try:
                t = db.session.get(Township, world.township.id)
                barrier.wait()
                reports.create_report(township=t, category=Category.COMMUTING,
                                      description="晚上八点镇政府宿舍没有一盏灯亮着。")
            except BaseException as error:  # noqa: BLE001 - reported below
                failures.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=file_one) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert failures == []
    with app.app_context():
        seqs = sorted(db.session.scalars(select(Report.case_seq).where(
            Report.county_id == world.county.id, Report.case_year == 2026)))
        assert seqs == list(range(1, 9))
        assert db.session.get(CaseCounter, (world.county.id, 2026)).last == 8
