"""Migrations are the only way the schema is made: from empty, to the models, and back."""

from __future__ import annotations

import warnings
from datetime import UTC, datetime

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text

from portal.extensions import db
from portal.models.base import compared_by_autogenerate
from tests.conftest import TEST_DATABASE_URL


def _empty_database(tmp_path) -> str:
    if TEST_DATABASE_URL:
        # Named after the test database, so that concurrent runs on other databases never collide.
        name = TEST_DATABASE_URL.rsplit("/", 1)[1] + "_migrations"
        admin = create_engine(TEST_DATABASE_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name}"))
            conn.execute(text(f"CREATE DATABASE {name}"))
        admin.dispose()
        return TEST_DATABASE_URL.rsplit("/", 1)[0] + "/" + name
    return f"sqlite:///{tmp_path}/empty.sqlite3"


def _index_names(table: str) -> set[str]:
    """Every index of the table, expression indexes included (which reflection skips)."""
    if db.engine.dialect.name == "sqlite":
        sql = "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = :table"
    else:
        sql = "SELECT indexname FROM pg_indexes WHERE tablename = :table"
    with db.engine.connect() as conn:
        return set(conn.scalars(text(sql), {"table": table}))


def test_upgrade_from_empty_matches_the_models_and_downgrades(make_app, tmp_path):
    app = make_app(SQLALCHEMY_DATABASE_URI=_empty_database(tmp_path))
    with app.app_context():
        assert inspect(db.engine).get_table_names() == []
        upgrade()
        with db.engine.connect() as conn, warnings.catch_warnings():
            # Indexes on expressions (the queue's due indexes) are left out of the comparison,
            # as in `flask db migrate`; their presence is checked below, and the query-plan
            # tests show them in use.
            warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression")
            warnings.filterwarnings("ignore", "autogenerate skipping .*expression-based index")
            context = MigrationContext.configure(
                conn, opts={"include_object": compared_by_autogenerate})
            diff = compare_metadata(context, db.metadata)
        assert diff == [], f"models and migrations differ: {diff}"
        assert _index_names("report") >= {
            index.name for index in db.metadata.tables["report"].indexes}
        assert "report" in inspect(db.engine).get_table_names()
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        assert "township" in inspect(db.engine).get_table_names()
        db.engine.dispose()


def test_cli_db_upgrade_builds_the_schema(make_app, tmp_path):
    app = make_app(SQLALCHEMY_DATABASE_URI=_empty_database(tmp_path))
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert "user_account" in inspect(db.engine).get_table_names()
        db.engine.dispose()


def _insert(conn, table: str, **values) -> int:
    """Insert a row with only the columns the old schema needs; returns its id."""
    names = ", ".join(values)
    marks = ", ".join(f":{key}" for key in values)
    conn.execute(text(f"INSERT INTO {table} ({names}) VALUES ({marks})"), values)
    return conn.execute(text(f"SELECT max(id) FROM {table}")).scalar_one()


def _required(conn, table: str) -> dict:
    """Filler values for the NOT NULL columns without a default of a table."""
    fill = {}
    for column in inspect(conn).get_columns(table):
        if column["nullable"] or column.get("default") is not None or column["name"] == "id":
            continue
        kind = str(column["type"]).upper()
        if "BOOL" in kind:
            fill[column["name"]] = True
        elif "INT" in kind:
            fill[column["name"]] = 1
        elif "TIMESTAMP" in kind or "DATETIME" in kind:
            fill[column["name"]] = datetime(2026, 1, 1, tzinfo=UTC)
        else:
            fill[column["name"]] = column["name"][:8]
    return fill


