"""`make test` names the tools it needs beyond Python before it starts, instead of failing later."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from portal.config import ROOT

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make not installed")


def _check(ci: str, **variables: str) -> subprocess.CompletedProcess:
    args = ["make", "--no-print-directory", "-s", "check-tools"]
    args += [f"{name}={value}" for name, value in variables.items()]
    env = {**os.environ, "CI": ci}
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


def test_missing_tools_are_named_with_how_to_install_them():
    result = _check("", HAVE_NPM="", CHROMIUM="/nonexistent/chromium")
    assert result.returncode == 0
    assert "Node.js and npm" in result.stdout and "apt-get install nodejs npm" in result.stdout
    assert "/nonexistent/chromium" in result.stdout and "apt-get install chromium" in result.stdout
    assert "skipped" in result.stdout


def test_under_ci_a_missing_tool_fails_the_run():
    result = _check("true", CHROMIUM="/nonexistent/chromium")
    assert result.returncode != 0
    assert "Chromium" in result.stdout and "CI=true" in result.stdout


def test_nothing_is_said_when_everything_is_there(tmp_path):
    browser = tmp_path / "chromium"
    browser.write_text("#!/bin/sh\n")
    browser.chmod(0o755)
    result = _check("true", HAVE_NPM="yes", CHROMIUM=str(browser))
    assert result.returncode == 0 and result.stdout == ""
