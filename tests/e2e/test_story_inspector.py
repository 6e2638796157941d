"""An inspector works a report in Chromium; the reporter reads the question and answers it.

The inspector logs in with a password and a TOTP code, asks the reporter a question,
accepts the report, takes it on, and concludes it. The reporter, with only the receipt,
reads the question on /track, answers it, and later reads the outcome; the reporter's
pages run with JavaScript on and off.
"""

from __future__ import annotations

from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import select

from portal import clock
from portal.extensions import db
from portal.models import Region, Role
from tests import factories
from tests.e2e.support import app_for
from tests.e2e.webclient import WebClient

pytestmark = pytest.mark.e2e
PASSWORD = "story-inspector-password"


def file_report(site) -> str:
    client = WebClient(site.url)
    token = client.get("/report?township=990101001").csrf()
    observed = (clock.local_now() - timedelta(hours=5)).strftime("%Y-%m-%dT%H:%M")
    answer = client.post("/report", {
        "csrf_token": token, "township": "990101001", "category": "commuting",
        "observed_at": observed, "place": "镇政府宿舍楼", "website": "", "confirm_identity": "y",
        "description": "工作日晚上八点，镇政府宿舍楼没有一间亮灯，值班室也锁着门。",
    })
    assert answer.status == 200 and answer.receipt()
    return answer.receipt()


def new_inspector(site, tag: str) -> tuple[str, str]:
    """An inspector of the demo county of its own (no TOTP code is shared with other tests)."""
    with app_for(site) as app, app.app_context():
        county = db.session.scalar(select(Region).where(Region.code == "990101"))
        user = factories.user(Role.INSPECTOR, scope_region=county, username=f"story-{tag}",
                              password=PASSWORD)
        db.session.commit()
        return user.username, user.totp_secret


def log_in(page, username: str, secret: str) -> None:
    page.goto("/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.fill("input[name=totp]", pyotp.TOTP(secret).now())
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    assert "/login" not in page.url, page.locator("main").inner_text()


def open_report(page, description_start: str) -> None:
    page.goto("/review")
    page.get_by_role("link", name=description_start).first.click()
    page.wait_for_load_state()


def track(page, receipt: str) -> None:
    page.goto("/track")
    page.fill("input[name=receipt]", receipt)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()


def press(page, label: str) -> None:
    page.get_by_role("button", name=label, exact=True).click()
    page.wait_for_load_state()


@pytest.mark.parametrize("js", [True, False], ids=["reporter-js", "reporter-no-js"])
def test_an_inspector_asks_accepts_and_concludes_and_the_reporter_answers(browse, site, js):
    receipt = file_report(site)
    username, secret = new_inspector(site, "js" if js else "nojs")
    inspector = browse(js=True, viewport={"width": 1280, "height": 900})
    log_in(inspector, username, secret)
    track_page = browse(js=js)
    track(track_page, receipt)
    public_id = None
    inspector.goto("/review")
    for link in inspector.locator("main a[href^='/review/']").all():
        href = link.get_attribute("href")
        inspector.goto(href)
        if "值班室也锁着门" in inspector.locator("main").inner_text():
            public_id = href.rsplit("/", 1)[-1]
            break
        inspector.goto("/review")
    assert public_id, "the new report is not in the inspector's queue"

    inspector.fill("textarea[name=body]", "请问您看到的是哪一栋宿舍楼？大约几点？")
    press(inspector, "发送")
    track(track_page, receipt)
    assert "哪一栋宿舍楼" in track_page.locator("main").inner_text()
    track_page.fill("textarea[name=body]", "是东边的二号楼，晚上八点到九点之间。")
    track_page.get_by_role("button", name="发送").click()
    track_page.wait_for_load_state()
    assert "您的回复已送达纪检监察干部" in track_page.locator("main").inner_text()

    inspector.goto(f"/review/{public_id}")
    assert "东边的二号楼" in inspector.locator("main").inner_text()
    press(inspector, "受理")
    press(inspector, "由我承办")
    inspector.select_option("select[name=finding]", "substantiated")
    inspector.select_option("select[name=action]", "criticism")
    inspector.fill("textarea[name=outcome_public]", "经核查，反映情况属实，已对相关干部批评教育。")
    press(inspector, "办结")
    assert "已办结" in inspector.locator("main").inner_text()

    track(track_page, receipt)
    text = track_page.locator("main").inner_text()
    assert "已办结" in text and "已对相关干部批评教育" in text