def test_service_periods_are_backfilled_from_the_records(make_app, tmp_path):
    """Revision 0005: a cadre joined when added (or at its first record); a deactivated one
    left on its last deactivation, or else at its last record."""
    app = make_app(SQLALCHEMY_DATABASE_URI=_empty_database(tmp_path))
    with app.app_context():
        upgrade(revision="0004")
        with db.engine.begin() as conn:
            region = _insert(conn, "region", **{**_required(conn, "region"), "code": "990101",
                                                "level": "county", "parent_id": None})
            town = _insert(conn, "township", **{**_required(conn, "township"),
                                                "code": "990101001", "county_id": region})

            def cadre(public_id, active, created):
                return _insert(conn, "cadre", **{**_required(conn, "cadre"), "public_id": public_id,
                                                 "township_id": town, "active": active,
                                                 "created_at": created})

            # Added at 23:30 UTC on 3 December: 4 December in Asia/Shanghai.
            joiner = cadre("joiner", True, datetime(2026, 12, 3, 23, 30, tzinfo=UTC))
            veteran = cadre("veteran", False, datetime(2026, 12, 1, 2, tzinfo=UTC))
            gone = cadre("gone", False, datetime(2026, 12, 1, 2, tzinfo=UTC))
            sign_in = {**_required(conn, "sign_in"), "township_id": town, "kind": "in",
                       "machine_ref": None}
            _insert(conn, "sign_in", **{**sign_in, "cadre_id": veteran,
                                        "at": datetime(2026, 10, 12, 0, 30, tzinfo=UTC)})
            _insert(conn, "sign_in", **{**sign_in, "cadre_id": veteran, "machine_ref": "b",
                                        "at": datetime(2026, 11, 20, 1, tzinfo=UTC)})
            _insert(conn, "audit_entry", **{**_required(conn, "audit_entry"),
                                            "action": "cadre.deactivate", "object_type": "cadre",
                                            "object_id": "gone", "prev_hash": "p", "hash": "h",
                                            "at": datetime(2026, 12, 2, 17, tzinfo=UTC)})
        upgrade()
        with db.engine.connect() as conn:
            rows = dict((cid, (joined, left)) for cid, joined, left in conn.execute(
                text("SELECT id, joined_on, left_on FROM cadre")))
        iso = {cid: tuple(str(d)[:10] if d else None for d in pair) for cid, pair in rows.items()}
        assert iso[joiner] == ("2026-12-04", None)
        assert iso[veteran] == ("2026-10-12", "2026-11-20")
        assert iso[gone] == ("2026-12-01", "2026-12-03")
        db.engine.dispose()


def test_the_unkeyed_audit_chain_is_re_keyed(make_app, tmp_path):
    """Revision 0011: entries written with the unkeyed SHA-256 chain are re-keyed in order
    under AUDIT_KEY, and then verify; nothing unkeyed is left to be imitated."""
    import hashlib
    import json

    from portal.services.shared import audit

    app = make_app(SQLALCHEMY_DATABASE_URI=_empty_database(tmp_path))
    with app.app_context():
        upgrade(revision="0010_audit_append_only")
        prev = "0" * 64
        with db.engine.begin() as conn:
            for n in range(3):
                at = datetime(2026, 12, 1, 2, n, tzinfo=UTC)
                fields = [at.isoformat(timespec="microseconds"), None, "system", "demo.step",
                          "report", f"r{n}", "{}"]
                digest = hashlib.sha256(
                    json.dumps([prev, *fields], ensure_ascii=False, separators=(",", ":")).encode()
                ).hexdigest()
                _insert(conn, "audit_entry", at=at, actor_name="system", action="demo.step",
                        object_type="report", object_id=f"r{n}", detail="{}", prev_hash=prev,
                        hash=digest)
                prev = digest
        upgrade()
        check = audit.verify()
        assert check.ok and check.checked == 3, check
        with db.engine.connect() as conn:
            assert set(conn.scalars(text("SELECT key_id FROM audit_entry"))) == {
                audit.audit_keys.current()[0]}
            assert prev not in set(conn.scalars(text("SELECT hash FROM audit_entry")))
        db.session.remove()
        downgrade(revision="0010_audit_append_only")
        db.engine.dispose()
