"""Township office and county administration: `/admin/...`.

Each area is a child blueprint in its own module, registered here under `/admin`.
Every view must declare its roles with `portal.access.allow` (deny by default).
"""

from flask import Blueprint

from portal.admin import (
    board,
    cadres,
    cars,
    dashboard,
    leave,
    roster,
    roster_files,
    samples,
    townships,
    users,
)
from portal.admin import calendar as calendar_admin
from portal.admin.archive import bp as archive_bp
from portal.admin.attendance import bp as attendance_bp
from portal.admin.attendance_files import bp as attendance_files_bp
from portal.admin.evaluation import bp as evaluations_bp
from portal.admin.notices import bp as notices_bp
from portal.admin.spotchecks import bp as spotchecks_bp
from portal.admin.stats_export import bp as stats_export_bp
from portal.admin.supervision import bp as supervision_bp
from portal.admin.supervisors import bp as supervisors_bp
from portal.admin.visits import bp as visits_bp

bp = Blueprint("admin", __name__, url_prefix="/admin")
for oversight_child in (spotchecks_bp, supervision_bp, stats_export_bp):
    bp.register_blueprint(oversight_child)
for child in (attendance_bp, attendance_files_bp, visits_bp, notices_bp, archive_bp):
    bp.register_blueprint(child)
for office_child in (dashboard.bp, cadres.bp, board.bp, roster.bp, roster_files.bp, leave.bp,
                     calendar_admin.bp, samples.bp):
    bp.register_blueprint(office_child)
bp.register_blueprint(cars.bp)
bp.register_blueprint(users.bp)
bp.register_blueprint(townships.bp)
# 民主评议 and the county's register of supervisors.
bp.register_blueprint(evaluations_bp)
bp.register_blueprint(supervisors_bp)
