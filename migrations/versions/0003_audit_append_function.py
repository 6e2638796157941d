"""audit append function

On PostgreSQL, appending an entry to the audit log's hash chain is one call of
audit_append(): it takes the chain's lock (the transaction-level advisory lock 7201300,
as before), reads the tail under it (each statement of a volatile function sees what
committed before it), hashes and inserts the entry. One round trip instead of three, and so
a shorter time for which every other writer waits on the lock. The hash is the one the
application computes (portal/services/shared/audit.py): SHA-256 of the JSON array [prev_hash,
...fields], of which the application sends the part after prev_hash. SQLite keeps the
application's two statements (it has one writer at a time anyway): nothing to do there.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 01:20:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

CREATE = """
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


def upgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(CREATE)


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP FUNCTION audit_append(timestamptz, integer, varchar, varchar, varchar, '
                   'varchar, text, text)')
