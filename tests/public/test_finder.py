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
    from portal.services.shared import townships

    with demo.app_context():
        township = db.session.scalar(select(Township).where(Township.code == "990101001"))
        before = township.data_version
        townships.touch(township.id)
        db.session.commit()
        db.session.refresh(township)
        assert township.data_version == before + 1


def _country(app):
    """Two provinces; the first with a city, a county and two townships."""
    from portal.extensions import db
    from portal.models import RegionLevel
    from tests import factories

    with app.app_context():
        province = factories.region(RegionLevel.PROVINCE, code="810000", name="甲省")
        factories.region(RegionLevel.PROVINCE, code="820000", name="乙省")
        city = factories.region(RegionLevel.CITY, province, code="810100", name="丙市")
        county = factories.region(RegionLevel.COUNTY, city, code="810101", name="丁县")
        factories.township(county, name="东风镇", code="810101001")
        factories.township(county, name="西河乡", code="810101002")
        db.session.commit()


def test_a_country_is_browsed_region_by_region_not_listed_whole(app, monkeypatch):
    from portal.services.shared import townships

    monkeypatch.setattr(townships, "LIST_ALL_UP_TO", 1)
    _country(app)
    client = app.test_client()
    top = client.get("/").get_data(as_text=True)
    assert 'href="/?region=810000"' in top and 'href="/?region=820000"' in top
    assert "/t/810101001" not in top  # no township list at the top
    province = client.get("/?region=810000").get_data(as_text=True)
    assert 'href="/?region=810100"' in province and "甲省" in province
    county = client.get("/?region=810101").get_data(as_text=True)
    assert 'href="/t/810101001"' in county and 'href="/t/810101002"' in county
    # The path back up, each step a link but the page's own region.
    assert 'href="/?region=810000"' in county and 'href="/?region=810100"' in county
    assert '<span aria-current="page">丁县</span>' in county
    # The boards' breadcrumbs link to ?county=.
    assert 'href="/t/810101002"' in client.get("/?county=810101").get_data(as_text=True)


def test_a_few_townships_are_listed_whole_and_an_unknown_region_is_404(demo):
    client = demo.test_client()
    home = client.get("/").get_data(as_text=True)
    assert all(f'href="/t/99010100{n}"' in home for n in range(1, 9))
    assert client.get("/?region=123456").status_code == 404
    assert client.get("/?region=abc").status_code == 404
    assert client.get("/?county=990101").status_code == 200
