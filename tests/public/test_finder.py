"""The township finder: Chinese name, full pinyin, initials; tolerant of spaces and case."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    "query",
    ["大庄镇", "大庄", "dzz", "DZZ", "dazhuang", "Da Zhuang", " dazhuangzhen ", "ｄｚｚ", "990101001"],
)
def test_finds_dazhuang(demo, query):
    html = demo.test_client().get("/", query_string={"q": query}).get_data(as_text=True)
    assert 'href="/t/990101001"' in html


@pytest.mark.parametrize("query", ["xyz", "北京", "%", "_", "' OR 1=1 --"])
def test_no_match_says_so(demo, query):
    response = demo.test_client().get("/", query_string={"q": query})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'href="/t/990101001"' not in html


def test_initials_prefix_matches_several(demo):
    html = demo.test_client().get("/?q=q").get_data(as_text=True)
    assert 'href="/t/990101006"' in html  # 青山镇
    assert 'href="/t/990101001"' not in html  # 大庄镇


def test_touch_bumps_the_data_version(demo):
    from sqlalchemy import select

    from portal.extensions import db
    from portal.models import Township
    from portal.services import townships

    with demo.app_context():
        township = db.session.scalar(select(Township).where(Township.code == "990101001"))
        before = township.data_version
        townships.touch(township.id)
        db.session.commit()
        db.session.refresh(township)
        assert township.data_version == before + 1
