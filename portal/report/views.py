"""Report form and tracking (anonymous; shares nothing with review/admin but models and services)."""

from flask import Blueprint

bp = Blueprint("report", __name__)
