"""民主评议: the clerk opens an evaluation and prints one-time ballots, cadres vote on a phone or
on paper, nothing is counted in sight until the vote is closed, no vote can be joined to its
ballot, and the results reach the county and the monthly notice."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, inspect, select

from portal.extensions import db
from portal.models import (
    Evaluation,
    EvaluationBallot,
    EvaluationSubject,
    MonthlyNotice,
    Region,
    Role,
    Township,
    User,
)
from portal.models.base import utcnow
from portal.rules.calendar import local_date
from portal.services.office import evaluation as evaluations
from portal.services.office import notices
from tests import factories
from tests.admin.conftest import csrf_token, post_form
from tests.conftest import login_as

CODE = re.compile(r'<code class="receipt">([A-Z0-9-]{14})</code>')


def today():
    return local_date(utcnow())


def months_back(n: int) -> str:
    day = today().replace(day=1)
    for _ in range(n):
        day = (day - timedelta(days=1)).replace(day=1)
    return day.strftime("%Y-%m")


def open_page(client, office, *, month=None, ballots=5, meeting_on=None):
    """The clerk opens an evaluation through the form; the slips page answers."""
    return post_form(client, f"/admin/evaluations/?township={office.code}",
                     f"/admin/evaluations/open?township={office.code}",
                     data={"month": month or months_back(1), "ballots": str(ballots),
                           "meeting_on": (meeting_on or today()).isoformat()})


def the_evaluation(app, office) -> tuple[str, list[int]]:
    with app.app_context():
        e = db.session.scalar(select(Evaluation).where(Evaluation.township_id == office.township_id))
        return e.public_id, [s.id for s in e.subjects]


def vote(client, code, subject_ids, rating="satisfied", remark=""):
    page = client.get(f"/e/{code}")
    assert page.status_code == 200, page.status_code
    data = {"csrf_token": csrf_token(page.get_data(as_text=True))}
    for sid in subject_ids:
        data[f"rating_{sid}"] = rating
        data[f"remark_{sid}"] = remark
    return client.post(f"/e/{code}", data=data)


@pytest.fixture
def opened(app, office, clerk_client):
    """An evaluation of last month with five slips; their codes as the slips page showed them."""
    page = open_page(clerk_client, office)
    assert page.status_code == 200
    codes = CODE.findall(page.get_data(as_text=True))
    public_id, subjects = the_evaluation(app, office)
    return public_id, subjects, codes


def test_opening_prints_one_slip_per_cadre_with_a_code_and_qr_stored_only_as_a_hash(
        app, office, clerk_client):
    page = open_page(clerk_client, office, ballots=7)
    html = page.get_data(as_text=True)
    codes = CODE.findall(html)
    assert len(codes) == len(set(codes)) == 7
    assert html.count('alt="手机投票二维码"') == 7 and "data:image/svg+xml" in html
    assert "王书记" in html and "干事0" not in html  # leaders only
    with app.app_context():
        hashes = set(db.session.scalars(select(EvaluationBallot.code_hash)))
        assert len(hashes) == 7
        for code in codes:
            assert code not in hashes and code.replace("-", "") not in hashes
            assert evaluations.hash_code(code) in hashes
    # The codes are not shown again.
    public_id, _subjects = the_evaluation(app, office)
    again = clerk_client.get(f"/admin/evaluations/{public_id}").get_data(as_text=True)
    assert not any(code in again for code in codes)


def test_a_ballot_is_cast_once_on_a_phone(app, opened):
    _public_id, subjects, codes = opened
    voter = app.test_client()
    thanks = vote(voter, codes[0], subjects)
    assert thanks.status_code == 200 and "已投票" in thanks.get_data(as_text=True)
    assert thanks.headers["Cache-Control"] == "no-store"
    again = voter.get(f"/e/{codes[0]}")
    assert again.status_code == 410 and "已经投过" in again.get_data(as_text=True)
    # Typed by hand: any case, without dashes, finds the same (used) ballot.
    typed = voter.get(f"/e/{codes[0].replace('-', '').lower()}")
    assert typed.status_code == 410
    with pytest.raises(evaluations.BallotUsedError), app.app_context():
        evaluations.cast(code=codes[0], ratings=dict.fromkeys(subjects, "basic"))
    with app.app_context():
        assert db.session.scalar(select(func.sum(EvaluationSubject.satisfied))) == len(subjects)
        assert db.session.scalar(select(func.sum(EvaluationSubject.basic))) == 0


def test_an_unknown_code_is_404_and_the_code_form_opens_a_ballot(app, opened):
    _public_id, _subjects, codes = opened
    client = app.test_client()
    assert client.get("/e/AAAA-AAAA-AAAA").status_code == 404
    assert client.get("/e/not-a-code").status_code == 404
    page = client.get("/e")
    response = client.post("/e", data={"csrf_token": csrf_token(page.get_data(as_text=True)),
                                       "code": codes[1].lower().replace("-", " ")})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/e/{codes[1]}")
    bad = client.post("/e", data={"csrf_token": csrf_token(page.get_data(as_text=True)),
                                  "code": "12"})
    assert bad.status_code == 200 and "12 位字母和数字" in bad.get_data(as_text=True)


def test_a_ballot_missing_a_rating_is_refused_and_keeps_what_was_typed(app, opened):
    _public_id, subjects, codes = opened
    client = app.test_client()
    page = client.get(f"/e/{codes[0]}")
    data = {"csrf_token": csrf_token(page.get_data(as_text=True)),
            f"rating_{subjects[0]}": "satisfied", f"remark_{subjects[0]}": "常下村，好"}
    response = client.post(f"/e/{codes[0]}", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "请选择评价" in html
    assert "常下村，好" in html and re.search(r'<input checked[^>]*value="satisfied"', html)
    assert client.get(f"/e/{codes[0]}").status_code == 200  # still unused
    with app.app_context():
        assert db.session.scalar(select(func.sum(EvaluationSubject.satisfied))) == 0


def test_no_count_is_shown_anywhere_until_the_clerk_closes(app, office, opened, staff_client):
    public_id, subjects, codes = opened
    voter = app.test_client()
    vote(voter, codes[0], subjects, rating="unsatisfied", remark="晚上找不到人")
    vote(voter, codes[1], subjects, rating="unsatisfied")
    clerk = app.test_client()
    with app.app_context():
        login_as(clerk, db.session.get(User, office.clerk_id))
    admin = staff_client(Role.COUNTY_ADMIN, county_scope=True)
    inspector = staff_client(Role.INSPECTOR, county_scope=True)
    month = months_back(1)
    pages = [(clerk, f"/admin/evaluations/{public_id}"),
             (clerk, f"/admin/evaluations/?township={office.code}"),
             (admin, f"/admin/evaluations/{public_id}"),
             (inspector, f"/admin/evaluations/county?month={month}"),
             (clerk, f"/admin/notices/?township={office.code}&month={months_back(1)}")]
    for client, url in pages:
        html = client.get(url).get_data(as_text=True)
        assert "晚上找不到人" not in html and "满意率" not in html, url
        assert "<h2>评议结果" not in html, url
        if "/county" in url:
            assert "王书记" not in html and "这个月还没有结束的民主评议" in html
    for client, url in [(clerk, f"/admin/evaluations/{public_id}/results.csv"),
                        (inspector, f"/admin/evaluations/{public_id}/results.xlsx")]:
        assert client.get(url).status_code == 404
    empty = inspector.get(f"/admin/evaluations/county/results.csv?month={month}")
    assert len(list(csv.reader(io.StringIO(empty.get_data(as_text=True).lstrip("\ufeff"))))) == 1
    shown = clerk.get(f"/admin/evaluations/{public_id}").get_data(as_text=True)
    assert "2 / 5" in shown  # how far the vote came, not how it went
    with app.app_context(), pytest.raises(evaluations.ValidationError):
        evaluations.results(db.session.scalar(select(Evaluation)))

    closing = post_form(clerk, f"/admin/evaluations/{public_id}",
                        f"/admin/evaluations/{public_id}/close", follow_redirects=True)
    html = closing.get_data(as_text=True)
    assert "评议结果" in html and "晚上找不到人" in html and "满意率" in html
    county = inspector.get(f"/admin/evaluations/county?month={month}").get_data(as_text=True)
    assert "大庄测试镇" in county and "王书记" in county
    # Closed: a slip left over can no longer vote.
    assert voter.get(f"/e/{codes[2]}").status_code == 410


def test_votes_cannot_be_joined_to_ballots(app, opened):
    """The ballot table holds the hash and a used mark, nothing else; the ratings live in counts
    per leader, without a ballot, a time or a row per vote."""
    _public_id, subjects, codes = opened
    voter = app.test_client()
    for i, code in enumerate(codes[:4]):
        vote(voter, code, subjects, rating=["satisfied", "basic"][i % 2], remark=f"意见{i}")
    with app.app_context():
        columns = {c["name"] for c in inspect(db.engine).get_columns("evaluation_ballot")}
        assert columns == {"id", "evaluation_id", "code_hash", "used"}
        subject_columns = {c["name"] for c in inspect(db.engine).get_columns("evaluation_subject")}
        assert not {"ballot_id", "cast_at", "created_at"} & subject_columns
        tables = set(inspect(db.engine).get_table_names())
        vote_tables = {t for t in tables if t.startswith("evaluation")}
        assert vote_tables == {"evaluation", "evaluation_ballot", "evaluation_subject"}
        row = db.session.get(EvaluationSubject, subjects[0])
        assert (row.satisfied, row.basic, row.unsatisfied) == (2, 2, 0)
        assert sorted(json.loads(row.remarks)) == ["意见0", "意见1", "意见2", "意见3"]


def test_the_remarks_are_kept_in_no_particular_order(app, office):
    with app.app_context():
        town = db.session.get(Township, office.township_id)
        clerk = db.session.get(User, office.clerk_id)
        issued = evaluations.open_evaluation(actor=clerk, township=town, month=months_back(1),
                                             meeting_on=today(), ballots=40, today=today())
        sid = issued.evaluation.subjects[0].id
        ratings = {s.id: "satisfied" for s in issued.evaluation.subjects}
        for i, code in enumerate(issued.codes):
            evaluations.cast(code=code, ratings=ratings, remarks={sid: f"{i:02d}"})
        kept = json.loads(db.session.get(EvaluationSubject, sid).remarks)
        assert sorted(kept) == [f"{i:02d}" for i in range(40)]
        assert kept != sorted(kept)  # 1 chance in 40! of a false alarm


def test_the_clerk_enters_a_paper_slip_with_its_code(app, office, opened, clerk_client):
    public_id, subjects, codes = opened
    page = f"/admin/evaluations/{public_id}"
    data = {"code": codes[3].lower()} | {f"rating_{s}": "basic" for s in subjects}
    entered = post_form(clerk_client, page, f"{page}/paper", data=data, follow_redirects=True)
    assert entered.status_code == 200 and "纸质选票已录入" in entered.get_data(as_text=True)
    # The same slip, voted again on a phone or typed twice, is refused.
    assert app.test_client().get(f"/e/{codes[3]}").status_code == 410
    twice = post_form(clerk_client, page, f"{page}/paper", data=data)
    assert twice.status_code == 422 and "已经投过" in twice.get_data(as_text=True)
    # A slip with a rating missing keeps what the clerk typed.
    partial = {"code": codes[4], f"rating_{subjects[0]}": "unsatisfied",
               f"remark_{subjects[0]}": "纸上写的意见"}
    refused = post_form(clerk_client, page, f"{page}/paper", data=partial)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "纸上写的意见" in html and codes[4] in html
    with app.app_context():
        assert db.session.scalar(select(func.sum(EvaluationSubject.basic))) == len(subjects)
        assert db.session.scalar(select(func.sum(EvaluationSubject.unsatisfied))) == 0


def test_more_slips_for_latecomers_and_none_once_closed(app, opened, clerk_client):
    public_id, _subjects, codes = opened
    page = f"/admin/evaluations/{public_id}"
    more = post_form(clerk_client, page, f"{page}/more", data={"ballots": "2"})
    extra = CODE.findall(more.get_data(as_text=True))
    assert len(extra) == 2 and not set(extra) & set(codes)
    post_form(clerk_client, page, f"{page}/close")
    refused = post_form(clerk_client, page, f"{page}/more", data={"ballots": "2"})
    assert refused.status_code == 422 and "不能再发选票" in refused.get_data(as_text=True)


@pytest.mark.parametrize("month, meeting, message", [
    ("current", "today", "已经结束的月份"),
    ("last", "before", "会议的日期"),
    ("last", "tomorrow", "会议的日期"),
])
def test_opening_refuses_a_month_not_over_or_a_meeting_out_of_order(
        app, office, clerk_client, month, meeting, message):
    first_of_month = today().replace(day=1)
    meeting_on = {"today": today(), "tomorrow": today() + timedelta(days=1),
                  "before": first_of_month - timedelta(days=1)}[meeting]
    chosen = months_back(1) if month == "last" else today().strftime("%Y-%m")
    with app.app_context():
        town = db.session.get(Township, office.township_id)
        with pytest.raises(evaluations.ValidationError, match=message):
            evaluations.open_evaluation(actor=None, township=town, month=chosen,
                                        meeting_on=meeting_on, ballots=3, today=today())


def test_a_month_is_opened_once(app, office, opened, clerk_client):
    again = open_page(clerk_client, office)
    assert again.status_code == 422 and "已经开启过了" in again.get_data(as_text=True)


def test_other_townships_and_counties_see_nothing(app, office, opened, staff_client):
    public_id, _subjects, _codes = opened
    page = f"/admin/evaluations/{public_id}"
    assert staff_client(Role.CLERK, in_scope=False).get(page).status_code == 404
    assert staff_client(Role.INSPECTOR, in_scope=False, county_scope=True).get(page).status_code == 404
    assert staff_client(Role.SUPERVISOR).get(page).status_code == 403
    inspector = staff_client(Role.INSPECTOR, county_scope=True)
    assert inspector.get(page).status_code == 200
    assert post_form(inspector, page, f"{page}/close").status_code == 403  # reads, not runs


def test_the_county_downloads_results_of_its_townships(app, office, opened, clerk_client,
                                                       staff_client):
    public_id, subjects, codes = opened
    voter = app.test_client()
    vote(voter, codes[0], subjects, rating="satisfied", remark="值班到位")
    vote(voter, codes[1], subjects, rating="basic")
    post_form(clerk_client, f"/admin/evaluations/{public_id}", f"/admin/evaluations/{public_id}/close")
    admin = staff_client(Role.COUNTY_ADMIN, county_scope=True)
    month = months_back(1)
    response = admin.get(f"/admin/evaluations/county/results.csv?month={month}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["乡镇代码", "乡镇", "评议月份"]
    secretary = next(r for r in rows if r[4] == "王书记")
    assert secretary[6:13] == ["1", "1", "0", "100", "5", "2", "值班到位"]
    xlsx = admin.get(f"/admin/evaluations/{public_id}/results.xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    assert admin.get(f"/admin/evaluations/{public_id}/results.pdf").status_code == 404
    other = staff_client(Role.COUNTY_ADMIN, in_scope=False, county_scope=True)
    other_rows = other.get(f"/admin/evaluations/county/results.csv?month={month}")
    assert "王书记" not in other_rows.get_data(as_text=True)


def test_the_monthly_notice_carries_the_summary_and_earlier_notices_keep_their_hash(
        app, office):
    """The evaluation held last month (of the month before) goes into last month's notice once
    closed; the version published before it stays exactly as it was."""
    rated, notice_month = months_back(2), months_back(1)
    meeting = (today().replace(day=1) - timedelta(days=1)).replace(day=10)
    with app.app_context():
        town = db.session.get(Township, office.township_id)
        first = notices.publish(township=town, month=notice_month, actor=None, today=today())
        first_content, first_hash = first.notice.content, first.notice.sha256
        assert "evaluation" not in notices.content_of(first.notice)
        issued = evaluations.open_evaluation(actor=None, township=town, month=rated,
                                             meeting_on=meeting, ballots=3, today=today())
        ratings = {s.id: "satisfied" for s in issued.evaluation.subjects}
        for code in issued.codes[:2]:
            evaluations.cast(code=code, ratings=ratings)
        # Open: the notice has nothing to add.
        assert not notices.publish(township=town, month=notice_month, actor=None,
                                   today=today()).created
        evaluations.close(actor=None, evaluation=issued.evaluation)
        second = notices.publish(township=town, month=notice_month, actor=None, today=today())
        assert second.created and second.notice.version == 2
        content = notices.content_of(second.notice)
        assert content["evaluation"] == {"month": rated, "meeting_on": meeting.isoformat(),
                                         "ballots_cast": 2}
        leaders = [r for r in content["cadres"] if r["is_leader"]]
        assert all(r["evaluation_satisfied"] == 2 and r["evaluation_unsatisfied"] == 0
                   for r in leaders)
        assert all("evaluation_satisfied" not in r for r in content["cadres"] if not r["is_leader"])
        changed = {c.get("field") for c in notices.changes_of(second.notice)}
        assert {"evaluation_satisfied", "evaluation_ballots_cast"} <= changed
        stored = db.session.scalar(select(MonthlyNotice).where(MonthlyNotice.version == 1))
        assert (stored.content, stored.sha256) == (first_content, first_hash)
        assert notices.hashlib.sha256(stored.content.encode()).hexdigest() == first_hash
    page = app.test_client().get(f"/t/{office.code}/notices/{notice_month}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "民主评议" in html and "收回有效票 2 张" in html
    api = app.test_client().get(f"/api/v1/townships/{office.code}/notices/{notice_month}")
    assert api.status_code == 200 and api.get_json()["content"]["evaluation"]["ballots_cast"] == 2


def test_demo_county_holds_an_evaluation_closed_last_month(demo):
    with demo.app_context():
        found = list(db.session.scalars(select(Evaluation)))
        assert found and all(e.state == evaluations.EvaluationState.CLOSED for e in found)
        last_month = months_back(1)
        assert all(e.month == months_back(2) and e.meeting_on.strftime("%Y-%m") == last_month
                   and e.closed_at.astimezone(evaluations_tz()).strftime("%Y-%m") == last_month
                   for e in found)
        county = db.session.scalar(select(Region).where(Region.code == "990101"))
        dazhuang = db.session.scalar(select(Township).where(Township.code == "990101001"))
        notice = notices.latest(dazhuang.id, last_month)
        assert notices.content_of(notice)["evaluation"]["ballots_cast"] > 0
        assert county is not None


def evaluations_tz():
    from portal.rules.calendar import TZ

    return TZ


def test_factories_cadres_serve_the_rated_month(app, office):
    """A leader who joined after the month rated is not on its ballot."""
    with app.app_context():
        town = db.session.get(Township, office.township_id)
        factories.cadre(town, name="新来的副镇长", is_leader=True, post="副镇长",
                        joined_on=today().replace(day=1))
        db.session.commit()
        issued = evaluations.open_evaluation(actor=None, township=town, month=months_back(1),
                                             meeting_on=today(), ballots=1, today=today())
        assert "新来的副镇长" not in [s.name for s in issued.evaluation.subjects]
        assert len(issued.evaluation.subjects) == 4


def test_the_deployments_access_logs_hide_a_ballot_code():
    import runpy

    from portal.config import ROOT

    conf = runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py"))
    hide = conf["PRIVATE_PATH"]
    assert hide.sub(r"/\1/-", "/e/ABCD-EFGH-JKMN") == "/e/-"
    assert hide.sub(r"/\1/-", "/v/some-token") == "/v/-"
    assert hide.sub(r"/\1/-", "/export/e/x") == "/export/e/x"
    nginx = (ROOT / "deploy" / "nginx" / "zaigang.conf").read_text(encoding="utf-8")
    assert "~^/e/       /e/-;" in nginx
