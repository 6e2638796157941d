"""The demo's new 武装部长 joined a few days ago: on the board and in this month, not last month."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from portal import clock
from portal.demo import joiner as demo_joiner
from portal.demo.base import DAZHUANG
from portal.extensions import db
from portal.models import Cadre, Township
from portal.services.office import notices


def test_the_new_armed_forces_head_counts_from_the_day_he_joined(demo):
    today = clock.today()
    this_month = today.strftime("%Y-%m")
    last_month = (today.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    with demo.app_context():
        township = db.session.scalar(select(Township).where(Township.code == DAZHUANG))
        cadre = db.session.scalar(select(Cadre).where(Cadre.name == demo_joiner.NAME))
        assert cadre.joined_on == demo_joiner.joined_on(today)
        assert cadre.joined_on.replace(day=1) == today.replace(day=1) and cadre.joined_on <= today
        published = notices.content_of(notices.latest(township.id, last_month))
        assert demo_joiner.NAME not in [r["name"] for r in published["cadres"]]
        result = notices.publish(township=township, month=last_month, actor=None, today=today)
        assert not result.created  # published again: unchanged, he is still not in it
        row = next(r for r in notices.compute(township, this_month)["cadres"]
                   if r["name"] == demo_joiner.NAME)
        assert row.get("from", today.replace(day=1).isoformat()) == cadre.joined_on.isoformat()
        assert demo_joiner.seed(today) == [
            "new 武装部长 already present: left as it is"]
    board = demo.test_client().get(f"/t/{DAZHUANG}").get_data(as_text=True)
    assert demo_joiner.NAME in board
