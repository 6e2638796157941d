"""A named reporter's identity filed through the real form is nowhere in plaintext at rest.

The raw database (the SQLite file with its WAL, or a plain `pg_dump`), a `flask backup create`
archive and the logs are searched for the distinctive name and contact: zero hits. The
receipt still opens the reporter's own view.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import Region, Report
from tests.report.test_form import RECEIPT, post_report
from tests.report.test_limits import look_up

NAME, CONTACT = "欧阳密封人", "13987654321"


def _raw_database(app, tmp_path: Path) -> bytes:
    with app.app_context():
        url = db.engine.url
    if url.get_backend_name() == "sqlite":
        files = [Path(url.database), Path(f"{url.database}-wal")]
        return b"".join(f.read_bytes() for f in files if f.exists())
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        pytest.skip("pg_dump is not installed")
    out = subprocess.run([pg_dump, "--format=plain", "--host", url.host or "127.0.0.1",
                          "--port", str(url.port or 5432), "--username", url.username or "postgres",
                          url.database], capture_output=True, check=True)
    return out.stdout


def _backup(runner, tmp_path: Path) -> bytes:
    path = tmp_path / "backup.tar"
    result = runner.invoke(args=["backup", "create", str(path)])
    assert result.exit_code == 0, result.output
    chunks = []
    with tarfile.open(path) as tar:
        for member in tar.getmembers():
            chunks.append(tar.extractfile(member).read())
    return b"".join(chunks)


def test_a_named_report_leaves_no_plaintext_identity(app, runner, client, place, tmp_path, caplog, capfd):
    with app.app_context():
        code = db.session.get(Region, place.county_id).code
    assert runner.invoke(args=["sealing", "init", "--county", code]).exit_code == 0
    caplog.set_level(logging.DEBUG)
    response = post_report(client, place, named="y", name=NAME, contact=CONTACT)
    html = response.get_data(as_text=True)
    receipt = RECEIPT.search(html).group(1)
    with app.app_context():
        report = db.session.scalars(select(Report)).one()
        assert report.named and report.sealed_identity is not None
    needles = [NAME.encode(), CONTACT.encode(), NAME.encode("utf-16-le")]
    out, err = capfd.readouterr()
    for where, data in (("database", _raw_database(app, tmp_path)), ("backup", _backup(runner, tmp_path))):
        assert len(data) > 10_000, where
        assert [n for n in needles if n in data] == [], where
    # Every log line of the submission (the app's loggers at DEBUG, and whatever reached stdout
    # or stderr) is free of it too.
    logs = (caplog.text + out + err).encode()
    assert [n for n in needles if n in logs] == []
    # The reporter's own view still opens with the receipt.
    status = look_up(client, receipt.replace(" ", ""))
    assert status.status_code == 200 and "已收到，等待受理" in status.get_data(as_text=True)
