"""Fixtures of the township office tests: a township with cadres, logged-in staff clients,
and a helper that posts through the real forms with their CSRF token."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

import pytest

from portal.extensions import db
from portal.models import ChiefRole, Role
from tests import factories
from tests.conftest import login_as

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(html: str) -> str:
    """The CSRF token of the (first) form on a rendered page."""
    match = _CSRF.search(html)
    assert match, "no csrf_token on the page"
    return match.group(1)


def post_form(client, page_url: str, action_url: str | None = None, data: dict | None = None,
              **kwargs):
    """GET the page, take its CSRF token, POST `data` to the form's action (default: the page)."""
    page = client.get(page_url)
    assert page.status_code == 200, page.status_code
    payload = dict(data or {})
    payload["csrf_token"] = csrf_token(page.get_data(as_text=True))
    return client.post(action_url or page_url, data=payload, **kwargs)


def xlsx_bytes(rows: list[list]) -> bytes:
    """An XLSX workbook whose first sheet holds `rows`."""
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@dataclass
class Office:
    """A township with a leadership team and staff, its clerk, and ids to reach them."""

    township_id: int
    code: str
    county_id: int
    clerk_id: int
    secretary_id: int
    head_id: int
    leader_ids: list[int]
    staff_ids: list[int]

    @property
    def cadre_ids(self) -> list[int]:
        return self.leader_ids + self.staff_ids


@pytest.fixture
def office(app) -> Office:
    """大庄测试镇: 4 leaders (secretary, head, 2 deputies), 6 staff, and a clerk."""
    with app.app_context():
        county = factories.county()
        town = factories.township(county, name="大庄测试镇")
        secretary = factories.cadre(town, name="王书记", post="党委书记", is_leader=True,
                                    chief_role=ChiefRole.SECRETARY, sort_order=0)
        head = factories.cadre(town, name="李镇长", post="镇长", is_leader=True,
                               chief_role=ChiefRole.HEAD, sort_order=1)
        deputies = [factories.cadre(town, name=n, post="副镇长", is_leader=True, sort_order=2 + i)
                    for i, n in enumerate(["张副", "赵副"])]
        staff = [factories.cadre(town, name=f"干事{i}", sort_order=100 + i) for i in range(6)]
        clerk = factories.user(Role.CLERK, townships=[town])
        db.session.commit()
        return Office(
            township_id=town.id, code=town.code, county_id=county.id, clerk_id=clerk.id,
            secretary_id=secretary.id, head_id=head.id,
            leader_ids=[secretary.id, head.id] + [d.id for d in deputies],
            staff_ids=[s.id for s in staff],
        )


def _logged_in(app, user_id: int):
    from portal.models import User

    client = app.test_client()
    with app.app_context():
        login_as(client, db.session.get(User, user_id))
    return client


@pytest.fixture
def clerk_client(app, office):
    """A test client logged in as the office's clerk."""
    return _logged_in(app, office.clerk_id)


@pytest.fixture
def staff_client(app, office):
    """Log in a new user of a role: staff_client(Role.SUPERVISOR, townships=True|False|None)."""

    def make(role: Role, in_scope: bool = True, county_scope: bool = False):
        from portal.models import Region, Township

        with app.app_context():
            if county_scope:
                region = db.session.get(Region, office.county_id) if in_scope else factories.county()
                user = factories.user(role, scope_region=region)
            elif role == Role.SYSADMIN:
                user = factories.user(role)
            else:
                town = (db.session.get(Township, office.township_id) if in_scope
                        else factories.township())
                user = factories.user(role, townships=[town])
            db.session.commit()
            user_id = user.id
        return _logged_in(app, user_id)

    return make
