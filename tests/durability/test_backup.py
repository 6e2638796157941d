"""`flask backup create` / `backup restore`: a round trip into a fresh instance is exact.

Every row of every table (reports, photos stored in the database, audit entries ...) and
every evidence file comes back byte-identical, receipts still find their reports, the
audit chain verifies; a corrupted, truncated or altered archive is refused before anything
is written.
"""

from __future__ import annotations

import io
import tarfile
from datetime import timedelta
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select, text

from portal.extensions import db
from portal.models import Category, Role
from portal.models.base import utcnow
from portal.services.casework import reports
from portal.services.shared import audit, backup
from tests import factories
from tests.e2e.support import create_own_database, drop_own_database


def photo(color: str, fmt: str = "PNG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), color).save(out, fmt)
    return out.getvalue()


def _fill(app) -> list[tuple[str, str]]:
    """A township, reports with photos (files and in the database), messages, audits."""
    made = []
    with app.app_context():
        township = factories.township()
        factories.cadre(township, name="张三")
        inspector = factories.user(Role.INSPECTOR, scope_region=township.county)
        for n, storage in enumerate(["files", "files", "database"]):
            app.config["EVIDENCE_STORAGE"] = storage
            report, receipt = reports.create_report(
                township=township, category=Category.COMMUTING,
                description=f"第{n}位举报人：工作日下午三点镇政府办公室无人，连续三天。",
                observed_at=utcnow() - timedelta(hours=n + 1), place="镇政府",
                named=n == 1, reporter_name="实名者" if n == 1 else None,
                reporter_contact="13800000001" if n == 1 else None,
                photos=[photo("red"), photo("blue", "JPEG")],
            )
            reports.reporter_reply(report=report, body="补充：周五也是如此。")
            audit.record("report.viewed", actor=inspector, object_type="report",
                         object_id=report.public_id)
            db.session.commit()
            made.append((receipt, report.public_id))
    return made


def _rows(app) -> dict[str, list[tuple]]:
    with app.app_context():
        tables = {}
        for table in db.metadata.sorted_tables:
            order = list(table.primary_key.columns) or list(table.columns)
            tables[table.name] = [tuple(r) for r in db.session.execute(
                select(table).order_by(*order))]
        tables["alembic_version"] = list(db.session.execute(
            text("SELECT version_num FROM alembic_version")))
        db.session.rollback()
    return tables


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())} if folder.exists() else {}


@pytest.fixture
def fresh(make_app, tmp_path, app):
    """Build the app of a fresh instance: same secrets, a new database and evidence folder."""
    created = []

    def factory(name: str = "fresh"):
        url = create_own_database(f"restore_{name}") or f"sqlite:///{tmp_path / name}.sqlite3"
        created.append(url)
        return make_app(SQLALCHEMY_DATABASE_URI=url, SECRET_KEY=app.config["SECRET_KEY"],
                        AUDIT_KEY=app.config["AUDIT_KEY"],
                        AUDIT_CHECKPOINT_FILE=str(tmp_path / name / "audit-checkpoints.jsonl"),
                        EVIDENCE_DIR=str(tmp_path / name / "evidence"))

    yield factory
    for url in created:
        if not url.startswith("sqlite"):
            from sqlalchemy import create_engine

            create_engine(url).dispose()
            drop_own_database(url)


def test_a_round_trip_into_a_fresh_instance_restores_everything_byte_identical(app, fresh, tmp_path):
    made = _fill(app)
    archive = tmp_path / "zaigang.backup"
    result = app.test_cli_runner().invoke(args=["backup", "create", str(archive)])
    assert result.exit_code == 0, result.output
    assert "4 evidence file(s)" in result.output and "report 3" in result.output

    restored = fresh()
    result = restored.test_cli_runner().invoke(args=["backup", "restore", str(archive)])
    assert result.exit_code == 0, result.output
    assert "4 evidence file(s)" in result.output

    before, after = _rows(app), _rows(restored)
    assert before == after
    assert len(after["report"]) == 3 and len(after["evidence"]) == 6 and after["audit_entry"]
    assert _files(Path(app.config["EVIDENCE_DIR"])) == _files(Path(restored.config["EVIDENCE_DIR"]))
    with restored.app_context():
        for receipt, public_id in made:
            found = reports.find_by_receipt(receipt)
            assert found is not None and found.public_id == public_id
    verify = restored.test_cli_runner().invoke(args=["audit", "verify"])
    assert verify.exit_code == 0 and "audit chain intact" in verify.output


