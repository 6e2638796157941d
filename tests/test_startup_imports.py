"""What a web worker loads: the libraries that only a few views or commands use stay unloaded.

Every gunicorn worker imports the app; a library imported at the top of any module reached
from `create_app()` costs its memory in every worker (pypinyin's dictionaries alone take
about 55 MB). These run in a fresh interpreter, since the test process itself has loaded
everything by now.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from portal.config import ROOT
from portal.extensions import db
from tests import factories

# Each is imported inside the function that needs it, by the few workers that serve it.
OCCASIONAL = {
    "pypinyin": "pinyin of a township's name, computed when it is saved (search reads the columns)",
    "openpyxl": "spreadsheet exports",
    "python_calamine": "spreadsheet imports (.xlsx, .xls, .ods)",
    "segno": "QR codes on posters, notices, visits and TOTP enrolment",
    "icalendar": "the roster's .ics feed",
    "argon2": "password checks, at login",
    "hypothesis": "tests only",
    "jsonschema": "tests only",
}

PROBE = """
import json, sys
from wsgi import app
client = app.test_client()
statuses = {url: client.get(url).status_code for url in sys.argv[1:]}
print(json.dumps({"statuses": statuses, "modules": sorted({m.split(".")[0] for m in sys.modules})}))
"""


def _production_env(instance, database_url: str) -> dict[str, str]:
    """The production configuration, as bench/run.py starts gunicorn with it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    env.update(
        PORTAL_ENV="production", SECRET_KEY="startup-imports-" + "k" * 40,
        AUDIT_KEY="startup-imports-audit-" + "a" * 32,
        PORTAL_INSTANCE_PATH=str(instance), DATABASE_URL=database_url,
        EVIDENCE_DIR=str(instance / "evidence"), PORTAL_RATELIMIT_ENABLED="false",
        RATELIMIT_STORAGE_URI="memory://", CACHE_URL="", PYTHONPATH=str(ROOT),
        PUBLIC_URL="https://zaigang.example.cn",
    )
    return env


def _probe(env: dict[str, str], *urls: str) -> dict:
    result = subprocess.run([sys.executable, "-c", PROBE, *urls], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def _loaded(modules: list[str]) -> dict[str, str]:
    return {name: why for name, why in OCCASIONAL.items() if name in modules}


def test_starting_the_app_leaves_the_occasional_libraries_unloaded(tmp_path):
    found = _probe(_production_env(tmp_path, f"sqlite:///{tmp_path / 'db.sqlite3'}"))
    assert _loaded(found["modules"]) == {}


def test_public_pages_and_the_township_search_do_not_load_them(app, tmp_path):
    with app.app_context():
        township = factories.township(name="大庄镇")
        factories.cadre(township)
        db.session.commit()
        code = township.code
    urls = ["/", "/?q=dazhuang", "/?q=dzz", "/?q=大庄", f"/t/{code}", f"/t/{code}/roster",
            f"/api/v1/townships/{code}/board", f"/report?township={code}", "/login"]
    found = _probe(_production_env(tmp_path, app.config["SQLALCHEMY_DATABASE_URI"]), *urls)
    assert found["statuses"] == dict.fromkeys(urls, 200)
    assert _loaded(found["modules"]) == {}
