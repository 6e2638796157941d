"""Every route × every role × in and out of scope: 404 outside, no leak, no write on GET, CSRF.

The walker reads `app.url_map`, so a route added by any area is covered without a change
here (a new URL parameter name must be taught to tests/safety/world.py, which fails loudly).
"""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from portal.extensions import db
from portal.models import Report, User
from tests.safety.conftest import client_as
from tests.safety.world import (
    CAR_DRIVER_NAME,
    CAR_NOTE,
    LEAVE_REASON,
    PERSONAL_PHONE,
    REPORTER_CONTACT,
    REPORTER_NAME,
    ROLES,
    SUPERVISOR_CONTACT,
    WHEREABOUTS_NOTE,
    blueprint_of,
    is_staff,
    routes,
    row_counts,
)

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
# Viewing may append to the audit log (each view of a reporter's identity is audited).
MAY_GROW_ON_GET = {"audit_entry"}
# Staff-only strings that no public page may ever show (PRODUCT.md, "Anonymity and privacy").
PUBLIC_NEVER = (REPORTER_NAME, REPORTER_CONTACT, PERSONAL_PHONE, LEAVE_REASON, WHEREABOUTS_NOTE,
                CAR_DRIVER_NAME, CAR_NOTE, SUPERVISOR_CONTACT)


class _Crash:
    """Stands for a response when the view raised (TESTING propagates exceptions)."""

    def __init__(self, error: Exception) -> None:
        self.status_code = 599
        self.headers = {"Location": ""}
        self.error = error


def _get(client, url):
    try:
        response = client.get(url)
    except Exception as error:  # noqa: BLE001 - reported as a failure of the route
        return _Crash(error), repr(error)
    body = response.get_data().decode("utf-8", "replace")
    response.close()
    return response, body


def _changed(before: dict, after: dict) -> dict:
    return {t: (before[t], after[t]) for t in before
            if before[t] != after[t] and t not in MAY_GROW_ON_GET}


def _check_get(app, world, rule, role, problems: list[str]) -> None:
    client = client_as(app, role)
    results = {}
    for side in ("inside", "outside"):
        url = world.url(rule, side)
        with app.app_context():
            before = row_counts()
        response, body = _get(client, url)
        with app.app_context():
            after = row_counts()
        results[side] = response.status_code
        where = f"GET {url} as {role}"
        if response.status_code >= 500:
            problems.append(f"{where}: {response.status_code} {getattr(response, 'error', '')}")
        if changes := _changed(before, after):
            problems.append(f"{where} changed rows: {changes}")
        if REPORTER_NAME in body or REPORTER_CONTACT in body:
            problems.append(f"{where} shows a reporter's identity to a non-assignee")
        if not is_staff(rule) and any(secret in body for secret in PUBLIC_NEVER):
            problems.append(f"{where}: a public page shows staff-only data")
        if is_staff(rule) and role == "anonymous" and not (
            response.status_code in (301, 302, 303) and "/login" in response.headers["Location"]
        ):
            problems.append(f"{where}: {response.status_code}, expected a redirect to the login")
    scoped = rule.arguments and world.url(rule, "inside") != world.url(rule, "outside")
    if is_staff(rule) and scoped and role not in ("anonymous", "sysadmin"):
        if results["inside"] < 400 and results["outside"] != 404:
            problems.append(f"{rule.rule} as {role}: out of scope answered {results['outside']}, not 404")
        if results["inside"] == 403 and results["outside"] not in (403, 404):
            problems.append(f"{rule.rule} as {role}: forbidden inside but {results['outside']} outside")


def test_every_get_route_for_every_role_in_and_out_of_scope(world_app):
    app, world = world_app
    problems: list[str] = []
    checked = 0
    for rule in routes(app, "GET"):
        if rule.endpoint == "static":
            continue
        for role in ROLES:
            _check_get(app, world, rule, role, problems)
            checked += 1
    assert checked >= 2 * len(ROLES)
    assert not problems, "\n".join(problems)


def test_a_named_reporter_is_shown_to_no_one_but_the_assigned_inspector(world_app):
    """Assigned to `inspector`: his colleague `inspector2` and every other role see no identity."""
    app, world = world_app
    with app.app_context():
        inspector = db.session.scalar(select(User).where(User.username == "inspector"))
        db.session.execute(update(Report).where(Report.public_id == world.inside.report_public_id)
                           .values(assignee_id=inspector.id))
        db.session.commit()
    others = [("inspector2", "inspector")] + [(None, r) for r in ROLES if r != "inspector"]
    leaks = []
    for rule in routes(app, "GET"):
        if rule.endpoint == "static":
            continue
        url = world.url(rule)
        for username, role in others:
            _, body = _get(client_as(app, role, username), url)
            if REPORTER_NAME in body or REPORTER_CONTACT in body:
                leaks.append(f"GET {url} as {username or role}")
    assert not leaks, "a named reporter's identity reached: " + ", ".join(leaks)


def _write_rules(app):
    return [(rule, method) for rule in routes(app, "POST") + routes(app, "PUT")
            + routes(app, "PATCH") + routes(app, "DELETE")
            for method in WRITE_METHODS if method in rule.methods]


@pytest.mark.parametrize("token", [None, "forged-token"], ids=["no-token", "forged-token"])
def test_every_write_without_a_valid_csrf_token_is_refused_and_changes_nothing(world_app, token):
    app, world = world_app
    problems = []
    seen = set()
    for rule, method in _write_rules(app):
        if (rule.rule, method) in seen:
            continue
        seen.add((rule.rule, method))
        url = world.url(rule)
        for role in ROLES:
            client = client_as(app, role)
            data = {"township": world.inside.township_code, "description": "x" * 30,
                    "receipt": world.inside.receipt, "username": "inspector",
                    "password": "demo-inspector-2026", "body": "问题"}
            if token:
                data["csrf_token"] = token
            with app.app_context():
                before = row_counts()
            try:
                response = client.open(url, method=method, data=data)
                response.close()
            except Exception as error:  # noqa: BLE001 - reported as a failure of the route
                response = _Crash(error)
            with app.app_context():
                after = row_counts()
            if response.status_code != 400:
                problems.append(f"{method} {url} as {role}: {response.status_code}, expected 400")
            if before != after:
                problems.append(f"{method} {url} as {role} changed rows: {_changed(before, after)}")
    assert not problems, "\n".join(problems)


def test_the_walker_sees_the_blueprints_of_every_audience(world_app):
    """A guard against a walker that silently covers nothing."""
    app, _ = world_app
    blueprints = {blueprint_of(r) for r in app.url_map.iter_rules()}
    assert "public" in blueprints
    assert app.url_map.bind("localhost").match("/healthz")[0] == "public.healthz"


def test_the_public_car_page_names_cadres_but_keeps_the_staff_fields_of_a_trip(world_app):
    """Drivers and passengers on a public page: cadres' names and posts, nothing staff-only."""
    app, world = world_app
    for side in ("inside", "outside"):
        code = getattr(world, side).township_code
        html = app.test_client().get(f"/t/{code}/cars").get_data(as_text=True)
        assert "送材料" in html and "专职驾驶员" in html
        assert CAR_DRIVER_NAME not in html and CAR_NOTE not in html and PERSONAL_PHONE not in html
