"""audit keyed chain: each entry names the key of its HMAC; the app hashes, the database locks

From this revision each audit entry's hash is an HMAC-SHA256 under AUDIT_KEY, a key kept
outside the database (configured like SECRET_KEY), and the entry carries the key's
fingerprint in the new column key_id (empty for the entries written before, whose unkeyed
SHA-256 still verifies). The key must never reach the database, so on PostgreSQL the
application computes the hash itself: audit_append (0003), which hashed in SQL, is replaced
by audit_tail(), which takes the chain's lock (advisory lock 7201300) and returns the tail's
hash in one call, a volatile function so that the tail is read after the lock is held.

The entries already written are re-keyed here, in order: each gets the HMAC under the
configured AUDIT_KEY over the same fields (so every hash and prev_hash changes), and after
this revision an entry without a key id is a break of the chain. Whether the unkeyed chain
was intact when it was re-keyed is printed, so that the operator can record it; run
`flask audit verify` before upgrading to know it. The append-only triggers of 0010 are set
aside for the re-keying only (the owner runs migrations).

Revision ID: 0011_audit_keyed_chain
Revises: 0010_audit_append_only
Create Date: 2026-12-07 08:40:00

"""
import hashlib
import hmac
import json

import sqlalchemy as sa
from alembic import op
from flask import current_app

from portal.models.base import UTCDateTime

# revision identifiers, used by Alembic.
revision = '0011_audit_keyed_chain'
down_revision = '0010_audit_append_only'
branch_labels = None
depends_on = None

TAIL = """
CREATE FUNCTION audit_tail() RETURNS varchar
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    prev varchar;
BEGIN
    PERFORM pg_advisory_xact_lock(7201300);
    SELECT hash INTO prev FROM audit_entry ORDER BY id DESC LIMIT 1;
    RETURN coalesce(prev, repeat('0', 64));
END
$$
"""

# audit_append as migration 0003 made it, for the downgrade.
APPEND = """
CREATE FUNCTION audit_append(p_at timestamptz, p_actor_id integer, p_actor_name varchar,
                             p_action varchar, p_object_type varchar, p_object_id varchar,
                             p_detail text, p_rest text) RETURNS varchar
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    prev varchar;
    digest varchar;
BEGIN
    PERFORM pg_advisory_xact_lock(7201300);
    SELECT hash INTO prev FROM audit_entry ORDER BY id DESC LIMIT 1;
    prev := coalesce(prev, repeat('0', 64));
    digest := encode(sha256(convert_to('["' || prev || '",' || p_rest, 'UTF8')), 'hex');
    INSERT INTO audit_entry (at, actor_id, actor_name, action, object_type, object_id, detail,
                             prev_hash, hash)
    VALUES (p_at, p_actor_id, p_actor_name, p_action, p_object_type, p_object_id, p_detail,
            prev, digest);
    RETURN digest;
END
$$
"""

APPEND_ARGS = 'timestamptz, integer, varchar, varchar, varchar, varchar, text, text'


SQLITE_TRIGGERS = [
    """CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_entry
       BEGIN SELECT RAISE(ABORT, 'audit_entry is append-only: UPDATE refused'); END""",
    """CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_entry
       BEGIN SELECT RAISE(ABORT, 'audit_entry is append-only: DELETE refused'); END""",
]

entries = sa.table(
    'audit_entry', sa.column('id', sa.Integer), sa.column('at', UTCDateTime),
    sa.column('actor_id', sa.Integer), sa.column('actor_name', sa.String),
    sa.column('action', sa.String), sa.column('object_type', sa.String),
    sa.column('object_id', sa.String), sa.column('detail', sa.Text),
    sa.column('prev_hash', sa.String), sa.column('hash', sa.String),
    sa.column('key_id', sa.String),
)
GENESIS = '0' * 64


def _message(prev, row) -> bytes:
    # As portal/services/shared/audit.py builds it: the JSON array [prev_hash, at, ...].
    rest = json.dumps([row.at.isoformat(timespec='microseconds'), row.actor_id, row.actor_name,
                       row.action, row.object_type, row.object_id, row.detail],
                      ensure_ascii=False, separators=(',', ':'))[1:]
    return f'["{prev}",{rest}'.encode()


def _rechain(keyed: bool) -> None:
    """Rewrite every entry's hashes in order: keyed by AUDIT_KEY, or unkeyed (downgrade)."""
    bind = op.get_bind()
    if keyed:
        key = current_app.config['AUDIT_KEY'].strip().encode()
        kid = hmac.new(key, b'zaigang audit key id', hashlib.sha256).hexdigest()[:16]
    rows = bind.execute(sa.select(entries).order_by(entries.c.id)).all()
    if not rows:
        return
    _triggers(bind, off=True)
    old_prev, new_prev, intact, first_broken = GENESIS, GENESIS, True, None
    for row in rows:
        if keyed and intact:
            ok = row.prev_hash == old_prev and row.hash == hashlib.sha256(
                _message(row.prev_hash, row)).hexdigest()
            if not ok:
                intact, first_broken = False, row.id
            old_prev = row.hash
        if keyed:
            digest = hmac.new(key, _message(new_prev, row), hashlib.sha256).hexdigest()
        else:
            digest = hashlib.sha256(_message(new_prev, row)).hexdigest()
        bind.execute(entries.update().where(entries.c.id == row.id).values(
            prev_hash=new_prev, hash=digest, key_id=kid if keyed else ''))
        new_prev = digest
    _triggers(bind, off=False)
    if keyed:
        state = 'intact' if intact else f'broken at entry {first_broken}'
        print(f'audit log: {len(rows)} entries re-keyed; the unkeyed chain was {state}')


def _triggers(bind, *, off: bool) -> None:
    if bind.dialect.name == 'postgresql':
        op.execute(f"ALTER TABLE audit_entry {'DISABLE' if off else 'ENABLE'} TRIGGER USER")
    elif off:
        op.execute('DROP TRIGGER audit_entry_no_update')
        op.execute('DROP TRIGGER audit_entry_no_delete')
    else:
        for statement in SQLITE_TRIGGERS:
            op.execute(statement)


def upgrade():
    # A plain ADD COLUMN (no table copy on SQLite, which would drop the triggers of 0010).
    op.add_column('audit_entry', sa.Column('key_id', sa.String(length=16), nullable=False,
                                           server_default=''))
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(f'DROP FUNCTION audit_append({APPEND_ARGS})')
        op.execute(TAIL)
    _rechain(keyed=True)


def downgrade():
    _rechain(keyed=False)
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP FUNCTION audit_tail()')
        op.execute(APPEND)
    # A plain DROP COLUMN (SQLite 3.35+), so that the triggers of 0010 stay.
    op.drop_column('audit_entry', 'key_id')
