"""Read-only JSON of townships, boards, rosters, notices and statistics."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")
