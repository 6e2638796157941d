"""Fixtures of the report tests: a township with a roster, and photos to upload."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from portal.extensions import db
from tests import factories


@dataclass
class Place:
    township_id: int
    code: str
    county_id: int
    cadre_ids: list[int]
    cadre_public_ids: list[str]
    cadre_names: list[str]


@pytest.fixture
def place(app) -> Place:
    """A township with three active cadres and one who left."""
    with app.app_context():
        t = factories.township(name="测试庄镇")
        cadres = [factories.cadre(t, name=n, post=p, is_leader=leader) for n, p, leader in
                  (("王建国", "党委书记", True), ("李秀英", "镇长", True), ("赵强", "党政办干事", False))]
        factories.cadre(t, name="钱离职", active=False)
        db.session.commit()
        return Place(t.id, t.code, t.county_id, [c.id for c in cadres],
                     [c.public_id for c in cadres], [c.name for c in cadres])


# The browser story uses the browser suite's live demo site and phone-sized pages.
from tests.e2e.conftest import browse, browser_type_launch_args, site  # noqa: E402, F401
