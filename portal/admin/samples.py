"""`/admin/samples/<name>`: the sample files of the clerk's guide, to download from the import pages.

They are the files of docs/samples/ (made by docs/samples/make_samples.py and checked by the
suite to import cleanly): a roster, a duty roster, an attendance machine's attlog.dat and
its software's export.
"""

from __future__ import annotations

from flask import Blueprint, abort, send_from_directory

from portal.access import ALL_STAFF, allow
from portal.config import ROOT
from portal.services.shared.spreadsheets import XLSX_MIMETYPE

bp = Blueprint("samples", __name__)

SAMPLES = {
    "roster-sample.xlsx": XLSX_MIMETYPE,
    "duty-roster-sample.xlsx": XLSX_MIMETYPE,
    "attlog-sample.dat": "text/plain",
    "attendance-export-sample.xls": "application/vnd.ms-excel",
}


@bp.get("/samples/<name>")
@allow(*ALL_STAFF)
def sample(name: str):
    if name not in SAMPLES:
        abort(404)
    return send_from_directory(ROOT / "docs" / "samples", name, mimetype=SAMPLES[name],
                               as_attachment=True, max_age=3600)
