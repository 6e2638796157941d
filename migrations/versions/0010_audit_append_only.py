"""audit log append-only: the database refuses UPDATE, DELETE and TRUNCATE of audit_entry

The application never changes or removes an audit entry; from this revision the database
refuses to as well, whoever asks: on SQLite two triggers abort any UPDATE or DELETE of the
table, on PostgreSQL a row trigger refuses UPDATE and DELETE and a statement trigger refuses
TRUNCATE (SQLSTATE 42501, insufficient_privilege). Someone who owns the schema can still drop
a trigger: the keyed chain and its checkpoints outside the database (docs/security.md) are
what reveal that; on PostgreSQL the application's own role has no UPDATE, DELETE or TRUNCATE
privilege on the table either (docs/operator-guide.*.md).

Revision ID: 0010_audit_append_only
Revises: 0040_cadre_machine_number
Create Date: 2026-12-07 08:20:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0010_audit_append_only'
down_revision = '0040_cadre_machine_number'
branch_labels = None
depends_on = None

SQLITE = [
    """CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_entry
       BEGIN SELECT RAISE(ABORT, 'audit_entry is append-only: UPDATE refused'); END""",
    """CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_entry
       BEGIN SELECT RAISE(ABORT, 'audit_entry is append-only: DELETE refused'); END""",
]

POSTGRESQL = [
    """CREATE FUNCTION audit_entry_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
           RAISE EXCEPTION 'audit_entry is append-only: % refused', TG_OP
               USING ERRCODE = 'insufficient_privilege';
       END
       $$""",
    """CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_entry
       FOR EACH ROW EXECUTE FUNCTION audit_entry_refuse()""",
    """CREATE TRIGGER audit_entry_no_truncate BEFORE TRUNCATE ON audit_entry
       FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_refuse()""",
]


def upgrade():
    for statement in POSTGRESQL if op.get_bind().dialect.name == 'postgresql' else SQLITE:
        op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP TRIGGER audit_entry_no_truncate ON audit_entry')
        op.execute('DROP TRIGGER audit_entry_append_only ON audit_entry')
        op.execute('DROP FUNCTION audit_entry_refuse()')
    else:
        op.execute('DROP TRIGGER audit_entry_no_delete')
        op.execute('DROP TRIGGER audit_entry_no_update')