def _member_offset(archive: Path, name: str) -> int:
    with tarfile.open(archive) as tar:
        return tar.getmember(name).offset_data


def _first_evidence(archive: Path) -> str:
    with tarfile.open(archive) as tar:
        return next(n for n in tar.getnames() if n.startswith("evidence/"))


def _database_member(app) -> str:
    with app.app_context():
        return "database.sqlite3" if db.engine.dialect.name == "sqlite" else "database.pgdump"


def _flip(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0xFF
    path.write_bytes(bytes(data))


def _add_member(path: Path, name: str, data: bytes) -> None:
    with tarfile.open(path, "a") as tar:
        info = tarfile.TarInfo(name)
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))


CORRUPTIONS = {
    "database-byte": lambda p, db_name: _flip(p, _member_offset(p, db_name) + 100),
    "evidence-byte": lambda p, _: _flip(p, _member_offset(p, _first_evidence(p)) + 10),
    "manifest-byte": lambda p, _: _flip(p, _member_offset(p, "manifest.json") + 20),
    "truncated": lambda p, _: p.write_bytes(p.read_bytes()[: p.stat().st_size // 2]),
    "extra-member": lambda p, _: _add_member(p, "../../etc/cron.d/evil", b"* * * * * root id"),
    "not-a-tar": lambda p, _: p.write_bytes(b"hello"),
}


@pytest.mark.parametrize("corruption", sorted(CORRUPTIONS))
def test_a_corrupted_archive_is_refused_and_nothing_is_written(app, fresh, tmp_path, corruption):
    _fill(app)
    archive = tmp_path / "zaigang.backup"
    assert app.test_cli_runner().invoke(args=["backup", "create", str(archive)]).exit_code == 0
    CORRUPTIONS[corruption](archive, _database_member(app))

    restored = fresh(corruption.replace("-", "_"))
    verify = restored.test_cli_runner().invoke(args=["backup", "verify", str(archive)])
    assert verify.exit_code != 0
    result = restored.test_cli_runner().invoke(args=["backup", "restore", str(archive)])
    assert result.exit_code != 0
    assert "Error:" in result.output
    with restored.app_context():
        assert "township" not in db.inspect(db.engine).get_table_names()
    assert _files(Path(restored.config["EVIDENCE_DIR"])) == {}


def test_restore_refuses_to_overwrite_a_database_with_data_unless_forced(app, tmp_path):
    _fill(app)
    archive = tmp_path / "zaigang.backup"
    runner = app.test_cli_runner()
    assert runner.invoke(args=["backup", "create", str(archive)]).exit_code == 0
    refused = runner.invoke(args=["backup", "restore", str(archive)])
    assert refused.exit_code != 0 and "already holds data" in refused.output
    forced = runner.invoke(args=["backup", "restore", "--force", str(archive)])
    assert forced.exit_code == 0, forced.output
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0


def test_create_never_overwrites_an_existing_file(app, tmp_path):
    existing = tmp_path / "keep.backup"
    existing.write_bytes(b"precious")
    result = app.test_cli_runner().invoke(args=["backup", "create", str(existing)])
    assert result.exit_code != 0 and existing.read_bytes() == b"precious"


def test_a_backup_taken_while_a_connection_holds_uncommitted_writes_has_only_committed_data(
        app, tmp_path):
    """SQLite's online backup API (and pg_dump's snapshot) copy what is committed, nothing else."""
    made = _fill(app)
    with app.app_context():
        other = db.engine.connect()
        transaction = other.begin()
        other.execute(text("UPDATE report SET description = 'uncommitted'"))
        try:
            if db.engine.dialect.name == "sqlite":
                # SQLite allows one writer: the backup runs beside the open reader instead.
                transaction.rollback()
                transaction = other.begin()
                other.execute(text("SELECT count(*) FROM report"))
            result = backup.create(tmp_path / "a.backup")
        finally:
            transaction.rollback()
            other.close()
    manifest = backup.verify_archive(tmp_path / "a.backup")
    assert manifest["counts"]["report"] == result.counts["report"] == len(made)
    with tarfile.open(tmp_path / "a.backup") as tar:
        assert b"uncommitted" not in tar.extractfile(_database_member(app)).read()
