"""A cadre casts a 民主评议 ballot on a 360 px phone with JavaScript off, and a villager reads
the county's register of supervisors on the same phone."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import Township
from portal.models.base import utcnow
from portal.rules.calendar import local_date
from portal.services.office import evaluation as evaluations
from tests.e2e.conftest import PHONE
from tests.e2e.support import app_for

pytestmark = pytest.mark.e2e


def _fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width}px wide"


def test_a_cadre_votes_on_a_phone_without_javascript(browse, site):
    today = local_date(utcnow())
    month = (today.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    with app_for(site) as app, app.app_context():
        town = db.session.scalar(select(Township).where(Township.code == "990101004"))
        issued = evaluations.open_evaluation(actor=None, township=town, month=month,
                                             meeting_on=today, ballots=2, today=today)
        code, leaders = issued.codes[0], len(issued.evaluation.subjects)
    page = browse(js=False)
    page.goto(f"/e/{code}")
    assert page.get_by_role("heading", name="民主评议").is_visible()
    _fits(page)
    choices = page.locator('input[type="radio"][value="satisfied"]')
    assert choices.count() == leaders > 0
    for i in range(leaders - 1):
        choices.nth(i).check()
    page.get_by_role("button", name="提交选票").click()
    # One leader left unrated: the browser's own check (no script) keeps the ballot open.
    assert "已投票" not in page.content() and choices.count() == leaders
    page.locator('input[type="radio"][value="unsatisfied"]').nth(leaders - 1).check()
    page.get_by_role("button", name="提交选票").click()
    assert page.get_by_role("heading", name="已投票，谢谢！").is_visible()
    _fits(page)
    page.goto(f"/e/{code}")
    assert "已经投过" in page.content()


def test_the_register_of_supervisors_fits_a_phone(browse, site):
    page = browse(js=False)
    response = page.goto("/c/990101/supervisors")
    assert response.status == 200
    assert page.get_by_role("heading", name="演示县作风建设监督员").is_visible()
    assert page.locator('a[href^="tel:"]').count() >= 1
    _fits(page)
    page.goto("/e")
    _fits(page)
