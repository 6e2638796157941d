"""Public pages: the township finder and the health check."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template, request
from sqlalchemy import text

from portal.extensions import db
from portal.services import townships

bp = Blueprint("public", __name__)


@bp.get("/")
def index():
    query = request.args.get("q", "")[:100]
    results = townships.search(query) if query.strip() else None
    groups = townships.by_county() if results is None else []
    return render_template("public/index.html", query=query, results=results, groups=groups)


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
        reachable = True
    except Exception:  # noqa: BLE001 - any failure means the database is unreachable
        db.session.rollback()
        reachable = False
    response = jsonify(ok=reachable, database=reachable)
    response.headers["Cache-Control"] = "no-store"
    return response, 200 if reachable else 503
