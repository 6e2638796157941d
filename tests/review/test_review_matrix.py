"""Authorization matrix of the review, account and user-management routes.

Every route × every role × in and out of scope. A route of these blueprints that the
matrix does not list fails the completeness test, so a new route cannot skip it.
"""

from __future__ import annotations

import pytest

from portal.extensions import db
from portal.models import Report, ReportStatus, Township, User
from portal.services.casework import evidence
from tests.conftest import login_as
from tests.report.photos import png_bytes
from tests.review.conftest import make_report

INSPECTORS = {"inspector", "inspector2", "city_inspector", "foreign_inspector"}
ADMINS = {"admin", "sysadmin"}
ROLES = ["anonymous", "clerk", "supervisor", "inspector", "inspector2", "city_inspector",
         "foreign_inspector", "admin", "sysadmin"]

# endpoint: (method, url template, roles allowed, scoped by the report / the managed user)
MATRIX = {
    "review.queue": ("GET", "/review", INSPECTORS, None),
    "review.report_view": ("GET", "/review/{report}", INSPECTORS, "report"),
    "review.photo": ("GET", "/review/{report}/photos/{photo}", INSPECTORS, "report"),
    "review.export": ("POST", "/review/export", INSPECTORS, None),
    "review.find": ("GET", "/review/find", INSPECTORS, None),
    "review.transfers": ("GET", "/review/transfers", INSPECTORS, None),
    "review.intake.form": ("GET", "/review/intake", INSPECTORS, None),
    "review.intake.counts": ("GET", "/review/intake/counts", INSPECTORS, None),
    # Before the steps below: nobody is assigned yet, so nobody may see the reporter.
    "review.reveal": ("POST", "/review/{report}/reveal", INSPECTORS, "report"),
    "review.accept": ("POST", "/review/{report}/accept", INSPECTORS, "report"),
    "review.not_accept": ("POST", "/review/{report}/not-accept", INSPECTORS, "report"),
    "review.merge": ("POST", "/review/{report}/merge", INSPECTORS, "report"),
    "review.claim": ("POST", "/review/{report}/claim", INSPECTORS, "report"),
    "review.assign": ("POST", "/review/{report}/assign", INSPECTORS, "report"),
    "review.conclude": ("POST", "/review/{report}/conclude", INSPECTORS, "report"),
    "review.rectify": ("POST", "/review/{report}/rectify", INSPECTORS, "report"),
    "review.note": ("POST", "/review/{report}/note", INSPECTORS, "report"),
    "review.message": ("POST", "/review/{report}/message", INSPECTORS, "report"),
    # 转办 and 复查: the office's trace and requests, the transfer and the review decision.
    "review.reviews": ("GET", "/review/reviews", INSPECTORS, None),
    "review.transfer": ("POST", "/review/{report}/transfer", INSPECTORS, "report"),
    "review.review_decision": ("POST", "/review/{report}/review-decision", INSPECTORS, "report"),
    # 通报曝光: the publishing page and its two actions (a case not concluded has none: 404).
    "review.exposure.page": ("GET", "/review/{report}/publish", INSPECTORS, "report"),
    "review.exposure.publish": ("POST", "/review/{report}/publish", INSPECTORS, "report"),
    "review.exposure.withdraw": ("POST", "/review/{report}/withdraw", INSPECTORS, "report"),
    "admin.users.index": ("GET", "/admin/users", ADMINS, None),
    "admin.users.new": ("GET", "/admin/users/new", ADMINS, None),
    "admin.users.show": ("GET", "/admin/users/{user}", ADMINS, "user"),
    "admin.users.deactivate": ("POST", "/admin/users/{user}/deactivate", ADMINS, "user"),
    "admin.users.activate": ("POST", "/admin/users/{user}/activate", ADMINS, "user"),
    "admin.users.reset_password": ("POST", "/admin/users/{user}/reset-password", ADMINS, "user"),
    "admin.users.reset_totp": ("POST", "/admin/users/{user}/reset-totp", ADMINS, "user"),
    "admin.users.set_email": ("POST", "/admin/users/{user}/email", ADMINS, "user"),
}
# Who sees which object: "inside" is in `county`, "outside" in the other county of the same
# city (so the city inspector sees both); the managed users are clerks of those counties.
SEES = {
    ("report", "inside"): {"inspector", "inspector2", "city_inspector"},
    ("report", "outside"): {"foreign_inspector", "city_inspector"},
    ("user", "inside"): {"admin", "sysadmin"},
    ("user", "outside"): {"sysadmin"},
}


