"""After the conclusion: the reporter says whether they are satisfied and may ask for a review
(复查) within 30 days; the office one level up decides it within its own deadline, and the
reporter reads the outcome on /track. Nothing about the reporter is stored."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from portal.extensions import db
from portal.models import (
    Action,
    AuditEntry,
    Category,
    Finding,
    Report,
    ReportFeedback,
    ReportStatus,
    ReviewRequest,
    Township,
)
from portal.models.base import utcnow
from portal.rules import deadlines
from portal.services.casework import reports
from tests.conftest import at
from tests.review.conftest import as_staff

OUTCOME = "经核查，该干部当天确有事假手续，反映情况不属实。"
WHY = "我当天下午又去了一次，还是没有人，请上级再查一查。"


@pytest.fixture
def app(make_app):
    return make_app(WTF_CSRF_ENABLED=False)


def _concluded(app, world, status=ReportStatus.CONCLUDED) -> tuple[str, str]:
    """A report filed and concluded now by the county's office; its public id and receipt."""
    with app.test_request_context():
        report, receipt = reports.create_report(
            township=db.session.get(Township, world.township.id), category=Category.ABSENT_WORKDAY,
            description="上午十点镇政府大门紧锁，无人办公。")
        if status in (ReportStatus.CONCLUDED, ReportStatus.RECTIFIED):
            now = utcnow()
            report.status, report.finding, report.action = status, Finding.UNSUBSTANTIATED, Action.NONE
            report.outcome_public, report.concluded_at, report.closed_at = OUTCOME, now, now
        db.session.commit()
        return report.public_id, receipt


def _track(app, receipt, path="/track", **data) -> str:
    return app.test_client().post(path, data={"receipt": receipt, **data}).get_data(as_text=True)


def test_the_reporter_says_once_how_satisfied_they_are_and_nothing_else_is_kept(app, world):
    at("2026-12-07T10:00")
    pid, receipt = _concluded(app, world)
    assert "您对办理结果是否满意" in _track(app, receipt)
    page = _track(app, receipt, "/track/feedback", satisfaction="dissatisfied")
    assert "谢谢您的评价" in page and "您的评价：不满意" in page
    assert "您已经评价过了" in _track(app, receipt, "/track/feedback", satisfaction="satisfied")
    with app.app_context():
        rows = db.session.execute(text("SELECT * FROM report_feedback")).mappings().all()
        # One row: which report, the answer and its day; no moment, nothing of the reporter.
        assert len(rows) == 1 and set(rows[0]) == {"report_id", "satisfaction", "given_on"}
        assert rows[0]["satisfaction"] == "dissatisfied" and str(rows[0]["given_on"]) == "2026-12-07"
        assert db.session.scalar(select(AuditEntry.id).where(
            AuditEntry.action == "report.feedback", AuditEntry.object_id == pid)) is not None
    # The inspectors see the answer on the case page.
    assert "不满意" in as_staff(app, world, "inspector").get(f"/review/{pid}").get_data(as_text=True)


def test_nothing_to_rate_or_review_before_the_conclusion(app, world):
    _pid, receipt = _concluded(app, world, status=ReportStatus.SUBMITTED)
    page = _track(app, receipt)
    assert "您对办理结果是否满意" not in page and "申请复查" not in page
    assert "办结后才能评价" in _track(app, receipt, "/track/feedback", satisfaction="satisfied")
    assert "办结后才能申请复查" in _track(app, receipt, "/track/review", reason=WHY)
    with app.app_context():
        assert db.session.scalar(select(ReportFeedback.report_id)) is None


