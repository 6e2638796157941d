"""Scope questions have one home (portal.services.shared.scope): which townships and counties a staff
user may see, and a township by code only within them."""

from __future__ import annotations

import pytest

from portal.extensions import db
from portal.models import Region, Role
from portal.services.shared import scope
from portal.services.shared.errors import NotFoundError
from tests import factories


@pytest.fixture
def places(app):
    """Two counties: the first has an active and an inactive township, the other one township."""
    with app.app_context():
        home = factories.county()
        other = factories.county()
        active = factories.township(home, code=f"{home.code}001")
        closed = factories.township(home, code=f"{home.code}002", active=False)
        far = factories.township(other, code=f"{other.code}001")
        db.session.commit()
        return {"home": home.id, "other": other.id, "active": active.code, "closed": closed.code,
                "far": far.code}


def _codes(places_or_rows) -> list[str]:
    return [p.code for p in places_or_rows]


def _region(region_id: int) -> Region:
    return db.session.get(Region, region_id)


def test_a_county_inspector_sees_the_active_townships_of_the_county(app, places):
    with app.app_context():
        inspector = factories.user(Role.INSPECTOR, scope_region=_region(places["home"]))
        assert _codes(scope.townships_in_scope(inspector)) == [places["active"]]
        assert _codes(scope.township_choices(inspector)) == [places["active"], places["closed"]]
        assert [c.id for c in scope.counties_with_townships_in_scope(inspector)] == [places["home"]]


def test_a_township_found_by_code_only_within_the_scope(app, places):
    with app.app_context():
        inspector = factories.user(Role.INSPECTOR, scope_region=_region(places["home"]))
        assert scope.scoped_township(inspector, places["active"]).code == places["active"]
        with pytest.raises(NotFoundError):
            scope.scoped_township(inspector, places["closed"])
        assert scope.scoped_township(inspector, places["closed"], active_only=False).code \
            == places["closed"]
        with pytest.raises(NotFoundError):
            scope.scoped_township(inspector, places["far"], active_only=False)


def test_a_supervisor_of_one_township_administers_no_county(app, places):
    with app.app_context():
        far = scope.scoped_township(factories.user(Role.SYSADMIN), places["far"])
        supervisor = factories.user(Role.SUPERVISOR, townships=[far])
        assert _codes(scope.townships_in_scope(supervisor)) == [places["far"]]
        assert [c.id for c in scope.counties_with_townships_in_scope(supervisor)] == [places["other"]]
        assert scope.counties_administered(supervisor) == []


def test_a_county_administrator_administers_the_county(app, places):
    with app.app_context():
        admin = factories.user(Role.COUNTY_ADMIN, scope_region=_region(places["home"]))
        assert [c.id for c in scope.counties_administered(admin)] == [places["home"]]
        sysadmin = factories.user(Role.SYSADMIN)
        assert {places["home"], places["other"]} <= {c.id for c in scope.counties_administered(sysadmin)}
        assert _codes(scope.townships_in_scope(sysadmin, limit=1)) == [
            min(places["active"], places["far"])]
