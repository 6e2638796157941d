"""`GET /c/<county code>/supervisors`: the county's appointed supervisors (作风建设监督员).

Public, without JavaScript, cacheable: who they are (name, kind), their term, the townships
they watch, and how to reach them only if they agreed. A supervisor appears during the term
only. The county's other pages under /c/<county code>/ live in their own modules.
"""

from __future__ import annotations

from flask import Blueprint, abort, render_template

from portal import http_cache
from portal.models import labels
from portal.rules.calendar import end_of_local_day
from portal.services.accounts import supervisors
from portal.services.shared.errors import NotFoundError

bp = Blueprint("county_supervisors", __name__)


@bp.get("/c/<county>/supervisors")
def register(county: str):
    if not (len(county) == 6 and county.isdigit()):
        abort(404)
    try:
        page = supervisors.public_register(county)
    except NotFoundError:
        abort(404)
    parts = [page.county_code, page.county_name, page.today.isoformat()] + [
        (s.name, s.kind.value, s.term_from.isoformat(), s.term_until.isoformat(),
         tuple(s.townships), s.contact) for s in page.supervisors]
    return http_cache.cached(
        parts, lambda: render_template("public/supervisors.html", page=page,
                                       kinds=labels.SUPERVISOR_KIND),
        max_age=http_cache.max_age_until(end_of_local_day(page.today)))