@pytest.fixture
def app(make_app):
    return make_app(WTF_CSRF_ENABLED=False)


@pytest.fixture
def objects(app, world):
    """One report (with a photo) in the county and one outside; a managed user in each county."""
    from portal.models import Role
    from tests import factories

    out = {}
    with app.app_context():
        for side, township in (("inside", world.township), ("outside", world.foreign_township)):
            t = db.session.get(Township, township.id)
            report = make_report(t, named=True)
            db.session.flush()
            photo = evidence.store_photo(report, png_bytes(), commit=False)
            clerk = factories.user(Role.CLERK, townships=[t])
            db.session.flush()
            out[side] = {"report": report.public_id, "photo": photo.public_id, "user": clerk.public_id}
        db.session.commit()
    return out


def _client(app, world, role):
    client = app.test_client()
    if role != "anonymous":
        with app.app_context():
            user = db.session.get(User, getattr(world, role).id)
            db.session.expunge(user)
        login_as(client, user)
    return client


def _expected(endpoint: str, role: str, side: str) -> str:
    _method, _url, allowed, scoped = MATRIX[endpoint]
    if role == "anonymous":
        return "login"
    if role not in allowed:
        return "forbidden"
    if scoped and role not in SEES[(scoped, side)]:
        return "not found"
    return "allowed"


def _outcome(response) -> str:
    if response.status_code in (301, 302, 303) and "/login" in response.headers.get("Location", ""):
        return "login"
    if response.status_code == 403:
        return "forbidden"
    if response.status_code == 404:
        return "not found"
    return "allowed"


def test_every_route_of_these_blueprints_is_in_the_matrix(app):
    routed = {rule.endpoint for rule in app.url_map.iter_rules()
              if rule.endpoint.startswith(("review.", "admin.users."))}
    assert routed == set(MATRIX)


@pytest.mark.parametrize("role", ROLES)
def test_authorization_matrix(app, world, objects, role):
    problems = []
    client = _client(app, world, role)
    for endpoint, (method, template, _allowed, _scoped) in MATRIX.items():
        for side in ("inside", "outside"):
            url = template.format(**objects[side])
            response = client.open(url, method=method, data={"format": "csv"})
            got, want = _outcome(response), _expected(endpoint, role, side)
            body = response.get_data().decode("utf-8", "replace")
            response.close()
            # reveal is for the assigned inspector only: unassigned here, it answers 404 to everyone.
            if endpoint == "review.reveal" and want == "allowed":
                want = "not found"
            # Publishing exists only for a concluded case: to everyone, this one has none.
            if endpoint.startswith("review.exposure.") and want == "allowed":
                want = "not found"
            if got != want:
                problems.append(f"{method} {url} ({endpoint}, {side}) as {role}: {got}, expected {want}")
            if "举报人甲" in body or "13800000000" in body:
                problems.append(f"{method} {url} as {role}: a reporter's identity leaked")
            if want != "allowed" and "乡政府上午十点大门紧锁" in body:
                problems.append(f"{method} {url} as {role}: report content leaked")
    assert not problems, "\n".join(problems)


def test_the_reveal_matrix_for_the_assigned_inspector(app, world, objects):
    with app.app_context():
        db.session.execute(db.update(Report).where(Report.public_id == objects["inside"]["report"])
                           .values(assignee_id=world.inspector.id, status=ReportStatus.VERIFYING))
        db.session.commit()
    url = f"/review/{objects['inside']['report']}/reveal"
    for role in ROLES:
        response = _client(app, world, role).post(url)
        shown = "举报人甲" in response.get_data(as_text=True)
        assert shown == (role == "inspector"), role
