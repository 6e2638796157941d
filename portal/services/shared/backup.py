"""Backup and restore of the database and the evidence store, with a checksum manifest.

An archive is one uncompressed tar file:

    manifest.json        format, dialect, schema revision, row counts, and the size and
                         SHA-256 of every other member
    manifest.sha256      the SHA-256 of manifest.json
    database.sqlite3     SQLite: a consistent copy made with the online backup API
    database.pgdump      PostgreSQL: `pg_dump --format=custom`
    evidence/<name>      every evidence file of EVIDENCE_DIR

`restore` checks the whole archive against its manifest before it touches anything, and
refuses a corrupted, truncated or tampered archive, an archive of the other database kind,
and (unless forced) a database that already holds data. Secrets are not in the archive:
restore into an instance with the same SECRET_KEY (or RECEIPT_SECRET) so that receipt
codes keep working.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from flask import current_app
from sqlalchemy import func, inspect, select, text

from portal.extensions import db
from portal.models.base import utcnow
from portal.services.shared import audit_checkpoints
from portal.services.shared.errors import ServiceError

FORMAT = "zaigang-backup/1"
MANIFEST = "manifest.json"
MANIFEST_SUM = "manifest.sha256"
SQLITE_MEMBER = "database.sqlite3"
PG_MEMBER = "database.pgdump"
EVIDENCE_PREFIX = "evidence/"
CHECKPOINTS_MEMBER = "audit-checkpoints.jsonl"
COUNTED_TABLES = ("report", "evidence", "message", "report_event", "audit_entry", "township",
                  "cadre", "user_account")
_CHUNK = 1 << 20


class BackupError(ServiceError):
    """The backup or restore could not be done; nothing was changed by a refused restore."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    dialect: str
    database_bytes: int
    evidence_files: int
    counts: dict[str, int]


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _libpq_url(url) -> str:
    """The SQLAlchemy URL as a libpq connection string for pg_dump / pg_restore."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _run(args: list[str]) -> None:
    result = subprocess.run(args, capture_output=True, text=True, check=False, timeout=3600)  # noqa: S603
    if result.returncode != 0:
        # The command line carries the database URL: name only the program.
        raise BackupError(f"{Path(args[0]).name} failed: {result.stderr.strip()[:500]}")


def _dump_database(folder: Path) -> Path:
    url = db.engine.url
    if url.get_backend_name() == "sqlite":
        target = folder / SQLITE_MEMBER
        source = sqlite3.connect(url.database)
        copy = sqlite3.connect(target)
        try:
            # A consistent snapshot even while the app writes (WAL readers do not block).
            source.backup(copy)
        finally:
            copy.close()
            source.close()
        return target
    if url.get_backend_name() == "postgresql":
        target = folder / PG_MEMBER
        _run([shutil.which("pg_dump") or "pg_dump", "--format=custom", "--no-owner",
              "--no-privileges", "--file", str(target), "--dbname", _libpq_url(url)])
        return target
    raise BackupError(f"unsupported database: {url.get_backend_name()}")


def _evidence_files() -> list[Path]:
    folder = Path(current_app.config["EVIDENCE_DIR"])
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir()
                  if p.is_file() and not p.is_symlink() and not p.name.startswith("."))


def _counts() -> dict[str, int]:
    tables = set(inspect(db.engine).get_table_names())
    counts = {}
    for name in COUNTED_TABLES:
        if name in tables:
            counts[name] = db.session.scalar(select(func.count()).select_from(text(f'"{name}"')))
    return counts


def _revision() -> str:
    try:
        return db.session.scalar(text("SELECT version_num FROM alembic_version")) or ""
    except Exception:  # noqa: BLE001 - an unmigrated database has no revision
        db.session.rollback()
        return ""


def _entry(name: str, path: Path) -> dict:
    return {"name": name, "size": path.stat().st_size, "sha256": _sha256_file(path)}


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o600
    info.mtime = int(utcnow().timestamp())
    tar.addfile(info, io.BytesIO(data))


def create(path: str | os.PathLike) -> BackupResult:
    """Write a backup archive of the database and the evidence store to `path`."""
    path = Path(path)
    if path.exists():
        raise BackupError(f"{path} exists: choose a new file")
    path.parent.mkdir(parents=True, exist_ok=True)
    counts = _counts()
    revision = _revision()
    db.session.rollback()
    with tempfile.TemporaryDirectory(prefix="zg-backup-") as tmp:
        dump = _dump_database(Path(tmp))
        evidence = _evidence_files()
        members = [_entry(dump.name, dump)] + [
            _entry(EVIDENCE_PREFIX + p.name, p) for p in evidence
        ]
        # The audit checkpoints (kept outside the database) travel with it, copied first so
        # that the archive's member is the file as its checksum says.
        checkpoints = audit_checkpoints.path()
        if checkpoints.exists():
            copy = Path(tmp) / CHECKPOINTS_MEMBER
            shutil.copyfile(checkpoints, copy)
            members.append(_entry(CHECKPOINTS_MEMBER, copy))
        manifest = json.dumps({
            "format": FORMAT, "created_at": utcnow().isoformat(),
            "dialect": db.engine.url.get_backend_name(), "revision": revision,
            "counts": counts, "members": members,
        }, indent=2, sort_keys=True).encode()
        partial = path.with_name(f".{path.name}.partial")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as raw:
            with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
                _add_bytes(tar, MANIFEST, manifest)
                _add_bytes(tar, MANIFEST_SUM, hashlib.sha256(manifest).hexdigest().encode())
                tar.add(dump, arcname=dump.name, recursive=False)
                for file in evidence:
                    tar.add(file, arcname=EVIDENCE_PREFIX + file.name, recursive=False)
                if checkpoints.exists():
                    tar.add(Path(tmp) / CHECKPOINTS_MEMBER, arcname=CHECKPOINTS_MEMBER,
                            recursive=False)
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(partial, path)
    return BackupResult(path, db.engine.url.get_backend_name(), members[0]["size"],
                        len(evidence), counts)


def _safe_member_name(name: str) -> bool:
    pure = PurePosixPath(name)
    return not pure.is_absolute() and ".." not in pure.parts and name == pure.as_posix()


def _read_manifest(tar: tarfile.TarFile) -> dict:
    try:
        manifest_bytes = tar.extractfile(MANIFEST).read()
        expected = tar.extractfile(MANIFEST_SUM).read().decode().strip()
    except (KeyError, AttributeError, UnicodeDecodeError) as error:
        raise BackupError("not a Zaigang backup: the manifest is missing") from error
    if hashlib.sha256(manifest_bytes).hexdigest() != expected:
        raise BackupError("the manifest does not match its checksum: the archive is corrupted")
    manifest = json.loads(manifest_bytes)
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {manifest.get('format')!r}")
    return manifest


def _check_members(tar: tarfile.TarFile, manifest: dict) -> None:
    """Every member listed, present, a regular file of the right size and checksum; no other."""
    listed = {m["name"]: m for m in manifest["members"]}
    found = {}
    for info in tar.getmembers():
        if info.name in (MANIFEST, MANIFEST_SUM):
            continue
        if not info.isfile() or not _safe_member_name(info.name) or info.name not in listed:
            raise BackupError(f"unexpected member {info.name!r}: the archive was altered")
        digest = hashlib.sha256()
        fh = tar.extractfile(info)
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
        found[info.name] = (info.size, digest.hexdigest())
    for name, member in listed.items():
        if found.get(name) != (member["size"], member["sha256"]):
            raise BackupError(f"{name} is missing or does not match its checksum")


def verify_archive(path: str | os.PathLike) -> dict:
    """Check an archive against its manifest; returns the manifest or raises BackupError."""
    try:
        with tarfile.open(path, mode="r:") as tar:
            manifest = _read_manifest(tar)
            _check_members(tar, manifest)
    except (tarfile.TarError, OSError, EOFError, json.JSONDecodeError) as error:
        raise BackupError(f"unreadable archive: {error}") from error
    return manifest


def _database_is_empty() -> bool:
    tables = set(inspect(db.engine).get_table_names())
    if "township" not in tables:
        return True
    empty = db.session.scalar(text('SELECT count(*) FROM "township"')) == 0
    db.session.rollback()
    return empty


def _restore_sqlite(dump: Path) -> None:
    source = sqlite3.connect(dump)
    target = sqlite3.connect(db.engine.url.database)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()


def _restore_postgresql(dump: Path) -> None:
    _run([shutil.which("pg_restore") or "pg_restore", "--clean", "--if-exists", "--no-owner",
          "--no-privileges", "--single-transaction", "--exit-on-error",
          "--dbname", _libpq_url(db.engine.url), str(dump)])


def _restore_evidence(tar: tarfile.TarFile, manifest: dict) -> int:
    folder = Path(current_app.config["EVIDENCE_DIR"])
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    written = 0
    for member in manifest["members"]:
        if not member["name"].startswith(EVIDENCE_PREFIX):
            continue
        target = folder / PurePosixPath(member["name"]).name
        data = tar.extractfile(member["name"]).read()
        tmp = folder / f".{target.name}.restore"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
        written += 1
    return written


def _restore_checkpoints(tar: tarfile.TarFile, manifest: dict) -> None:
    """Add the archive's checkpoints to this instance's file; never drop a newer local one
    (an old archive restored over a newer log must still be seen by `audit verify`)."""
    if not any(m["name"] == CHECKPOINTS_MEMBER for m in manifest["members"]):
        return
    lines = tar.extractfile(CHECKPOINTS_MEMBER).read().decode().splitlines()
    target = audit_checkpoints.path()
    known = set(target.read_text().splitlines()) if target.exists() else set()
    missing = [line for line in lines if line.strip() and line not in known]
    if missing:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            os.write(fd, ("\n".join(missing) + "\n").encode())
            os.fsync(fd)
        finally:
            os.close(fd)


def restore(path: str | os.PathLike, *, force: bool = False) -> dict:
    """Restore an archive into this instance's database and evidence store; returns the manifest."""
    manifest = verify_archive(path)
    dialect = db.engine.url.get_backend_name()
    if manifest["dialect"] != dialect:
        raise BackupError(f"a {manifest['dialect']} backup cannot be restored into {dialect}")
    if not force and not _database_is_empty():
        raise BackupError("the database already holds data: restore into a fresh instance "
                          "or pass --force to replace it")
    db.session.remove()
    db.engine.dispose()
    with tempfile.TemporaryDirectory(prefix="zg-restore-") as tmp, \
            tarfile.open(path, mode="r:") as tar:
        name = SQLITE_MEMBER if dialect == "sqlite" else PG_MEMBER
        dump = Path(tmp) / name
        with dump.open("wb") as fh:
            shutil.copyfileobj(tar.extractfile(name), fh)
        # Checked again after extraction: the file restored is the file the manifest names.
        expected = next(m["sha256"] for m in manifest["members"] if m["name"] == name)
        if _sha256_file(dump) != expected:
            raise BackupError(f"{name} changed while it was read")
        if dialect == "sqlite":
            _restore_sqlite(dump)
        else:
            _restore_postgresql(dump)
        db.engine.dispose()
        manifest["evidence_restored"] = _restore_evidence(tar, manifest)
        _restore_checkpoints(tar, manifest)
    return manifest