def test_a_review_goes_to_the_city_which_decides_it_and_the_reporter_reads_the_outcome(app, world):
    at("2026-12-07T10:00")
    pid, receipt = _concluded(app, world)
    page = _track(app, receipt, "/track/review", reason=WHY)
    assert f"由{world.city.name}纪委监委办理" in page and "复查期限" in page
    with app.app_context():
        request = db.session.scalar(select(ReviewRequest))
        assert request.region_id == world.city.id and request.reason == WHY
        assert request.due == deadlines.conclude_deadline(request.requested_at, 30)
    assert "您已经申请过复查" in _track(app, receipt, "/track/review", reason=WHY)

    # The county that concluded it reads the request but does not decide it.
    county = as_staff(app, world, "inspector")
    case = county.get(f"/review/{pid}").get_data(as_text=True)
    assert WHY in case and "review-decision" not in case
    assert county.post(f"/review/{pid}/review-decision", data={
        "decision-outcome": "upheld", "decision-outcome_public": "维持。"}).status_code == 400
    assert pid not in county.get("/review/reviews").get_data(as_text=True)

    city = as_staff(app, world, "city_inspector")
    assert pid in city.get("/review/reviews").get_data(as_text=True)
    refused = city.post(f"/review/{pid}/review-decision", data={
        "decision-outcome": "changed", "decision-outcome_public": ""})
    assert refused.status_code == 400
    assert city.post(f"/review/{pid}/review-decision", data={
        "decision-outcome": "changed",
        "decision-outcome_public": "经复查，原核查遗漏了当天下午的情况，已责成县纪委监委重新核查。"},
    ).status_code == 303
    public = _track(app, receipt)
    assert "变更原处理意见" in public and "已责成县纪委监委重新核查" in public
    assert pid not in city.get("/review/reviews").get_data(as_text=True)
    with app.app_context():
        actions = set(db.session.scalars(select(AuditEntry.action).where(AuditEntry.object_id == pid)))
    assert {"report.review_requested", "report.review_decided"} <= actions


def test_a_review_is_asked_within_thirty_days_of_the_conclusion(app, world):
    at("2026-12-07T10:00")
    _pid, receipt = _concluded(app, world)
    at("2027-01-06T23:00")
    assert "申请复查的理由" in _track(app, receipt)  # the 30th day after the conclusion
    at("2027-01-07T00:10")
    page = _track(app, receipt)
    assert "申请复查的理由" not in page and "您对办理结果是否满意" in page
    assert "期限（办结后30日内）已过" in _track(app, receipt, "/track/review", reason=WHY)


def test_an_empty_reason_is_refused_in_the_reporters_language(app, world):
    _pid, receipt = _concluded(app, world)
    response = app.test_client().post("/track/review", data={"receipt": receipt, "reason": "  "})
    assert response.status_code == 400
    assert "请写明申请复查的理由" in response.get_data(as_text=True)


def test_a_rectified_case_reviewed_from_a_city_goes_to_the_province(app, world):
    pid, receipt = _concluded(app, world, status=ReportStatus.RECTIFIED)
    with app.app_context():
        db.session.execute(text("UPDATE report SET office_level = 1 WHERE public_id = :p"), {"p": pid})
        db.session.commit()
        province = world.city.parent_id
    _track(app, receipt, "/track/review", reason=WHY)
    with app.app_context():
        assert db.session.scalar(select(ReviewRequest.region_id)) == province
        assert db.session.scalar(select(Report.status).where(Report.public_id == pid)) \
            == ReportStatus.RECTIFIED


def test_a_review_asked_too_soon_comes_back_with_the_reason_kept(make_app, world):
    import re

    at("2026-12-07T10:00")  # the brake's allowance and the form's ticket count by this clock
    app = make_app(WTF_CSRF_ENABLED=False, RATELIMIT_STORAGE_URI="memory://",
                   TRACK_RATE_LIMIT="2/minute")
    _pid, receipt = _concluded(app, world)
    client = app.test_client()
    client.post("/track", data={"receipt": "12345 67890 12345 67890 12345"})
    html = client.post("/track", data={"receipt": receipt}).get_data(as_text=True)
    fields = {name: re.search(rf'name="{name}" value="([^"]*)"', html).group(1)
              for name in ("ticket", "token")}
    response = client.post("/track/review", data={"receipt": receipt, "reason": WHY, **fields})
    page = response.get_data(as_text=True)
    assert response.status_code == 429 and f"{WHY}</textarea>" in page
    assert re.search(r"请在 \d+ 秒后再提交一次", page)
    with app.app_context():
        assert db.session.scalar(select(ReviewRequest.id)) is None
