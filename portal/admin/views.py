"""Township office and county administration: `/admin/...`.

Each area is a child blueprint in its own module, registered here under `/admin`.
Every view must declare its roles with `portal.auth.access.allow` (deny by default).
"""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")
