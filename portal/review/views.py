"""Review queue and report pages for inspectors."""

from flask import Blueprint

bp = Blueprint("review", __name__, url_prefix="/review")
