"""The deployed app connects as a role that cannot shorten or rewrite the audit log.

The stack is set up as the operator's guide says (deploy/postgresql/grants.sql): the schema
belongs to an owner role used only by migrations; the app's role can add audit entries but
neither change, remove nor truncate them, nor switch off the triggers that refuse it.
"""

from __future__ import annotations

import subprocess

import psycopg
import pytest
from sqlalchemy.engine import make_url

from tests.live import ROOT, VENV_BIN


def _connect(url: str) -> psycopg.Connection:
    return psycopg.connect(make_url(url).set(drivername="postgresql")
                           .render_as_string(hide_password=False), autocommit=True)


@pytest.mark.parametrize("statement", [
    "DELETE FROM audit_entry WHERE id = (SELECT max(id) FROM audit_entry)",
    "UPDATE audit_entry SET detail = '{}'",
    "TRUNCATE audit_entry CASCADE",
    "ALTER TABLE audit_entry DISABLE TRIGGER USER",
    "DROP TRIGGER audit_entry_append_only ON audit_entry",
    "CREATE TABLE audit_copy (id integer)",
])
def test_the_app_role_cannot_touch_the_audit_log(production_stack, statement):
    with _connect(production_stack.database_url) as conn, \
            pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute(statement)


def test_the_app_role_adds_entries_and_the_chain_verifies(production_stack):
    """The running app writes the audit log as that role (the demo load did) and verify reads it."""
    with _connect(production_stack.database_url) as conn:
        assert conn.execute("SELECT count(*) FROM audit_entry").fetchone()[0] > 0
        user = conn.execute("SELECT current_user").fetchone()[0]
    assert user.endswith("_app")
    app = production_stack.apps[0]
    result = subprocess.run([str(VENV_BIN / "flask"), "--app", "wsgi", "audit", "verify"],
                            cwd=ROOT, env=app.env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "intact" in result.stdout
