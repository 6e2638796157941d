"""A villager confirms a cadre's village visit from its QR link, on a phone, JS on or off."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import Cadre, Township, VillageVisit
from portal.models.base import utcnow
from portal.rules.calendar import local_date
from portal.services.office import visits
from tests.e2e.support import app_for
from tests.e2e.test_story_villager import fits_the_screen

pytestmark = pytest.mark.e2e


def record_visit(site, village: str) -> tuple[str, str, str]:
    """A clerk records a visit of a 大庄镇 leader; returns the link's token, cadre, visit id."""
    with app_for(site) as app, app.app_context():
        township = db.session.scalar(select(Township).where(Township.code == "990101001"))
        cadre = db.session.scalar(select(Cadre).where(
            Cadre.township_id == township.id, Cadre.is_leader.is_(True)).order_by(Cadre.id))
        today = local_date(utcnow())
        visit, issued = visits.record_visit(cadre=cadre, village=village, day=today,
                                            purpose="走访困难户", diary="了解冬季取暖情况。",
                                            actor=None, today=today)
        return issued.token, cadre.name, visit.public_id


def confirmed_at(site, public_id: str):
    with app_for(site) as app, app.app_context():
        return db.session.scalar(select(VillageVisit.confirmed_at)
                                 .where(VillageVisit.public_id == public_id))


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
def test_a_villager_confirms_a_visit_once_from_its_link(browse, site, js):
    village = "东河村" if js else "西河村"
    token, cadre_name, public_id = record_visit(site, village)
    page = browse(js=js)
    page.goto(f"/v/{token}")
    fits_the_screen(page)
    card = page.locator("main").inner_text()
    assert cadre_name in card and village in card
    assert confirmed_at(site, public_id) is None  # opening the link confirms nothing
    page.locator("textarea[name=comment]").fill("确实来了，还看了我家的炉子。")
    page.get_by_role("button", name="确认").click()
    page.wait_for_load_state()
    assert confirmed_at(site, public_id) is not None
    # The link works once: a second visit says so and changes nothing.
    first = confirmed_at(site, public_id)
    page.goto(f"/v/{token}")
    assert page.get_by_role("button", name="确认").count() == 0
    assert confirmed_at(site, public_id) == first
