"""An operator sets up a real jurisdiction from the command line: province, city, county."""

from __future__ import annotations

from sqlalchemy import select

from portal.extensions import db
from portal.models import Region


def test_add_a_province_city_and_county_then_a_county_inspector(app, runner):
    steps = [
        ["--code", "330000", "--name", "浙江省", "--level", "province"],
        ["--code", "330100", "--name", "杭州市", "--level", "city", "--parent", "330000"],
        ["--code", "330122", "--name", "桐庐县", "--level", "county", "--parent", "330100"],
    ]
    for args in steps:
        result = runner.invoke(args=["regions", "add", *args])
        assert result.exit_code == 0, result.output
        assert "added" in result.output
    with app.app_context():
        county = db.session.scalar(select(Region).where(Region.code == "330122"))
        assert county.parent.parent.name == "浙江省"
    listing = runner.invoke(args=["regions", "list"])
    assert "桐庐县" in listing.output
    user = runner.invoke(args=["users", "create", "--role", "inspector", "--scope", "330122",
                               "--username", "tonglu"])
    assert user.exit_code == 0, user.output


def test_bad_regions_are_refused_with_a_reason(app, runner):
    runner.invoke(args=["regions", "add", "--code", "330000", "--name", "浙江省", "--level", "province"])
    cases = [
        (["--code", "33010", "--name", "x", "--level", "city", "--parent", "330000"], "6 digits"),
        (["--code", "330100", "--name", "杭州市", "--level", "city"], "parent province"),
        (["--code", "330122", "--name", "县", "--level", "county", "--parent", "330000"], "parent city"),
        (["--code", "330000", "--name", "again", "--level", "province"], "exists already"),
    ]
    for args, message in cases:
        result = runner.invoke(args=["regions", "add", *args])
        assert result.exit_code != 0
        assert message in result.output
    with app.app_context():
        assert db.session.scalar(select(Region).where(Region.code == "330100")) is None
