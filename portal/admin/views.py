"""Township office and county administration: `/admin/...`.

Each area is a child blueprint in its own module, registered here under `/admin`.
Every view must declare its roles with `portal.auth.access.allow` (deny by default).
"""

from flask import Blueprint

from portal.admin import board, cadres, dashboard, leave, roster
from portal.admin import calendar as calendar_admin

bp = Blueprint("admin", __name__, url_prefix="/admin")
for office_child in (dashboard.bp, cadres.bp, board.bp, roster.bp, leave.bp, calendar_admin.bp):
    bp.register_blueprint(office_child)
