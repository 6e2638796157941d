"""No route changes state on GET: every GET route, as a sysadmin and as an inspector.

Walks `app.url_map` (routes of every area, as they land), fills the URL parameters
from the demo county, and compares the row count of every table before and after.
"""

from __future__ import annotations

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Cadre, Township, User
from portal.services.casework import evidence
from tests.conftest import login_as
from tests.report.photos import png_bytes
from tests.review.conftest import make_report


def _counts() -> dict[str, int]:
    return {t.name: db.session.scalar(select(func.count()).select_from(t))
            for t in db.Model.metadata.sorted_tables}


def _values(app) -> dict[str, str]:
    with app.app_context():
        township = db.session.scalar(select(Township).order_by(Township.code))
        cadre = db.session.scalar(select(Cadre).where(Cadre.township_id == township.id).limit(1))
        report = make_report(township, cadre=cadre, named=True)
        db.session.flush()
        photo = evidence.store_photo(report, png_bytes(), commit=False)
        db.session.commit()
        return {"code": township.code, "public_id": report.public_id, "evidence_id": photo.public_id,
                "cadre": cadre.public_id, "cadre_id": cadre.public_id, "month": "2026-11",
                "record_id": "1", "token": "x" * 20, "filename": "site.css"}


def _url(rule, values) -> str:
    from flask import url_for
    from werkzeug.routing import BuildError

    args = {name: values.get(name, "x") for name in rule.arguments}
    try:
        return url_for(rule.endpoint, **args)
    except BuildError:
        return rule.rule


def test_no_get_route_changes_any_table(demo):
    app = demo
    values = _values(app)
    problems, walked = [], 0
    for username in ("sysadmin", "inspector"):
        client = app.test_client()
        with app.app_context():
            user = db.session.scalar(select(User).where(User.username == username))
            db.session.expunge(user)
        login_as(client, user)
        for rule in app.url_map.iter_rules():
            if "GET" not in rule.methods or rule.endpoint == "static":
                continue
            with app.test_request_context():
                url = _url(rule, values)
            with app.app_context():
                before = _counts()
            response = client.get(url)
            response.close()
            walked += 1
            with app.app_context():
                after = _counts()
            changed = {t: (before[t], after[t]) for t in before if before[t] != after[t]}
            if changed:
                problems.append(f"GET {url} as {username} changed {changed}")
            if response.status_code >= 500:
                problems.append(f"GET {url} as {username}: {response.status_code}")
    assert walked > 10
    assert not problems, "\n".join(problems)
