"""axe-core on every public page: no serious or critical violation.

The pages are the public GET routes of `app.url_map` (the report form and tracking page
included), filled from the demo data of the live server, so a new public page is checked
as soon as it exists; a route that does not answer HTML (a feed, JSON) is left out.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import MonthlyNotice
from tests.conftest import require_service
from tests.e2e.support import AXE, app_for
from tests.safety.world import is_staff

pytestmark = pytest.mark.e2e
SKIP_ENDPOINTS = {"static", "public.healthz"}
SERIOUS = {"serious", "critical"}
NOT_HTML = (".ics", ".json", ".png", ".svg", ".csv", ".xlsx", ".pdf", ".txt", ".xml")
VALUES = {"code": "990101001", "township": "990101001", "month": "2026-11", "ym": "2026-11"}


def newest_notice_month(app) -> str:
    """The month of the demo's newest notice (last month, by the clock of the demo's seeding)."""
    with app.app_context():
        return db.session.scalar(select(func.max(MonthlyNotice.month))) or VALUES["month"]


def public_pages(site) -> list[str]:
    """Candidate URLs of the pages anyone may open, from the live server's URL map."""
    urls = []
    with app_for(site) as app:
        values = {**VALUES, "month": newest_notice_month(app)}
        for rule in app.url_map.iter_rules():
            if rule.endpoint in SKIP_ENDPOINTS or "GET" not in rule.methods or is_staff(rule):
                continue
            if rule.endpoint.startswith("api.") or rule.rule.endswith(NOT_HTML):
                continue
            if not set(rule.arguments) <= set(values):
                continue  # JSON, or a page behind a secret token (checked by its story)
            urls.append(rule.build({k: values[k] for k in rule.arguments})[1])
    return sorted(set(urls)) + ["/?q=dzz", "/no-such-page"]


def test_every_public_page_has_no_serious_accessibility_violation(browse, site):
    require_service(AXE.exists(), "axe-core (npm ci)")
    pages = public_pages(site)
    problems, checked = [], []
    # axe is injected as a script of the test; the pages' own CSP stays as it is otherwise.
    page = browse(js=True, bypass_csp=True)
    for url in pages:
        for lang in ("zh_CN", "en"):
            response = page.goto(f"{url}{'&' if '?' in url else '?'}lang={lang}")
            if "text/html" not in response.headers.get("content-type", ""):
                break
            checked.append(url)
            page.add_script_tag(path=str(AXE))
            result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
            for violation in result["violations"]:
                if violation["impact"] in SERIOUS:
                    targets = [n["target"] for n in violation["nodes"]][:3]
                    problems.append(f"{url} ({lang}): {violation['id']} {violation['impact']} "
                                    f"{violation['help']} at {targets}")
    assert "/" in checked and "/no-such-page" in checked
    assert not problems, "\n".join(problems)
