"""The layers of the code are contracts (pyproject.toml, [tool.importlinter]) that `lint-imports`
checks: blueprints → services → models → rules, no blueprint imports another, rules import no
Flask and no database, and every module of portal/ sits in a layer. `make lint` runs it too;
here a broken contract fails the suite.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from portal.config import ROOT

LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _lint_imports(root: Path) -> subprocess.CompletedProcess:
    # PYTHONPATH first: lint-imports reads the `portal` package found there.
    env = {**os.environ, "PYTHONPATH": str(root), "COLUMNS": "200", "NO_COLOR": "1"}
    return subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=root, env=env,
                          capture_output=True, text=True, timeout=300, check=False)


def _append(path: Path, line: str) -> None:
    path.write_text(path.read_text() + line + "\n")


def test_the_code_keeps_its_import_contracts():
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "5 kept, 0 broken" in result.stdout


def test_an_import_against_the_layers_breaks_a_contract(tmp_path):
    shutil.copytree(ROOT / "portal", tmp_path / "portal", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    portal = tmp_path / "portal"
    _append(portal / "admin" / "users.py", "from portal.public import views")
    _append(portal / "models" / "region.py", "from portal.services.shared import scope")
    _append(portal / "rules" / "names.py", "import sqlalchemy")
    _append(portal / "services" / "casework" / "tally.py", "from portal.services.office import duty")
    _append(portal / "services" / "oversight" / "stats.py", "from portal.services.casework import queue")
    (portal / "helpers.py").write_text('"""A module in no layer."""\n')

    result = _lint_imports(tmp_path)

    out = result.stdout
    assert result.returncode == 1, out + result.stderr
    assert "0 kept, 5 broken" in out
    assert "portal.admin.users -> portal.public.views" in out  # a blueprint imports another
    assert "portal.models.region -> portal.services.shared.scope" in out  # a model reaches up
    assert "portal.rules.names -> sqlalchemy" in out  # a rule touches the database
    assert "portal.services.casework.tally -> portal.services.office.duty" in out  # casework uses the office
    assert "portal.services.oversight.stats -> portal.services.casework.queue" in out  # not public
    assert "- portal.helpers" in out  # a module that nobody placed
